/**
 * The local stack as `specialist dev` runs it: the Temporal dev server, embedded PostgreSQL and a
 * worker in this process. Each server is reused when one already answers on its port, taken from
 * `temporalAddress`/`databaseUrl` when given, and started otherwise. A port held by something else
 * is a `StackError` saying what to do.
 */
import path from 'node:path';
import { redactUrl } from '../config/env';
import { startWorker, type RunningWorker } from '../worker/worker';
import { embeddedPostgresUrl, startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres';
import { portIsFree, postgresAnswers } from './ports';
import { postgresUserProblem } from './preflight';
import { findTemporalCli } from './temporal-cli';
import {
  startTemporalDevServer,
  temporalAnswers,
  type RunningTemporalDevServer,
} from './temporal-dev-server';

export interface StackOptions {
  dataDir: string;
  temporalPort: number;
  uiPort: number;
  pgPort: number;
  namespace: string;
  taskQueue: string;
  /** An existing Temporal frontend to use instead of the dev server. */
  temporalAddress?: string;
  /** An existing PostgreSQL to use instead of the embedded one. */
  databaseUrl?: string;
  /** Run a worker in this process (default true). */
  worker?: boolean;
  /** Temporal CLI to use (default: `findTemporalCli`, which may install the pinned copy). */
  temporalCli?: string;
  log?: (line: string) => void;
}

export interface RunningStack {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  /** Web UI of the dev server (absent when Temporal is an external cluster). */
  uiUrl?: string;
  databaseUrl: string;
  /** What this call started (the rest was reused). */
  started: { temporal: boolean; postgres: boolean; worker: boolean };
  pids: { temporal?: number; postgres?: number };
  /** Resolves with a sentence when something this call started stops on its own. */
  failed: Promise<string>;
  /** Stops what this call started: the worker first, then Temporal, then PostgreSQL. Idempotent. */
  stop(): Promise<void>;
  /**
   * Starts the worker later, for a stack started without one (`specialist cancel` sends the cancel at
   * once, then brings a worker up for the clean-up); nothing when one runs. Stopped by `stop()`.
   */
  startWorker(): Promise<void>;
}

/** A problem with the machine or the configuration, phrased for the user (port taken, ...). */
export class StackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackError';
  }
}

const pgPortTaken = (port: number) =>
  new StackError(
    `port ${port} (PostgreSQL) is already in use by another program: stop it, or set SPECIALIST_PG_PORT to a free port, or DATABASE_URL to use an existing PostgreSQL`,
  );
const temporalPortTaken = (port: number) =>
  new StackError(
    `port ${port} (Temporal) is already in use by another program: stop it, or set SPECIALIST_TEMPORAL_PORT to a free port, or TEMPORAL_ADDRESS to use an existing Temporal server`,
  );
const uiPortTaken = (port: number) =>
  new StackError(
    `port ${port} (Temporal Web UI) is already in use by another program: stop it, or set SPECIALIST_UI_PORT to a free port`,
  );

/** PostgreSQL for the stack: `databaseUrl`, else a server already on `pgPort`, else the embedded one. */
export async function ensurePostgres(
  options: Pick<StackOptions, 'dataDir' | 'pgPort' | 'databaseUrl'>,
  log: (line: string) => void,
): Promise<{ url: string; server?: RunningPostgres }> {
  if (options.databaseUrl) {
    if (!(await postgresAnswers(options.databaseUrl, 5000))) {
      throw new StackError(
        `DATABASE_URL (${redactUrl(options.databaseUrl)}) does not accept connections: start that PostgreSQL, fix the URL, or unset DATABASE_URL to use the embedded one`,
      );
    }
    return { url: options.databaseUrl };
  }
  const url = embeddedPostgresUrl(options.pgPort);
  if (!(await portIsFree(options.pgPort))) {
    if (await postgresAnswers(url)) {
      log(`PostgreSQL: reusing the server already on port ${options.pgPort}`);
      return { url };
    }
    throw pgPortTaken(options.pgPort);
  }
  const dir = path.join(options.dataDir, 'postgres');
  const blocked = postgresUserProblem(dir);
  if (blocked) throw new StackError(blocked);
  log(`PostgreSQL: starting on port ${options.pgPort} (data in ${dir}) ...`);
  const server = await startEmbeddedPostgres({ dir, port: options.pgPort, database: 'specialist' });
  return { url, server };
}

