/** The memory service: store, schemas, migrations and pool helpers. */
export { MemoryStore, type MemoryStoreOptions } from './memory-store';
export * from './memory-schemas';
export type {
  MemoryAuditRecord,
  MemoryDeletion,
  MemoryEntry,
  MemoryWriteResult,
  NamespaceSummary,
} from './memory-rows';
export { migrateMemoryDatabase, loadMigrations, MIGRATIONS_DIR, type Migration } from './migrate';
export { createMemoryPool, withClient, withTransaction, type MemoryPoolOptions } from './pool';
