/** The shapes the memory store returns, and the mapping from database rows to them. */
import type { MemoryType } from './memory-schemas';

/** One entry at one version. Timestamps are ISO 8601 strings (they travel as Temporal payloads). */
export interface MemoryEntry {
  namespace: string;
  key: string;
  version: number;
  value: Record<string, unknown>;
  memoryType: MemoryType;
  metadata: Record<string, unknown>;
  /** Who added the entry, and when (a re-added entry starts again). */
  createdBy: string;
  createdAt: string;
  /** Who wrote this version, and when. */
  updatedBy: string;
  updatedAt: string;
  /** The task this version was written for, when the writer said. */
  taskId: string | null;
  /** Set when the entry is deleted now (its versions stay readable). */
  deletedAt: string | null;
}

/** A write's result: the version it made, or — `replayed` — the one its idempotency key made before. */
export interface MemoryWriteResult extends MemoryEntry {
  replayed: boolean;
}

export interface MemoryDeletion {
  namespace: string;
  key: string;
  /** The last version, kept and still readable with `get({ version })` and `history`. */
  version: number;
  deletedAt: string;
  deletedBy: string;
  replayed: boolean;
}

export interface MemoryAuditRecord {
  namespace: string;
  key: string;
  action: 'add' | 'update' | 'delete';
  version: number;
  actor: string;
  taskId: string | null;
  idempotencyKey: string | null;
  at: string;
}

export interface NamespaceSummary {
  namespace: string;
  /** Entries not deleted. */
  entries: number;
  updatedAt: string;
}

export interface EntryRow {
  namespace: string;
  key: string;
  version: number;
  value: Record<string, unknown>;
  memory_type: MemoryType;
  metadata: Record<string, unknown>;
  created_by: string;
  created_at: Date;
  updated_by: string;
  updated_at: Date;
  task_id: string | null;
  deleted_at: Date | null;
}

export function toEntry(row: EntryRow): MemoryEntry {
  return {
    namespace: row.namespace,
    key: row.key,
    version: row.version,
    value: row.value,
    memoryType: row.memory_type,
    metadata: row.metadata,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedBy: row.updated_by,
    updatedAt: row.updated_at.toISOString(),
    taskId: row.task_id,
    deletedAt: row.deleted_at ? row.deleted_at.toISOString() : null,
  };
}

export interface AuditRow {
  namespace: string;
  key: string;
  action: 'add' | 'update' | 'delete';
  version: number;
  actor: string;
  task_id: string | null;
  idempotency_key: string | null;
  at: Date;
}

export function toAuditRecord(row: AuditRow): MemoryAuditRecord {
  return {
    namespace: row.namespace,
    key: row.key,
    action: row.action,
    version: row.version,
    actor: row.actor,
    taskId: row.task_id,
    idempotencyKey: row.idempotency_key,
    at: row.at.toISOString(),
  };
}