async function ensureTemporal(
  options: StackOptions,
  log: (line: string) => void,
): Promise<{ address: string; uiUrl?: string; server?: RunningTemporalDevServer }> {
  if (options.temporalAddress) {
    if (!(await temporalAnswers(options.temporalAddress, 5000))) {
      throw new StackError(
        `TEMPORAL_ADDRESS (${options.temporalAddress}) does not answer: start that Temporal server, fix the address, or unset TEMPORAL_ADDRESS to use the embedded dev server`,
      );
    }
    return { address: options.temporalAddress };
  }
  const address = `127.0.0.1:${options.temporalPort}`;
  const uiUrl = `http://127.0.0.1:${options.uiPort}`;
  if (!(await portIsFree(options.temporalPort))) {
    if (await temporalAnswers(address)) {
      log(`Temporal: reusing the server already on ${address}`);
      return { address, uiUrl };
    }
    throw temporalPortTaken(options.temporalPort);
  }
  if (!(await portIsFree(options.uiPort))) {
    throw uiPortTaken(options.uiPort);
  }
  const cli = options.temporalCli ?? findTemporalCli({ dataDir: options.dataDir, onProgress: log });
  log(
    `Temporal: starting the dev server on ${address} (history in ${path.join(options.dataDir, 'temporal')}) ...`,
  );
  const server = await startTemporalDevServer({
    cli,
    dbFile: path.join(options.dataDir, 'temporal', 'history.db'),
    port: options.temporalPort,
    uiPort: options.uiPort,
    namespace: options.namespace,
  });
  return { address, uiUrl: server.uiUrl, server };
}

/** Checks ports and finds the Temporal CLI before starting anything; returns the CLI when needed. */
async function preflight(options: StackOptions, log: (line: string) => void): Promise<string | undefined> {
  if (!options.databaseUrl) {
    if (await portIsFree(options.pgPort)) {
      const blocked = postgresUserProblem(path.join(options.dataDir, 'postgres'));
      if (blocked) throw new StackError(blocked);
    } else if (!(await postgresAnswers(embeddedPostgresUrl(options.pgPort)))) {
      throw pgPortTaken(options.pgPort);
    }
  }
  if (options.temporalAddress) return undefined;
  if (!(await portIsFree(options.temporalPort))) {
    if (await temporalAnswers(`127.0.0.1:${options.temporalPort}`)) return undefined;
    throw temporalPortTaken(options.temporalPort);
  }
  if (!(await portIsFree(options.uiPort))) throw uiPortTaken(options.uiPort);
  return options.temporalCli ?? findTemporalCli({ dataDir: options.dataDir, onProgress: log });
}

/** Brings the stack up (see the module comment); on any failure stops what it had started. */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const log = options.log ?? (() => undefined);
  let postgres: RunningPostgres | undefined;
  let temporal: RunningTemporalDevServer | undefined;
  let worker: RunningWorker | undefined;
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await worker?.stop();
    await temporal?.stop();
    await postgres?.stop();
  };
  try {
    // Every "port taken" or "CLI missing" problem is found before anything starts.
    const cli = await preflight(options, log);
    const pg = await ensurePostgres(options, log);
    postgres = pg.server;
    const tp = await ensureTemporal({ ...options, temporalCli: cli }, log);
    temporal = tp.server;
    const launchWorker = async () => {
      if (worker || stopping) return;
      log(`worker: bundling workflows and connecting ...`);
      worker = await startWorker({
        address: tp.address,
        namespace: options.namespace,
        taskQueue: options.taskQueue,
        databaseUrl: pg.url,
        dataDir: options.dataDir,
      });
    };
    if (options.worker !== false) await launchWorker();
    const failures: Promise<string>[] = [];
    if (temporal)
      failures.push(temporal.exited.then((code) => `the Temporal dev server exited (code ${code})`));
    if (postgres?.exited)
      failures.push(postgres.exited.then((code) => `embedded PostgreSQL exited (code ${code})`));
    if (worker) {
      failures.push(
        worker.done.then(
          () => 'the worker stopped',
          (err: unknown) => `the worker failed: ${(err as Error).message}`,
        ),
      );
    }
    // Only failures that happen while we are not stopping count.
    const failed = new Promise<string>((resolve) => {
      for (const f of failures) void f.then((why) => (stopping ? undefined : resolve(why)));
    });
    let stopped: Promise<void> | undefined;
    return {
      temporalAddress: tp.address,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      uiUrl: tp.uiUrl,
      databaseUrl: pg.url,
      started: { temporal: !!temporal, postgres: !!postgres, worker: !!worker },
      pids: { temporal: temporal?.pid, postgres: postgres?.pid },
      failed,
      stop: () => (stopped ??= stop()),
      startWorker: launchWorker,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
