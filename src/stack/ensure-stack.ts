/**
 * What other commands (`run`, `memory`, `demo`) call to get a Temporal server and a database without
 * caring where they come from: the environment (`TEMPORAL_ADDRESS`, `DATABASE_URL`), else the stack
 * of a running `specialist dev`, else an embedded stack started for the duration of the command.
 * Problems come out as `CliError` (one line, exit 2), so callers just let them propagate.
 */
import path from 'node:path';
import { CliError } from '../client/cli-error';
import { ConfigError, parseEnv, type Env } from '../config/env';
import { ensurePostgres, startStack, StackError } from './embedded-stack';
import { dataDir } from './paths';
import { dataDirProblem } from './preflight';
import { readStackFile } from './stack-file';
import { TemporalCliMissingError } from './temporal-cli';

export interface StackHandle {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  databaseUrl: string;
  /** Temporal Web UI, when known (the dev server's). */
  uiUrl?: string;
  /** Where the stack came from. */
  source: 'environment' | 'dev' | 'started';
  /** Stops what this call started (nothing when the stack was already there). */
  stop(): Promise<void>;
  /**
   * Brings up a worker in this process: only on a stack this call started without one (nothing else
   * serves its runs then). Absent where a `specialist dev` or a `specialist worker` is to serve them.
   */
  startWorker?: () => Promise<void>;
}

export interface EnsureStackOptions {
  /** Start a worker in this process when this call starts Temporal itself (default true). */
  worker?: boolean;
  /** Progress lines (default: stderr, so a command's stdout stays clean for JSON). */
  log?: (line: string) => void;
  /** Environment to read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

const stderrLog = (line: string) => process.stderr.write(`${line}\n`);

/** Turns the stack's own error types into the CLI's one-line error. */
export function asCliError(err: unknown): unknown {
  if (err instanceof StackError || err instanceof TemporalCliMissingError) return new CliError(err.message);
  if (err instanceof ConfigError) return new CliError(err.message);
  return err;
}

function loadEnv(env: NodeJS.ProcessEnv | undefined): Env {
  try {
    return parseEnv(env ?? process.env);
  } catch (err) {
    throw asCliError(err);
  }
}

function usableDataDir(env: Env): string {
  const dir = env.SPECIALIST_HOME ? path.resolve(env.SPECIALIST_HOME) : dataDir();
  const problem = dataDirProblem(dir);
  if (problem) throw new CliError(problem);
  return dir;
}

/**
 * A database URL for memory: `DATABASE_URL`, else the running `specialist dev` stack's, else an
 * embedded PostgreSQL (data under `<dataDir>/postgres`, port `SPECIALIST_PG_PORT`) started until `stop()`.
 */
export async function ensureDatabaseUrl(
  options: Omit<EnsureStackOptions, 'worker'> = {},
): Promise<{ url: string; stop(): Promise<void> }> {
  const env = loadEnv(options.env);
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, stop: async () => {} };
  const dir = usableDataDir(env);
  const running = readStackFile(dir);
  if (running) return { url: running.databaseUrl, stop: async () => {} };
  try {
    const pg = await ensurePostgres(
      { dataDir: dir, pgPort: env.SPECIALIST_PG_PORT },
      options.log ?? stderrLog,
    );
    return { url: pg.url, stop: async () => pg.server?.stop() };
  } catch (err) {
    throw asCliError(err);
  }
}

/**
 * Temporal + database (+ a worker when it starts Temporal itself). With `TEMPORAL_ADDRESS` set, no
 * worker is started: run `specialist worker` (or several) against that cluster.
 */
export async function ensureStack(options: EnsureStackOptions = {}): Promise<StackHandle> {
  const env = loadEnv(options.env);
  const log = options.log ?? stderrLog;
  const base = { namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE };
  if (env.TEMPORAL_ADDRESS) {
    const db = await ensureDatabaseUrl(options);
    return {
      ...base,
      temporalAddress: env.TEMPORAL_ADDRESS,
      databaseUrl: db.url,
      source: 'environment',
      stop: db.stop,
    };
  }
  const dir = usableDataDir(env);
  const running = readStackFile(dir);
  if (running) {
    return {
      ...base,
      namespace: running.namespace,
      taskQueue: running.taskQueue,
      temporalAddress: running.temporalAddress,
      databaseUrl: env.DATABASE_URL ?? running.databaseUrl,
      uiUrl: running.uiUrl,
      source: 'dev',
      stop: async () => {},
    };
  }
  try {
    const stack = await startStack({
      ...base,
      dataDir: dir,
      temporalPort: env.SPECIALIST_TEMPORAL_PORT,
      uiPort: env.SPECIALIST_UI_PORT,
      pgPort: env.SPECIALIST_PG_PORT,
      databaseUrl: env.DATABASE_URL,
      worker: options.worker ?? true,
      log,
    });
    return {
      ...base,
      temporalAddress: stack.temporalAddress,
      databaseUrl: stack.databaseUrl,
      uiUrl: stack.uiUrl,
      source: 'started',
      stop: () => stack.stop(),
      ...(stack.started.worker ? {} : { startWorker: () => stack.startWorker() }),
    };
  } catch (err) {
    throw asCliError(err);
  }
}
