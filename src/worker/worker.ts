/**
 * The worker: first it reaps what a SIGKILLed worker of the same data folder left (process groups,
 * temp folders) and starts recording its own; then a `pg` pool for memory (migrations applied first),
 * then two Temporal workers on one connection: one on the shared task queue serving every workflow in
 * `src/workflows` and every activity from `createActivities`, one on the data folder's own queue
 * (worker-queue.ts) serving the activities only — the steps of the runs whose worktree is on this disk.
 */
import path from 'node:path';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions as SdkWorkerOptions,
} from '@temporalio/worker';
import { createActivities } from '../activities';
import { redactUrl } from '../config/env';
import { openLeftoverLedger, type ReapReport } from '../process/leftover-ledger';
import { dataDir } from '../stack/paths';
import { prepareDatabase } from './migrate';
import { ownTaskQueue } from './worker-queue';
import { createMemoryPool } from '../memory';

export interface WorkerOptions {
  /** Temporal frontend, host:port. */
  address: string;
  namespace: string;
  taskQueue: string;
  databaseUrl: string;
  /** The data folder (default `dataDir()`): worktrees and the leftover ledger live there. */
  dataDir?: string;
}

/**
 * Options every worker of the tool uses (tests' own workers too). An activity learns of a cancel only
 * from the answer to a heartbeat, and the SDK sends heartbeats at most every `heartbeatTimeout * 0.8`
 * (capped at 60 s by default): a cancelled run's pytest would run on for up to a minute and could
 * commit. Capped at 2 s, the process group is killed within seconds of the cancel. On shutdown
 * (`shutdownGraceTime` 0) running activities are cancelled at once, which kills their groups too.
 */
export const WORKER_TUNING = {
  maxHeartbeatThrottleInterval: '2s',
  shutdownGraceTime: 0,
} satisfies Partial<SdkWorkerOptions>;

export interface RunningWorker {
  taskQueue: string;
  /** The data folder's own queue: the steps of the runs whose worktree this worker prepared. */
  ownTaskQueue: string;
  /** What this worker removed at start, left by a dead worker of the same data folder. */
  reaped: ReapReport;
  /** Settles when the worker has stopped (rejects if it failed). */
  done: Promise<void>;
  /** Stops polling, lets running tasks finish, closes the connection and the pool. */
  stop(): Promise<void>;
}

/**
 * The SDK runtime, installed once per process without its own signal handlers: the commands decide
 * the shutdown order (worker before the servers it talks to).
 */
export function installRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  } catch {
    // Already installed (by an earlier worker or a test environment): keep it.
  }
}

/** Connects, migrates and starts polling; returns once the worker is running. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  installRuntime();
  const folder = options.dataDir ?? dataDir();
  const reaped = openLeftoverLedger(folder);
  // Statement timeouts and an idle-error handler: a PostgreSQL restart must not crash the worker.
  const pool = createMemoryPool({ connectionString: options.databaseUrl });
  try {
    await prepareDatabase(pool);
  } catch (err) {
    await pool.end();
    throw new Error(
      `the worker cannot use the memory database ${redactUrl(options.databaseUrl)}: ${(err as Error).message}`,
    );
  }
  let connection: NativeConnection | undefined;
  try {
    const ownQueue = ownTaskQueue(options.taskQueue, folder);
    connection = await NativeConnection.connect({ address: options.address });
    const activities = createActivities({
      pool,
      worktreesDir: path.join(folder, 'worktrees'),
      ownTaskQueue: ownQueue,
    });
    const shared = await Worker.create({
      connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      workflowsPath: require.resolve('../workflows'),
      activities,
      ...WORKER_TUNING,
    });
    // Activities only: workflow tasks go to any worker, the worktree's steps to this one.
    const own = await Worker.create({
      connection,
      namespace: options.namespace,
      taskQueue: ownQueue,
      activities,
      ...WORKER_TUNING,
    });
    const workers = [shared, own];
    const shutdown = () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    };
    const conn = connection;
    // One stops (or fails): the other stops too — half a worker would take runs it cannot finish.
    const done = Promise.allSettled(workers.map((w) => w.run().finally(shutdown)))
      .then((settled) => {
        for (const s of settled) if (s.status === 'rejected') throw s.reason;
      })
      .finally(async () => {
        await conn.close().catch(() => undefined);
        await pool.end().catch(() => undefined);
      });
    return {
      taskQueue: options.taskQueue,
      ownTaskQueue: ownQueue,
      reaped,
      done,
      stop: async () => {
        shutdown();
        await done.catch(() => undefined);
      },
    };
  } catch (err) {
    await connection?.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw err;
  }
}

/** Runs a worker until SIGINT/SIGTERM, then shuts it down gracefully (`specialist worker`). */
export async function runWorker(
  options: WorkerOptions,
  log: (line: string) => void = console.log,
): Promise<void> {
  const running = await startWorker(options);
  const { groups, tempDirs } = running.reaped;
  if (groups.length + tempDirs.length > 0)
    log(
      `removed what a stopped worker left: ${groups.length} process group(s), ${tempDirs.length} temp folder(s)`,
    );
  log(
    `worker polling task queue ${options.taskQueue} and its own queue ${running.ownTaskQueue} on ${options.address} (namespace ${options.namespace}); Ctrl-C to stop`,
  );
  const onSignal = () => {
    log('stopping the worker (finishing running tasks) ...');
    void running.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await running.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
