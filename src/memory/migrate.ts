/**
 * Versioned SQL migrations (`migrations/NNN_name.sql` in the package root), applied on start-up.
 *
 * Safe when several workers start at once: a session-level advisory lock serialises the runners, each
 * migration runs in its own transaction together with the row that records it, and a migration already
 * recorded is skipped. A recorded migration whose file has changed since is an error, not a silent skip.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { PROJECT_ROOT } from '../python/interpreter';
import { withClient } from './pool';

export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');

/** Arbitrary constant shared by every process of this tool (advisory lock keys are global per database). */
const MIGRATION_LOCK_KEY = 7_319_004_211;
/** How long a start-up may wait for the lock plus run one migration statement. */
const MIGRATION_TIMEOUT_MS = 5 * 60_000;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** The migrations found in `dir`, in version order. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = /^(\d+)_([a-z0-9_]+)\.sql$/.exec(file);
      if (!match)
        throw new Error(`migration file ${path.join(dir, file)} must be named NNN_snake_case_name.sql`);
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number(match[1]),
        name: match[2] as string,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1]?.version === m.version)
      throw new Error(`two migrations in ${dir} have version ${m.version}`);
  });
  return migrations;
}

/** Applies the migrations not yet recorded; returns the names of those it applied. */
export async function migrateMemoryDatabase(
  pool: Pool,
  migrations: Migration[] = loadMigrations(),
): Promise<string[]> {
  return withClient(pool, async (client) => {
    // The pool's statement timeout is for queries; waiting for another process's migrations and
    // running a migration may take longer. Restored by RESET before the connection goes back.
    await client.query(`SELECT set_config('statement_timeout', $1, false)`, [String(MIGRATION_TIMEOUT_MS)]);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS specialist_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        checksum   text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM specialist_migrations',
      );
      const done = new Map(rows.map((row) => [row.version, row]));
      const applied: string[] = [];
      for (const migration of migrations) {
        const recorded = done.get(migration.version);
        if (recorded) {
          if (recorded.checksum !== migration.checksum)
            throw new Error(
              `migration ${migration.version}_${migration.name} was applied with different contents; ` +
                'add a new migration instead of editing an applied one',
            );
          continue;
        }
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(
            'INSERT INTO specialist_migrations (version, name, checksum) VALUES ($1, $2, $3)',
            [migration.version, migration.name, migration.checksum],
          );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(
            `migration ${migration.version}_${migration.name} failed: ${(err as Error).message}`,
            { cause: err },
          );
        }
        applied.push(`${migration.version}_${migration.name}`);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      await client.query('RESET statement_timeout');
    }
  });
}
