/**
 * The SQL of the memory store, one statement per operation, parameterised only. The common writes are
 * single statements (data-modifying CTEs), so they are atomic without a transaction and cost one round
 * trip; the rarer paths (re-adding a deleted key, replaying an idempotent write) run in a transaction.
 * The hot statements (add, update, get) are named by the store, so each connection plans them once.
 */

/** Columns of an entry at one version: `e` is memory_entries, `v` is memory_versions. */
const ENTRY_COLUMNS = `e.namespace, e.key, v.version, v.value, v.memory_type, v.metadata, e.created_by,
  e.created_at, v.created_by AS updated_by, v.created_at AS updated_at, v.task_id, e.deleted_at`;

/** $1 namespace, $2 key, $3 value, $4 memory_type, $5 metadata, $6 actor, $7 task_id, $8 idempotency_key */
export const ADD_NEW = `
WITH e AS (
  INSERT INTO memory_entries (namespace, key, memory_type, metadata, latest_version, created_by, updated_by)
  VALUES ($1, $2, $4, $5::jsonb, 1, $6, $6)
  ON CONFLICT (namespace, key) DO NOTHING
  RETURNING *
), v AS (
  INSERT INTO memory_versions (entry_id, version, value, metadata, memory_type, created_by, task_id, idempotency_key)
  SELECT e.id, 1, $3::jsonb, e.metadata, e.memory_type, $6, $7, $8 FROM e
  RETURNING *
), a AS (
  INSERT INTO memory_audit (entry_id, namespace, key, action, version, actor, task_id, idempotency_key)
  SELECT e.id, e.namespace, e.key, 'add', 1, $6, $7, $8 FROM e
)
SELECT ${ENTRY_COLUMNS} FROM e JOIN v ON v.entry_id = e.id`;

/** $1 namespace, $2 key — inside a transaction, before deciding between conflict, replay and re-add. */
export const LOCK_ENTRY = `
SELECT id, latest_version, deleted_at FROM memory_entries WHERE namespace = $1 AND key = $2 FOR UPDATE`;

/** $1 entry id, $2 memory_type, $3 metadata, $4 actor — a deleted entry comes back to life. */
export const REVIVE_ENTRY = `
UPDATE memory_entries
   SET latest_version = latest_version + 1, memory_type = $2, metadata = $3::jsonb, created_by = $4,
       created_at = now(), updated_by = $4, updated_at = now(), deleted_at = NULL, deleted_by = NULL
 WHERE id = $1
RETURNING latest_version`;

/** $1 entry id, $2 version, $3 value, $4 metadata, $5 memory_type, $6 actor, $7 task_id, $8 idempotency_key, $9 action */
export const INSERT_VERSION_AND_AUDIT = `
WITH v AS (
  INSERT INTO memory_versions (entry_id, version, value, metadata, memory_type, created_by, task_id, idempotency_key)
  VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7, $8)
  RETURNING entry_id
)
INSERT INTO memory_audit (entry_id, namespace, key, action, version, actor, task_id, idempotency_key)
SELECT e.id, e.namespace, e.key, $9, $2, $6, $7, $8 FROM memory_entries e JOIN v ON v.entry_id = e.id`;

/**
 * $1 namespace, $2 key, $3 value, $4 memory_type (null: keep), $5 metadata (null: keep), $6 actor,
 * $7 task_id, $8 idempotency_key.
 *
 * The UPDATE locks the head row, so concurrent updates of one key queue up and each takes the next
 * version number from the row as the previous one committed it. The idempotency check here is only a
 * shortcut: two racing replays are stopped by the unique index on (entry_id, idempotency_key).
 */
export const UPDATE = `
WITH e AS (
  UPDATE memory_entries h
     SET latest_version = h.latest_version + 1, memory_type = COALESCE($4, h.memory_type),
         metadata = COALESCE($5::jsonb, h.metadata), updated_by = $6, updated_at = now()
   WHERE h.namespace = $1 AND h.key = $2 AND h.deleted_at IS NULL
     AND ($8::text IS NULL OR NOT EXISTS (
       SELECT 1 FROM memory_versions p WHERE p.entry_id = h.id AND p.idempotency_key = $8))
  RETURNING h.*
), v AS (
  INSERT INTO memory_versions (entry_id, version, value, metadata, memory_type, created_by, task_id, idempotency_key)
  SELECT e.id, e.latest_version, $3::jsonb, e.metadata, e.memory_type, $6, $7, $8 FROM e
  RETURNING *
), a AS (
  INSERT INTO memory_audit (entry_id, namespace, key, action, version, actor, task_id, idempotency_key)
  SELECT e.id, e.namespace, e.key, 'update', e.latest_version, $6, $7, $8 FROM e
)
SELECT ${ENTRY_COLUMNS} FROM e JOIN v ON v.entry_id = e.id`;

