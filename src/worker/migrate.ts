/**
 * Prepares the memory database before the worker takes tasks.
 *
 * LEAD: wire the memory migrations here — the single call site. When `src/memory/` exports
 * `migrateMemoryDatabase(pool)`, replace the body with `await migrateMemoryDatabase(pool);`.
 */
import type { Pool } from 'pg';

export async function prepareDatabase(pool: Pool): Promise<void> {
  // Until the memory migrations exist, only prove the database answers (fail fast, clear message).
  await pool.query('SELECT 1');
}
