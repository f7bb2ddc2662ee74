/** Prepares the memory database before the worker takes tasks: the numbered memory migrations. */
import type { Pool } from 'pg';
import { migrateMemoryDatabase } from '../memory/migrate';

/** Applies the memory migrations (safe with several workers starting at once: advisory lock). */
export async function prepareDatabase(pool: Pool): Promise<void> {
  await migrateMemoryDatabase(pool);
}
