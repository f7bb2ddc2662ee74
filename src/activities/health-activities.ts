/** `checkHealth`: proves the worker reaches PostgreSQL and reports versions (doctor --live, stack tests). */
import os from 'node:os';
import type { Pool } from 'pg';

export interface HealthReport {
  /** `SELECT version()` of the memory database. */
  postgres: string;
  database: string;
  node: string;
  temporalSdk: string;
  workerHost: string;
  /** Round trip of the query, in milliseconds. */
  queryMs: number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const SDK_VERSION = (require('@temporalio/worker/package.json') as { version: string }).version;

export function createHealthActivities(deps: { pool: Pool }) {
  return {
    async checkHealth(): Promise<HealthReport> {
      const started = Date.now();
      const { rows } = await deps.pool.query<{ version: string; database: string }>(
        'SELECT version() AS version, current_database() AS database',
      );
      const row = rows[0];
      if (!row) throw new Error('PostgreSQL returned no row for SELECT version()');
      return {
        postgres: row.version,
        database: row.database,
        node: process.version,
        temporalSdk: SDK_VERSION,
        workerHost: os.hostname(),
        queryMs: Date.now() - started,
      };
    },
  };
}
