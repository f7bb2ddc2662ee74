/** `specialist worker`: one worker against TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / DATABASE_URL. */
import { CliError } from '../cli-error';
import { redactUrl } from '../../config/env';
import { embeddedPostgresUrl } from '../../stack/embedded-postgres';
import { postgresAnswers } from '../../stack/ports';
import { registerSearchAttributes } from '../../stack/register-search-attributes';
import { readStackFile } from '../../stack/stack-file';
import { temporalAnswers } from '../../stack/temporal-dev-server';
import { runWorker } from '../../worker';
import { commandDataDir, commandEnv } from './stack-shared';

export async function workerCommand(): Promise<void> {
  const env = commandEnv();
  // Without TEMPORAL_ADDRESS/DATABASE_URL: the running `specialist dev` stack, else the default ports.
  const folder = commandDataDir(env);
  const running = readStackFile(folder);
  const address =
    env.TEMPORAL_ADDRESS ?? running?.temporalAddress ?? `127.0.0.1:${env.SPECIALIST_TEMPORAL_PORT}`;
  const databaseUrl = env.DATABASE_URL ?? running?.databaseUrl ?? embeddedPostgresUrl(env.SPECIALIST_PG_PORT);
  if (!(await temporalAnswers(address, 5000))) {
    throw new CliError(
      `no Temporal server answers at ${address}: set TEMPORAL_ADDRESS to your cluster, or start the local stack with \`specialist dev\``,
    );
  }
  if (!(await postgresAnswers(databaseUrl, 5000))) {
    throw new CliError(
      `PostgreSQL at ${redactUrl(databaseUrl)} does not accept connections: set DATABASE_URL, or start the local stack with \`specialist dev\``,
    );
  }
  try {
    const added = await registerSearchAttributes(address, env.TEMPORAL_NAMESPACE);
    if (added.length > 0) console.log(`registered search attributes: ${added.join(', ')}`);
  } catch (err) {
    // Temporal Cloud and locked-down clusters refuse operator calls: runs still work, only the UI
    // filters by feature/phase/status need the attributes (an admin can add them).
    console.warn(
      `could not register search attributes (${(err as Error).message}); the UI filters need them`,
    );
  }
  await runWorker(
    {
      address,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      databaseUrl,
      dataDir: folder,
    },
    (line) => console.log(line),
  );
}
