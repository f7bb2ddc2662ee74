/**
 * The memory service: versioned JSON entries under hierarchical namespaces, in PostgreSQL.
 *
 * Every input is validated (zod) before any SQL runs, so a bad input writes nothing; every write is
 * one statement or one transaction, so a failed write writes nothing either. Errors a caller can act on
 * are `SpecialistError`s (`MemoryConflict`, `MemoryNotFound`, `MemoryInvalid`) naming the entry and what
 * was expected; anything else (connection lost, timeout) is thrown as `pg` reports it, to be retried.
 */
import type { Pool } from 'pg';
import { ERROR_TYPES, SpecialistError } from '../errors';
import {
  AddInputSchema,
  DEFAULT_MAX_VALUE_BYTES,
  DeleteInputSchema,
  EntryRefSchema,
  GetInputSchema,
  NamespacesInputSchema,
  SearchInputSchema,
  UpdateInputSchema,
  encodeJsonObject,
  parseMemoryInput,
  type MemoryAddInput,
  type MemoryDeleteInput,
  type MemoryEntryRef,
  type MemoryGetInput,
  type MemoryNamespacesInput,
  type MemorySearchInput,
  type MemoryUpdateInput,
} from './memory-schemas';
import {
  toAuditRecord,
  toEntry,
  type AuditRow,
  type EntryRow,
  type MemoryAuditRecord,
  type MemoryDeletion,
  type MemoryEntry,
  type MemoryWriteResult,
  type NamespaceSummary,
} from './memory-rows';
import * as SQL from './memory-sql';
import { inOneTransaction, PG_CODES, pgErrorCode, withTransaction } from './pool';

export interface MemoryStoreOptions {
  /** Largest value (and metadata) accepted, in bytes of UTF-8 JSON (default 1 MiB). */
  maxValueBytes?: number;
  /** Tuning: below this many matches a search sorts them all (default 2000; see SQL.SEARCH). */
  searchSortThreshold?: number;
}

const DEFAULT_SEARCH_LIMIT = 50;
/** Below this many matches a search sorts them all; from it on, it walks the newest-first index (see SQL.SEARCH). */
const SEARCH_SORT_THRESHOLD = 2000;

export class MemoryStore {
  private readonly maxValueBytes: number;
  private readonly searchSortThreshold: number;

  /** `pool` should come from `createMemoryPool` (statement timeout) with migrations applied. */
  constructor(
    private readonly pool: Pool,
    options: MemoryStoreOptions = {},
  ) {
    this.maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    this.searchSortThreshold = options.searchSortThreshold ?? SEARCH_SORT_THRESHOLD;
  }

  /**
   * Runs `fn` with a store whose writes are one transaction: all of them are kept, or (when `fn`
   * throws) none. Used where several entries belong together, e.g. a run's technical specs.
   */
  async transaction<T>(fn: (store: MemoryStore) => Promise<T>): Promise<T> {
    const options = { maxValueBytes: this.maxValueBytes, searchSortThreshold: this.searchSortThreshold };
    return inOneTransaction(this.pool, (scoped) => fn(new MemoryStore(scoped, options)));
  }

  /**
   * Adds a new entry at version 1 — or, when the key was deleted, brings it back as the next version.
   * `MemoryConflict` when the key exists and is not deleted, unless this is a replay of the same write
   * (same idempotency key), which returns the version it made.
   */
  async add(input: MemoryAddInput): Promise<MemoryWriteResult> {
    const a = parseMemoryInput(AddInputSchema, input, 'add');
    const where = `memory add ${ref(a)}`;
    const value = encodeJsonObject(a.value, 'value', where, this.maxValueBytes);
    const metadata = encodeJsonObject(a.metadata ?? {}, 'metadata', where, this.maxValueBytes);
    const params = [a.namespace, a.key, value, a.memoryType, metadata, a.createdBy, a.taskId ?? null];
    const idempotencyKey = a.idempotencyKey ?? null;
    const fresh = await this.pool.query<EntryRow>({
      name: 'memory-add',
      text: SQL.ADD_NEW,
      values: [...params, idempotencyKey],
    });
    if (fresh.rows[0]) return written(fresh.rows[0]);

    try {
      return await withTransaction(this.pool, async (client) => {
        const head = await client.query<{ id: string; latest_version: number; deleted_at: Date | null }>(
          SQL.LOCK_ENTRY,
          [a.namespace, a.key],
        );
        const entry = head.rows[0];
        if (!entry) throw new Error(`${where}: entry vanished while adding (entries are never removed)`);
        if (idempotencyKey) {
          const earlier = await client.query<EntryRow>(SQL.VERSION_BY_IDEMPOTENCY_KEY, [
            a.namespace,
            a.key,
            idempotencyKey,
          ]);
          if (earlier.rows[0]) return replayed(earlier.rows[0]);
        }
        if (entry.deleted_at === null)
          throw new SpecialistError(
            ERROR_TYPES.memoryConflict,
            `${where}: the key already exists (version ${entry.latest_version}); use update to write a new version`,
            { namespace: a.namespace, key: a.key, version: entry.latest_version },
          );
        const revived = await client.query<{ latest_version: number }>(SQL.REVIVE_ENTRY, [
          entry.id,
          a.memoryType,
          metadata,
          a.createdBy,
        ]);
        const version = revived.rows[0]?.latest_version as number;
        await client.query(SQL.INSERT_VERSION_AND_AUDIT, [
          entry.id,
          version,
          value,
          metadata,
          a.memoryType,
          a.createdBy,
          a.taskId ?? null,
          idempotencyKey,
          'add',
        ]);
        const row = await client.query<EntryRow>(SQL.GET, [a.namespace, a.key, version]);
        return written(row.rows[0] as EntryRow);
      });
    } catch (err) {
      return this.replayOnRace(err, a.namespace, a.key, idempotencyKey);
    }
  }

