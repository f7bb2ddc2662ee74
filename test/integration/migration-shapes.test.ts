/**
 * The migration fixtures of test/fixtures/codemods/add-column-migration, run by Python on real SQLite:
 * a database made by the input code (the base code: it also stamps its PRAGMA user_version) holding a
 * row gains the new column exactly once when the output code migrates it twice, and keeps the row.
 * Guarded shapes also migrate an empty database (the migrations run before the tables exist).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolvePython } from '../../src/python/interpreter';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'codemods', 'add-column-migration');

/** Runs the migration function of a fixture file on a database file, however it takes its connection. */
const HARNESS = `
import asyncio, importlib.util, inspect, sqlite3, sys
import aiosqlite

source, db, name, cls_name, setup = sys.argv[1:6]
spec = importlib.util.spec_from_file_location("fixture", source)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
if setup:
    with sqlite3.connect(db) as con:
        con.executescript(setup)
owner = getattr(module, cls_name).__new__(getattr(module, cls_name)) if cls_name else None
fn = getattr(owner, name) if owner is not None else getattr(module, name)
takes_conn = len(inspect.signature(fn).parameters) > 0

async def run_async():
    conn = await aiosqlite.connect(db)
    conn.row_factory = aiosqlite.Row
    try:
        if takes_conn:
            await fn(conn)
        else:
            owner.conn = conn
            await fn()
    finally:
        await conn.close()

if inspect.iscoroutinefunction(fn):
    asyncio.run(run_async())
else:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        fn(conn)
    finally:
        conn.close()
`;

interface Case {
  fixture: string;
  table: string;
  /** The old table with one row (what the base code's CREATE TABLE made). */
  setup: string;
  /** Whether the output must also migrate a database whose tables do not exist yet. */
  emptyDatabase?: boolean;
}

const CASES: Case[] = [
  {
    fixture: 'guarded-blocks-before-create',
    table: 'bookmarks',
    setup:
      "CREATE TABLE bookmarks (id TEXT PRIMARY KEY, tags TEXT, created_at TEXT); INSERT INTO bookmarks (id) VALUES ('b1');",
    emptyDatabase: true,
  },
  {
    fixture: 'reference-block-beside-guarded-blocks',
    table: 'folders',
    setup: "CREATE TABLE folders (id TEXT PRIMARY KEY); INSERT INTO folders VALUES ('f1');",
    emptyDatabase: true,
  },
  {
    fixture: 'user-version-gate-constant',
    table: 'tasks',
    setup:
      "CREATE TABLE tasks (id TEXT PRIMARY KEY, max_retries INTEGER NOT NULL DEFAULT 3); INSERT INTO tasks (id) VALUES ('t1');",
  },
  {
    fixture: 'user-version-class-constant',
    table: 'tasks',
    setup:
      "CREATE TABLE tasks (id TEXT PRIMARY KEY, max_retries INTEGER NOT NULL DEFAULT 3); INSERT INTO tasks (id) VALUES ('t1');",
  },
  {
    fixture: 'user-version-gate-literal',
    table: 'notes',
    setup:
      "CREATE TABLE notes (id TEXT PRIMARY KEY, pinned INTEGER NOT NULL DEFAULT 0); INSERT INTO notes (id) VALUES ('n1');",
  },
  {
    fixture: 'sync-sqlite3-reference-block',
    table: 'tasks',
    setup:
      "CREATE TABLE tasks (id TEXT PRIMARY KEY); CREATE TABLE agents (id TEXT PRIMARY KEY); INSERT INTO tasks (id) VALUES ('t1');",
  },
  // Migrations kept in a collection a loop applies: the new entry is applied by the project's loop.
  {
    fixture: 'sync-sqlite3-tuple-loop-gets-an-entry',
    table: 'tasks',
    setup:
      "CREATE TABLE tasks (id TEXT PRIMARY KEY, max_retries INTEGER, parent_task_id TEXT); INSERT INTO tasks (id) VALUES ('t1');",
  },
  {
    fixture: 'list-dict-applied-by-loop',
    table: 'bookmarks',
    setup: "CREATE TABLE bookmarks (id TEXT PRIMARY KEY); INSERT INTO bookmarks (id) VALUES ('b1');",
  },
  {
    fixture: 'list-of-tuples-module-constant',
    table: 'tasks',
    setup:
      "CREATE TABLE tasks (id TEXT PRIMARY KEY); CREATE TABLE projects (id TEXT PRIMARY KEY); INSERT INTO tasks (id) VALUES ('t1');",
  },
  // A migration function created for a project that had none, filled with the reference block.
  {
    fixture: 'created-function-gets-reference-block',
    table: 'bookmarks',
    setup:
      "CREATE TABLE bookmarks (id TEXT PRIMARY KEY, url TEXT); INSERT INTO bookmarks (id) VALUES ('b1');",
  },
  {
    fixture: 'concatenated-alter-template',
    table: 'tasks',
    setup:
      "CREATE TABLE tasks (id TEXT PRIMARY KEY, max_retries INTEGER NOT NULL DEFAULT 3); INSERT INTO tasks (id) VALUES ('t1');",
  },
  {
    fixture: 'multiline-alter-template',
    table: 'tasks',
    setup:
      "CREATE TABLE tasks (id TEXT PRIMARY KEY, max_retries INTEGER NOT NULL DEFAULT 3); INSERT INTO tasks (id) VALUES ('t1');",
  },
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-migration-shapes-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function migrate(fixture: string, version: 'input' | 'output', db: string, setup = ''): void {
  const params = JSON.parse(readFileSync(path.join(FIXTURES, `${fixture}.params.json`), 'utf8')) as {
    method?: string;
  };
  const source = path.join(FIXTURES, `${fixture}.${version}.py`);
  const cls = /^class (\w+)/m.exec(readFileSync(source, 'utf8'))?.[1] ?? '';
  const run = spawnSync(
    resolvePython(dir),
    ['-c', HARNESS, source, db, params.method ?? '_run_migrations', cls, setup],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (run.status !== 0) throw new Error(`${fixture}.${version}.py failed on ${db}:\n${run.stderr}`);
}

function columns(db: string, table: string): { names: string[]; rows: number } {
  const run = spawnSync(
    resolvePython(dir),
    [
      '-c',
      'import json, sqlite3, sys\ncon = sqlite3.connect(sys.argv[1])\nprint(json.dumps({"names": [r[1] for r in con.execute(f"PRAGMA table_info({sys.argv[2]})")], "rows": con.execute(f"SELECT count(*) FROM {sys.argv[2]}").fetchone()[0]}))',
      db,
      table,
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as { names: string[]; rows: number };
}

test.each(CASES.map((c) => [c.fixture, c] as const))(
  '%s: an old database gains the column once and keeps its row',
  (_name, c) => {
    const params = JSON.parse(readFileSync(path.join(FIXTURES, `${c.fixture}.params.json`), 'utf8')) as {
      field: string;
    };
    const db = path.join(dir, `${c.fixture}.db`);
    migrate(c.fixture, 'input', db, c.setup);
    expect(columns(db, c.table).names).not.toContain(params.field);
    migrate(c.fixture, 'output', db);
    migrate(c.fixture, 'output', db);
    const after = columns(db, c.table);
    expect(after.names.filter((n) => n === params.field)).toHaveLength(1);
    expect(after.rows).toBe(1);
    if (c.emptyDatabase)
      expect(() => migrate(c.fixture, 'output', path.join(dir, `${c.fixture}-empty.db`))).not.toThrow();
  },
);
