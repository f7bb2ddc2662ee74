/**
 * The Temporal dev server (`temporal server start-dev`): history in a SQLite file so runs survive a
 * restart, the project's search attributes registered, the Web UI beside it. Returns once the
 * frontend answers gRPC health checks.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from './search-attributes';
import { spawnSupervised } from './supervised-process';

export interface TemporalDevServerOptions {
  /** Path of the Temporal CLI (see `findTemporalCli`). */
  cli: string;
  /** SQLite file for history; its folder is created. */
  dbFile: string;
  port: number;
  uiPort: number;
  /** Interface to bind (default 127.0.0.1: the dev server skips security checks). */
  ip?: string;
  namespace?: string;
  /** Give up waiting for the frontend after this long (default 60 s). */
  startTimeoutMs?: number;
  onLog?: (line: string) => void;
}

export interface RunningTemporalDevServer {
  address: string;
  uiUrl: string;
  namespace: string;
  /** The supervising process (stopping it stops the server). */
  pid: number;
  /** Resolves when the server process has exited, for whatever reason. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** The `temporal server start-dev` arguments (exported for tests and `doctor`). */
export function devServerArgs(options: TemporalDevServerOptions): string[] {
  const namespace = options.namespace ?? 'default';
  return [
    'server',
    'start-dev',
    '--ip',
    options.ip ?? '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--db-filename',
    options.dbFile,
    '--log-level',
    'warn',
    '--ui-disable-news-fetch',
    ...(namespace === 'default' ? [] : ['--namespace', namespace]),
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
  ];
}

/** True when a Temporal frontend answers a gRPC health check at `address` within `timeoutMs`. */
export async function temporalAnswers(address: string, timeoutMs = 2000): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    const conn = connection;
    const response = await conn.withDeadline(Date.now() + timeoutMs, () => conn.healthService.check({}));
    // 1 = SERVING in grpc.health.v1.
    return response.status === 1;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the dev server and waits until its frontend is serving; stops it again on failure. */
export async function startTemporalDevServer(
  options: TemporalDevServerOptions,
): Promise<RunningTemporalDevServer> {
  mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const ip = options.ip ?? '127.0.0.1';
  const address = `${ip}:${options.port}`;
  const proc = spawnSupervised(options.cli, devServerArgs(options));
  const log: string[] = [];
  for (const stream of [proc.child.stdout, proc.child.stderr]) {
    if (!stream) continue;
    readline.createInterface({ input: stream }).on('line', (line) => {
      log.push(line);
      if (log.length > 40) log.shift();
      options.onLog?.(line);
    });
  }
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (!(await temporalAnswers(address, 1000))) {
    if (exitCode !== undefined || Date.now() > deadline) {
      await proc.stop();
      const why = exitCode !== undefined ? `exited with code ${exitCode}` : 'did not answer in time';
      throw new Error(
        `the Temporal dev server ${why} (${options.cli} ${devServerArgs(options).join(' ')}):\n${log.slice(-15).join('\n')}`,
      );
    }
    await sleep(300);
  }
  return {
    address,
    uiUrl: `http://${ip}:${options.uiPort}`,
    namespace: options.namespace ?? 'default',
    pid: proc.pid,
    exited: proc.exited,
    stop: () => proc.stop(),
  };
}