/** $1 namespace, $2 key, $3 idempotency_key — the version an earlier write with this key made. */
export const VERSION_BY_IDEMPOTENCY_KEY = `
SELECT ${ENTRY_COLUMNS}
  FROM memory_entries e JOIN memory_versions v ON v.entry_id = e.id
 WHERE e.namespace = $1 AND e.key = $2 AND v.idempotency_key = $3`;

/** $1 namespace, $2 key, $3 actor, $4 task_id, $5 idempotency_key */
export const DELETE = `
WITH e AS (
  UPDATE memory_entries SET deleted_at = now(), deleted_by = $3
   WHERE namespace = $1 AND key = $2 AND deleted_at IS NULL
  RETURNING id, namespace, key, latest_version, deleted_at, deleted_by
), a AS (
  INSERT INTO memory_audit (entry_id, namespace, key, action, version, actor, task_id, idempotency_key)
  SELECT e.id, e.namespace, e.key, 'delete', e.latest_version, $3, $4, $5 FROM e
)
SELECT namespace, key, latest_version AS version, deleted_at, deleted_by FROM e`;

/** $1 namespace, $2 key — why a delete found nothing: missing, or deleted (and by which write). */
export const DELETION_STATE = `
SELECT e.namespace, e.key, e.latest_version AS version, e.deleted_at, e.deleted_by,
       (SELECT a.idempotency_key FROM memory_audit a
         WHERE a.entry_id = e.id AND a.action = 'delete' ORDER BY a.id DESC LIMIT 1) AS delete_idempotency_key
  FROM memory_entries e WHERE e.namespace = $1 AND e.key = $2`;

/** $1 namespace, $2 key, $3 version (null: latest). Returns the row even when deleted; the caller decides. */
export const GET = `
SELECT ${ENTRY_COLUMNS}
  FROM memory_entries e JOIN memory_versions v ON v.entry_id = e.id AND v.version = COALESCE($3, e.latest_version)
 WHERE e.namespace = $1 AND e.key = $2`;

/** $1 namespace, $2 key */
export const ENTRY_STATE = `
SELECT latest_version, deleted_at FROM memory_entries WHERE namespace = $1 AND key = $2`;

/** $1 namespace, $2 key — every version, oldest first. */
export const HISTORY = `
SELECT ${ENTRY_COLUMNS}
  FROM memory_entries e JOIN memory_versions v ON v.entry_id = e.id
 WHERE e.namespace = $1 AND e.key = $2
 ORDER BY v.version`;

/** $1 namespace, $2 key — every add/update/delete, oldest first. */
export const AUDIT = `
SELECT a.namespace, a.key, a.action, a.version, a.actor, a.task_id, a.idempotency_key, a.at
  FROM memory_audit a JOIN memory_entries e ON e.id = a.entry_id
 WHERE e.namespace = $1 AND e.key = $2
 ORDER BY a.id`;

const SEARCH_MATCH = `deleted_at IS NULL AND namespace LIKE $1 AND ($2::text IS NULL OR memory_type = $2)`;

/**
 * $1 LIKE pattern (escaped prefix + %), $2 memory_type (null: any), $3 limit, $4 threshold — newest first.
 *
 * Two plans are good and the planner cannot tell which applies from a prefix (its estimate for
 * `task:abc:%` can be off by 100×): when few entries match, read them through the prefix index and sort
 * them; when many match, walk the newest-first index until `limit` match. Walking the newest-first index
 * for a prefix with few, old entries reads the whole table (seen: 100 ms at 100k entries). So the
 * statement first counts matches up to `$4` (a bounded index scan), and each branch of the UNION runs
 * only when its one-time filter on that count holds; the MATERIALIZED fence keeps the prefix-index plan.
 * Only the `limit` picked entries are joined to their versions.
 */
export const SEARCH = `
WITH counted AS MATERIALIZED (
  SELECT count(*)::int AS matches FROM (SELECT 1 FROM memory_entries WHERE ${SEARCH_MATCH} LIMIT $4) m
), matched AS MATERIALIZED (
  SELECT * FROM memory_entries WHERE ${SEARCH_MATCH}
), picked AS (
  (SELECT * FROM matched WHERE (SELECT matches FROM counted) < $4
    ORDER BY updated_at DESC, id DESC LIMIT $3)
  UNION ALL
  (SELECT * FROM memory_entries WHERE ${SEARCH_MATCH} AND (SELECT matches FROM counted) >= $4
    ORDER BY updated_at DESC, id DESC LIMIT $3)
)
SELECT ${ENTRY_COLUMNS}
  FROM picked e JOIN memory_versions v ON v.entry_id = e.id AND v.version = e.latest_version
 ORDER BY e.updated_at DESC, e.id DESC`;

/** $1 LIKE pattern (escaped prefix + %) */
export const NAMESPACES = `
SELECT namespace, count(*)::int AS entries, max(updated_at) AS updated_at
  FROM memory_entries
 WHERE deleted_at IS NULL AND namespace LIKE $1
 GROUP BY namespace
 ORDER BY namespace`;

/** A LIKE pattern matching strings that start with `prefix` taken literally (default escape is `\`). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