  /**
   * Writes a new version of an existing, not deleted entry (`MemoryNotFound` otherwise). Concurrent
   * updates of one key each get their own version; none is lost. A replay (same idempotency key)
   * returns the version the first attempt made.
   */
  async update(input: MemoryUpdateInput): Promise<MemoryWriteResult> {
    const u = parseMemoryInput(UpdateInputSchema, input, 'update');
    const where = `memory update ${ref(u)}`;
    const value = encodeJsonObject(u.value, 'value', where, this.maxValueBytes);
    const metadata = u.metadata ? encodeJsonObject(u.metadata, 'metadata', where, this.maxValueBytes) : null;
    const idempotencyKey = u.idempotencyKey ?? null;
    try {
      const result = await this.pool.query<EntryRow>({
        name: 'memory-update',
        text: SQL.UPDATE,
        values: [
          u.namespace,
          u.key,
          value,
          u.memoryType ?? null,
          metadata,
          u.updatedBy,
          u.taskId ?? null,
          idempotencyKey,
        ],
      });
      if (result.rows[0]) return written(result.rows[0]);
    } catch (err) {
      return this.replayOnRace(err, u.namespace, u.key, idempotencyKey);
    }
    if (idempotencyKey) {
      const earlier = await this.pool.query<EntryRow>(SQL.VERSION_BY_IDEMPOTENCY_KEY, [
        u.namespace,
        u.key,
        idempotencyKey,
      ]);
      if (earlier.rows[0]) return replayed(earlier.rows[0]);
    }
    throw await this.notFound(where, u.namespace, u.key);
  }

  /** The latest version of a live entry, or the given `version` (also of a deleted entry). */
  async get(input: MemoryGetInput): Promise<MemoryEntry> {
    const g = parseMemoryInput(GetInputSchema, input, 'get');
    const where = `memory get ${ref(g)}`;
    const result = await this.pool.query<EntryRow>({
      name: 'memory-get',
      text: SQL.GET,
      values: [g.namespace, g.key, g.version ?? null],
    });
    const row = result.rows[0];
    if (row && (g.version !== undefined || row.deleted_at === null)) return toEntry(row);
    if (row || g.version === undefined) throw await this.notFound(where, g.namespace, g.key);
    throw await this.notFound(where, g.namespace, g.key, g.version);
  }

  /** Every version of the entry, oldest first (deleted entries included). */
  async history(input: MemoryEntryRef): Promise<MemoryEntry[]> {
    const h = parseMemoryInput(EntryRefSchema, input, 'history');
    const result = await this.pool.query<EntryRow>(SQL.HISTORY, [h.namespace, h.key]);
    if (result.rows.length === 0) throw await this.notFound(`memory history ${ref(h)}`, h.namespace, h.key);
    return result.rows.map(toEntry);
  }

  /** Every add / update / delete of the entry, oldest first: who, when, for which task. */
  async audit(input: MemoryEntryRef): Promise<MemoryAuditRecord[]> {
    const h = parseMemoryInput(EntryRefSchema, input, 'audit');
    const result = await this.pool.query<AuditRow>(SQL.AUDIT, [h.namespace, h.key]);
    if (result.rows.length === 0) throw await this.notFound(`memory audit ${ref(h)}`, h.namespace, h.key);
    return result.rows.map(toAuditRecord);
  }

