/**
 * The memory operations as Temporal activities (`memoryAdd`, `memoryUpdate`, ...), for workflows.
 *
 * Inputs are validated with zod by the store. A `SpecialistError` (conflict, not found, invalid) becomes
 * a non-retryable `ApplicationFailure` of the same type, so workflows can read `failure.cause.type`;
 * anything else (connection lost, statement timeout) is thrown as-is for the retry policy.
 *
 * Writes carry an idempotency key so that a retried attempt — the first one committed but its reply was
 * lost — returns the version it made instead of adding another. The key is the input's `idempotencyKey`
 * when given (e.g. `${workflowId}:${phase}` to survive a workflow reset), otherwise
 * `${workflowId}:${runId}:${activityId}`: stable across retries of one scheduled activity, distinct for
 * two writes of one key by the same workflow (activity type alone would merge those) and for the runs
 * after a continue-as-new (whose activity ids start again).
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { SpecialistError, ERROR_TYPES } from '../errors';
import {
  IdempotencyKeySchema,
  MemoryStore,
  type MemoryAddInput,
  type MemoryDeleteInput,
  type MemoryDeletion,
  type MemoryEntry,
  type MemoryEntryRef,
  type MemoryGetInput,
  type MemoryNamespacesInput,
  type MemorySearchInput,
  type MemoryType,
  type MemoryUpdateInput,
  type NamespaceSummary,
} from '../memory';

export interface MemoryActivityDeps {
  /** Memory database (from `createMemoryPool`), migrations applied. */
  pool: Pool;
  /** Value size limit in bytes (default 1 MiB). */
  maxValueBytes?: number;
}

/** What a write activity returns: a small summary, not the value (payloads have size limits). */
export interface MemoryWriteSummary {
  namespace: string;
  key: string;
  version: number;
  memoryType: MemoryType;
  /** True when this attempt found the version an earlier attempt with the same idempotency key made. */
  replayed: boolean;
}

/** Temporal rejects payloads above 2 MB; stay well below with lists of entries. */
const MAX_RESULT_BYTES = 1536 * 1024;

export function createMemoryActivities(deps: MemoryActivityDeps) {
  const store = new MemoryStore(deps.pool, { maxValueBytes: deps.maxValueBytes });
  return {
    /** Adds an entry (or re-adds a deleted one); `MemoryConflict` when it exists. */
    async memoryAdd(input: MemoryAddInput): Promise<MemoryWriteSummary> {
      return asActivity(async () =>
        summary(await store.add({ ...input, idempotencyKey: idempotencyKeyFor(input) })),
      );
    },
    /** Writes a new version of an existing entry; `MemoryNotFound` when there is none. */
    async memoryUpdate(input: MemoryUpdateInput): Promise<MemoryWriteSummary> {
      return asActivity(async () =>
        summary(await store.update({ ...input, idempotencyKey: idempotencyKeyFor(input) })),
      );
    },
    /** Soft-deletes an entry; `MemoryNotFound` when there is none. */
    async memoryDelete(input: MemoryDeleteInput): Promise<MemoryDeletion> {
      return asActivity(() => store.delete({ ...input, idempotencyKey: idempotencyKeyFor(input) }));
    },
    /** The latest (or a given) version, value included. */
    async memoryGet(input: MemoryGetInput): Promise<MemoryEntry> {
      return asActivity(() => store.get(input));
    },
    /** Every version, oldest first. */
    async memoryHistory(input: MemoryEntryRef): Promise<MemoryEntry[]> {
      return asActivity(async () => fitsPayload(await store.history(input), 'memoryHistory'));
    },
    /** Latest versions under a namespace prefix, newest first. */
    async memorySearch(input: MemorySearchInput): Promise<MemoryEntry[]> {
      return asActivity(async () => fitsPayload(await store.search(input), 'memorySearch'));
    },
    /** Namespaces holding live entries, with counts. */
    async memoryListNamespaces(input: MemoryNamespacesInput): Promise<NamespaceSummary[]> {
      return asActivity(() => store.listNamespaces(input));
    },
  };
}

export type MemoryActivities = ReturnType<typeof createMemoryActivities>;

/** The input's key, or one derived from the activity's identity (hashed when it does not fit the schema). */
export function idempotencyKeyFor(input: { idempotencyKey?: string }): string | undefined {
  if (input.idempotencyKey !== undefined) return input.idempotencyKey;
  const { workflowExecution, activityId } = Context.current().info;
  // An activity started outside a workflow has no identity to derive a key from.
  if (!workflowExecution) return undefined;
  const key = `${workflowExecution.workflowId}:${workflowExecution.runId}:${activityId}`;
  return IdempotencyKeySchema.safeParse(key).success
    ? key
    : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** Runs `fn`; deterministic memory errors become non-retryable failures, the rest stay retryable. */
async function asActivity<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SpecialistError)
      throw ApplicationFailure.create({
        type: err.type,
        message: err.message,
        nonRetryable: true,
        details: [err.details],
      });
    throw err;
  }
}

function summary(entry: MemoryEntry & { replayed: boolean }): MemoryWriteSummary {
  return {
    namespace: entry.namespace,
    key: entry.key,
    version: entry.version,
    memoryType: entry.memoryType,
    replayed: entry.replayed,
  };
}

function fitsPayload<T>(result: T[], activity: string): T[] {
  const bytes = Buffer.byteLength(JSON.stringify(result), 'utf8');
  if (bytes > MAX_RESULT_BYTES)
    throw new SpecialistError(
      ERROR_TYPES.memoryInvalid,
      `${activity}: the result is ${bytes} bytes, too large for a Temporal payload (limit ${MAX_RESULT_BYTES}); ask for fewer entries (limit) or read them one by one with memoryGet`,
      { bytes, limit: MAX_RESULT_BYTES },
    );
  return result;
}
