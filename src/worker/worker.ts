/**
 * The worker: a `pg` pool for memory (migrations applied first), then a Temporal worker serving every
 * workflow in `src/workflows` and every activity from `createActivities`.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { redactUrl } from '../config/env';
import { prepareDatabase } from './migrate';
import { createMemoryPool } from '../memory';

export interface WorkerOptions {
  /** Temporal frontend, host:port. */
  address: string;
  namespace: string;
  taskQueue: string;
  databaseUrl: string;
}

export interface RunningWorker {
  taskQueue: string;
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
    connection = await NativeConnection.connect({ address: options.address });
    const worker = await Worker.create({
      connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      workflowsPath: require.resolve('../workflows'),
      activities: createActivities({ pool }),
    });
    const conn = connection;
    const done = worker.run().finally(async () => {
      await conn.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
    });
    return {
      taskQueue: options.taskQueue,
      done,
      stop: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
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
  log(
    `worker polling task queue ${options.taskQueue} on ${options.address} (namespace ${options.namespace}); Ctrl-C to stop`,
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
