-- Memory: one head row per (namespace, key), every version of its value, and an audit trail of every
-- add / update / delete. Versions and audit rows are never updated or removed; delete is soft.

CREATE TABLE memory_entries (
  id             bigserial   PRIMARY KEY,
  namespace      text        NOT NULL,
  key            text        NOT NULL,
  -- The latest version's type and metadata, kept on the head so that an update reads them from the row
  -- it locks (a concurrent update may have committed a version this statement's snapshot cannot see).
  memory_type    text        NOT NULL CHECK (memory_type IN ('semantic', 'episodic', 'procedural')),
  metadata       jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
  latest_version integer     NOT NULL CHECK (latest_version >= 1),
  created_by     text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_by     text        NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  deleted_at     timestamptz,
  deleted_by     text,
  CONSTRAINT memory_entries_namespace_key UNIQUE (namespace, key)
);

-- Search by namespace prefix (LIKE 'prefix%' whatever the database collation) and newest first.
CREATE INDEX memory_entries_namespace_prefix ON memory_entries (namespace text_pattern_ops)
  WHERE deleted_at IS NULL;
CREATE INDEX memory_entries_newest ON memory_entries (updated_at DESC, id DESC)
  WHERE deleted_at IS NULL;

CREATE TABLE memory_versions (
  entry_id        bigint      NOT NULL REFERENCES memory_entries (id),
  version         integer     NOT NULL CHECK (version >= 1),
  value           jsonb       NOT NULL CHECK (jsonb_typeof(value) = 'object'),
  metadata        jsonb       NOT NULL CHECK (jsonb_typeof(metadata) = 'object'),
  memory_type     text        NOT NULL CHECK (memory_type IN ('semantic', 'episodic', 'procedural')),
  created_by      text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  task_id         text,
  idempotency_key text,
  PRIMARY KEY (entry_id, version)
);

-- A write repeated with its idempotency key (a retried activity) finds the version it made the first time.
CREATE UNIQUE INDEX memory_versions_idempotency ON memory_versions (entry_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

CREATE TABLE memory_audit (
  id              bigserial   PRIMARY KEY,
  entry_id        bigint      NOT NULL REFERENCES memory_entries (id),
  namespace       text        NOT NULL,
  key             text        NOT NULL,
  action          text        NOT NULL CHECK (action IN ('add', 'update', 'delete')),
  version         integer     NOT NULL,
  actor           text        NOT NULL,
  task_id         text,
  idempotency_key text,
  at              timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX memory_audit_entry ON memory_audit (entry_id, id);