  /**
   * Soft-deletes the entry: it disappears from get / search / namespaces, its versions stay. A replay
   * (same idempotency key as the delete that happened) succeeds again; otherwise `MemoryNotFound`.
   */
  async delete(input: MemoryDeleteInput): Promise<MemoryDeletion> {
    const d = parseMemoryInput(DeleteInputSchema, input, 'delete');
    const idempotencyKey = d.idempotencyKey ?? null;
    type DeletionRow = {
      namespace: string;
      key: string;
      version: number;
      deleted_at: Date | null;
      deleted_by: string | null;
    };
    const toDeletion = (row: DeletionRow, replay: boolean): MemoryDeletion => ({
      namespace: row.namespace,
      key: row.key,
      version: row.version,
      deletedAt: (row.deleted_at as Date).toISOString(),
      deletedBy: row.deleted_by as string,
      replayed: replay,
    });
    const result = await this.pool.query<DeletionRow>(SQL.DELETE, [
      d.namespace,
      d.key,
      d.deletedBy,
      d.taskId ?? null,
      idempotencyKey,
    ]);
    if (result.rows[0]) return toDeletion(result.rows[0], false);
    const state = await this.pool.query<DeletionRow & { delete_idempotency_key: string | null }>(
      SQL.DELETION_STATE,
      [d.namespace, d.key],
    );
    const row = state.rows[0];
    if (row?.deleted_at && idempotencyKey !== null && row.delete_idempotency_key === idempotencyKey)
      return toDeletion(row, true);
    throw await this.notFound(`memory delete ${ref(d)}`, d.namespace, d.key);
  }

  /**
   * Latest versions of live entries whose namespace starts with `prefix` (literally), newest first.
   * Not named (prepared) statements, unlike get/add/update: a generic plan cannot use the prefix index.
   */
  async search(input: MemorySearchInput = {}): Promise<MemoryEntry[]> {
    const s = parseMemoryInput(SearchInputSchema, input, 'search');
    const result = await this.pool.query<EntryRow>(SQL.SEARCH, [
      SQL.likePrefix(s.prefix ?? ''),
      s.memoryType ?? null,
      s.limit ?? DEFAULT_SEARCH_LIMIT,
      this.searchSortThreshold,
    ]);
    return result.rows.map(toEntry);
  }

  /** Namespaces holding live entries (optionally under `prefix`), with their entry counts. */
  async listNamespaces(input: MemoryNamespacesInput = {}): Promise<NamespaceSummary[]> {
    const n = parseMemoryInput(NamespacesInputSchema, input, 'namespaces');
    const result = await this.pool.query<{ namespace: string; entries: number; updated_at: Date }>(
      SQL.NAMESPACES,
      [SQL.likePrefix(n.prefix ?? '')],
    );
    return result.rows.map((row) => ({
      namespace: row.namespace,
      entries: row.entries,
      updatedAt: row.updated_at.toISOString(),
    }));
  }

  /**
   * Two attempts of one idempotent write raced and the unique index stopped the second: return what
   * the first made. Any other error goes on up.
   */
  private async replayOnRace(
    err: unknown,
    namespace: string,
    key: string,
    idempotencyKey: string | null,
  ): Promise<MemoryWriteResult> {
    if (idempotencyKey === null || pgErrorCode(err) !== PG_CODES.uniqueViolation) throw err;
    const earlier = await this.pool.query<EntryRow>(SQL.VERSION_BY_IDEMPOTENCY_KEY, [
      namespace,
      key,
      idempotencyKey,
    ]);
    if (!earlier.rows[0]) throw err;
    return replayed(earlier.rows[0]);
  }

  private async notFound(where: string, namespace: string, key: string, version?: number) {
    const state = await this.pool.query<{ latest_version: number; deleted_at: Date | null }>(
      SQL.ENTRY_STATE,
      [namespace, key],
    );
    const entry = state.rows[0];
    const why = !entry
      ? 'no such entry'
      : version !== undefined
        ? `no version ${version} (the entry has versions 1 to ${entry.latest_version})`
        : entry.deleted_at
          ? `the entry was deleted at ${entry.deleted_at.toISOString()} (its versions stay readable with --version / history; add it again to reuse the key)`
          : 'no such entry';
    return new SpecialistError(ERROR_TYPES.memoryNotFound, `${where}: ${why}`, { namespace, key, version });
  }
}

function ref(input: { namespace: string; key: string }): string {
  return `${input.namespace}/${input.key}`;
}

function written(row: EntryRow): MemoryWriteResult {
  return { ...toEntry(row), replayed: false };
}

function replayed(row: EntryRow): MemoryWriteResult {
  return { ...toEntry(row), replayed: true };
}
