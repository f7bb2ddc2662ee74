/** `specialist dev`: the whole local stack in the foreground until Ctrl-C. */
import pc from 'picocolors';
import { CliError, EXIT } from '../cli-error';
import { redactUrl } from '../../config/env';
import { startStack } from '../../stack/embedded-stack';
import { asCliError } from '../../stack/ensure-stack';
import { readStackFile, removeStackFile, writeStackFile } from '../../stack/stack-file';
import { commandEnv, commandDataDir } from './stack-shared';

export interface DevOptions {
  port?: number;
  uiPort?: number;
  pgPort?: number;
  worker: boolean;
}

function waitForSignal(): { promise: Promise<NodeJS.Signals>; dispose(): void } {
  let handler: ((signal: NodeJS.Signals) => void) | undefined;
  const promise = new Promise<NodeJS.Signals>((resolve) => {
    handler = (signal) => resolve(signal);
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
  return {
    promise,
    // Keep listening during the shutdown: a second Ctrl-C must not kill us halfway (we would
    // leave the servers to their watchdogs instead of stopping them in order).
    dispose: () => {
      if (!handler) return;
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

export async function devCommand(options: DevOptions): Promise<void> {
  const env = commandEnv();
  const dataDir = commandDataDir(env);
  const already = readStackFile(dataDir);
  if (already) {
    console.log(
      `specialist dev is already running (pid ${already.pid}): Temporal UI ${already.uiUrl ?? '-'}, Temporal ${already.temporalAddress}, DATABASE_URL ${already.databaseUrl}`,
    );
    return;
  }
  const signal = waitForSignal();
  const log = (line: string) => console.log(pc.dim(line));
  let stack;
  try {
    stack = await startStack({
      dataDir,
      temporalPort: options.port ?? env.SPECIALIST_TEMPORAL_PORT,
      uiPort: options.uiPort ?? env.SPECIALIST_UI_PORT,
      pgPort: options.pgPort ?? env.SPECIALIST_PG_PORT,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      temporalAddress: env.TEMPORAL_ADDRESS,
      databaseUrl: env.DATABASE_URL,
      worker: options.worker,
      log,
    });
  } catch (err) {
    signal.dispose();
    throw asCliError(err);
  }
  writeStackFile(dataDir, {
    pid: process.pid,
    temporalAddress: stack.temporalAddress,
    namespace: stack.namespace,
    taskQueue: stack.taskQueue,
    uiUrl: stack.uiUrl,
    databaseUrl: stack.databaseUrl,
    pids: stack.pids,
    startedAt: new Date().toISOString(),
  });
  // The embedded server's URL has well-known local credentials; a user's own URL is redacted.
  const shownUrl = env.DATABASE_URL ? redactUrl(stack.databaseUrl) : stack.databaseUrl;
  console.log(
    [
      pc.green('specialist dev: ready'),
      `  Temporal UI   ${stack.uiUrl ? pc.bold(stack.uiUrl) : '(external cluster: use its own UI)'}`,
      `  Temporal      ${stack.temporalAddress}  namespace ${stack.namespace}`,
      `  DATABASE_URL  ${shownUrl}`,
      `  worker        ${stack.started.worker ? `polling task queue ${stack.taskQueue}` : 'not started (--no-worker)'}`,
      `  data          ${dataDir}`,
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
  // Signal listeners do not keep Node alive: with every server reused and no worker, nothing would.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const outcome = await Promise.race([
    signal.promise.then((s) => ({ signal: s })),
    stack.failed.then((why) => ({ failure: why })),
  ]);
  clearInterval(keepAlive);
  if ('failure' in outcome) console.error(`specialist dev: ${outcome.failure}; stopping the rest`);
  else console.log('stopping: worker, then Temporal, then PostgreSQL ...');
  try {
    await stack.stop();
  } finally {
    removeStackFile(dataDir);
    signal.dispose();
  }
  if ('failure' in outcome) throw new CliError(`${outcome.failure}`, EXIT.runFailed);
  console.log('stopped.');
}
