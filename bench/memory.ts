/**
 * `npm run bench -- memory [--ops N] [--entries N] [--concurrency N]`: the memory store against the
 * same operation done with one bare `pg` query on a plain table, in the same run on the same server.
 *
 * - add: N adds (versioned entry + version row + audit row) vs one INSERT into a plain table
 *   (id, namespace, key, value, memory_type, created_at).
 * - get: N gets of the latest version vs one SELECT * by (namespace, key).
 * - search: N namespace-prefix searches (limit 20, newest first) over `entries` entries vs the same
 *   LIKE query (SELECT *, newest first) on the plain table.
 *
 * Prints one JSON object. PostgreSQL: an embedded server in a temp folder (stopped at the end), or
 * BENCH_DATABASE_URL — a throwaway database: the bench creates tables in it.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { MemoryStore, createMemoryPool, migrateMemoryDatabase } from '../src/memory';
import { startEmbeddedPostgres } from '../src/stack/embedded-postgres';
import { compare, type Comparison } from './memory-measure';

interface Options {
  ops: number;
  entries: number;
  concurrency: number;
}

function parseOptions(args: string[]): Options {
  const options: Options = { ops: 10_000, entries: 100_000, concurrency: 4 };
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]?.replace(/^--/, '') as keyof Options;
    const value = Number(args[i + 1]);
    if (!(name in options) || !Number.isInteger(value) || value < 1)
      throw new Error(
        `usage: npm run bench -- memory [--ops N] [--entries N] [--concurrency N] (got ${args.join(' ')})`,
      );
    options[name] = value;
  }
  return options;
}

const VALUE = {
  feature: 'Summary field',
  files_modified: ['src/taskqueue/domain/models.py', 'src/taskqueue/infrastructure/database.py'],
  test_coverage: 95.2,
  backward_compatible: true,
};
const NAMESPACES = 1000;
const SEARCH_LIMIT = 20;

export async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const started = performance.now();
  const server = await startServer();
  const pool = createMemoryPool({ connectionString: server.url, max: options.concurrency + 1 });
  try {
    await migrateMemoryDatabase(pool);
    await createBareTable(pool);
    const store = new MemoryStore(pool);
    const value = JSON.stringify(VALUE);
    const ns = (i: number) => `bench:add:${i % NAMESPACES}:specs`;

    const add = await compare(
      options.ops,
      options.concurrency,
      (i) =>
        store.add({
          namespace: ns(i),
          key: `k${i}`,
          value: VALUE,
          memoryType: 'semantic',
          createdBy: 'bench',
        }),
      (i) =>
        pool.query(
          'INSERT INTO bench_bare (namespace, key, value, memory_type) VALUES ($1, $2, $3::jsonb, $4)',
          [ns(i), `k${i}`, value, 'semantic'],
        ),
    );

    const pick = (i: number) => (i * 7919) % options.ops; // a spread of keys, same for both sides
    const get = await compare(
      options.ops,
      options.concurrency,
      (i) => store.get({ namespace: ns(pick(i)), key: `k${pick(i)}` }),
      (i) =>
        pool.query('SELECT * FROM bench_bare WHERE namespace = $1 AND key = $2', [
          ns(pick(i)),
          `k${pick(i)}`,
        ]),
    );

    await seed(pool, Math.max(0, options.entries - options.ops));
    const prefix = (i: number) => `bench:${i % 2 === 0 ? 'add' : 'seed'}:${pick(i) % NAMESPACES}:`;
    const search = await compare(
      options.ops,
      options.concurrency,
      (i) => store.search({ prefix: prefix(i), limit: SEARCH_LIMIT }),
      (i) =>
        pool.query(
          `SELECT * FROM bench_bare WHERE namespace LIKE $1 ORDER BY created_at DESC, id DESC LIMIT ${SEARCH_LIMIT}`,
          [`${prefix(i)}%`],
        ),
    );

    const { rows } = await pool.query<{ version: string; entries: number }>(
      'SELECT version() AS version, (SELECT count(*)::int FROM memory_entries) AS entries',
    );
    const results: Record<string, Comparison> = { add, get, search };
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'memory',
          postgres: rows[0]?.version.split(' ').slice(0, 2).join(' '),
          node: process.version,
          cpus: os.cpus().length,
          concurrency: options.concurrency,
          operationsPerMeasurement: options.ops,
          entriesDuringSearch: rows[0]?.entries,
          searchLimit: SEARCH_LIMIT,
          ratioMeaning:
            'store ÷ bare pg for p50/p99 latency, bare pg ÷ store for throughput (1 = as fast as a bare query)',
          results,
          totalSeconds: Math.round((performance.now() - started) / 100) / 10,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await pool.end();
    await server.stop();
  }
}

/** The plain table the bare queries use: what a memory without versions, audit or validation would be. */
async function createBareTable(pool: Pool): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS bench_bare;
    CREATE TABLE bench_bare (
      id bigserial PRIMARY KEY, namespace text NOT NULL, key text NOT NULL, value jsonb NOT NULL,
      memory_type text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (namespace, key));
    CREATE INDEX bench_bare_namespace_prefix ON bench_bare (namespace text_pattern_ops);`);
}

/** `count` more entries in both the store's tables and the plain one, written in bulk. */
async function seed(pool: Pool, count: number): Promise<void> {
  await pool.query(
    `WITH e AS (
       INSERT INTO memory_entries (namespace, key, memory_type, metadata, latest_version, created_by, updated_by, created_at, updated_at)
       SELECT 'bench:seed:' || (i % ${NAMESPACES}) || ':specs', 's' || i, 'semantic', '{}', 1, 'bench', 'bench',
              now() - make_interval(secs => i), now() - make_interval(secs => i)
         FROM generate_series(1, $1::int) AS i
       RETURNING id)
     INSERT INTO memory_versions (entry_id, version, value, metadata, memory_type, created_by, created_at)
     SELECT id, 1, $2::jsonb, '{}', 'semantic', 'bench', now() FROM e`,
    [count, JSON.stringify(VALUE)],
  );
  await pool.query(
    `INSERT INTO bench_bare (namespace, key, value, memory_type, created_at)
     SELECT 'bench:seed:' || (i % ${NAMESPACES}) || ':specs', 's' || i, $2::jsonb, 'semantic', now() - make_interval(secs => i)
       FROM generate_series(1, $1::int) AS i`,
    [count, JSON.stringify(VALUE)],
  );
  await pool.query('ANALYZE');
}

async function startServer(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, stop: async () => {} };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'memory-bench-'));
  chmodSync(dir, 0o755); // as root, initdb runs as `postgres`, which must enter the folder
  const running = await startEmbeddedPostgres({
    dir: path.join(dir, 'data'),
    port: await freePort(),
    database: 'bench',
  });
  return {
    url: running.url,
    stop: async () => {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
