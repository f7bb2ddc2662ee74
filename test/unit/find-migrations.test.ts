/**
 * The migration function is found by its shape (PRAGMA table_info + ADD COLUMN, in its strings or in
 * the collection its loop applies), whatever it is called; the architecture.database hint chooses
 * among several; a project without any gets an anchor that says where one is created.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findMigrations } from '../../src/analysis/find-migrations';
import { indexWorkspace } from '../../src/analysis/workspace-index';
import { findAll, stringValue } from '../../src/python-syntax/parse';
import { SpecialistError } from '../../src/errors';
import { parseFeatureSpec } from '../../src/spec/feature-spec';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function find(files: Record<string, string>, table: string, architecture: Record<string, string> = {}) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'specialist-find-migrations-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text.trimStart());
  }
  const index = indexWorkspace(root);
  const sites = index.files.flatMap((file) =>
    findAll(file.tree.rootNode, 'string')
      .filter((s) =>
        new RegExp(`CREATE\\s+TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?${table}\\b`, 'i').test(
          stringValue(s) ?? '',
        ),
      )
      .map((node) => ({ file, node })),
  );
  const spec = parseFeatureSpec({
    feature: 'x',
    architecture,
    data_models: { changes: [{ model: 'Bookmark', field: 'note', type: 'str', nullable: true }] },
  });
  return findMigrations(index, spec, table, sites);
}

const CREATE = `
import sqlite3


class Store:
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path)
        self._create_tables()

    def _create_tables(self) -> None:
        self.conn.execute("CREATE TABLE IF NOT EXISTS bookmarks (id TEXT PRIMARY KEY)")
`;

const shaped = (name: string, table: string) => `
import sqlite3


def ${name}(conn: sqlite3.Connection) -> None:
    names = [r[1] for r in conn.execute("PRAGMA table_info(${table})")]
    if "tags" not in names:
        conn.execute("ALTER TABLE ${table} ADD COLUMN tags TEXT")
`;

test('a method of any name that reads PRAGMA table_info and adds columns is the migration function', () => {
  const found = find(
    {
      'src/app/__init__.py': '',
      'src/app/db.py': `${CREATE}
    def ensure_schema(self) -> None:
        names = [r[1] for r in self.conn.execute("PRAGMA table_info(bookmarks)")]
        if "tags" not in names:
            self.conn.execute("ALTER TABLE bookmarks ADD COLUMN tags TEXT")
`,
    },
    'bookmarks',
  );
  expect(found).toMatchObject({ className: 'Store', method: 'ensure_schema', connectionVar: 'self.conn' });
  expect(found.create).toBeUndefined();
});

test('a module function applying a list of migrations is found, with the columns it lists', () => {
  const found = find(
    {
      'src/app/__init__.py': '',
      'src/app/schema.py': `
import sqlite3

MIGRATIONS = [("bookmarks", "tags", "TEXT"), ("bookmarks", "Summary", "TEXT")]


def upgrade(conn: sqlite3.Connection) -> None:
    for table, column, ddl in MIGRATIONS:
        names = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        if column not in names:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}")
`,
    },
    'bookmarks',
  );
  expect(found).toMatchObject({ method: 'upgrade', file: 'src/app/schema.py' });
  expect(found.className).toBeUndefined();
  expect(found.columnCheck?.existingColumns).toEqual(['tags', 'Summary']);
});

test('several migration functions are ambiguous until the architecture.database hint names one', () => {
  const files = {
    'src/app/__init__.py': '',
    'src/app/a.py': shaped('migrate_a', 'bookmarks'),
    'src/app/b.py': shaped('migrate_b', 'bookmarks'),
  };
  let err: unknown;
  try {
    find(files, 'bookmarks');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SpecialistError);
  expect((err as SpecialistError).message).toMatch(/migrate_a.*migrate_b.*architecture\.database/);
  expect(find(files, 'bookmarks', { database: 'src/app/b.py' }).method).toBe('migrate_b');
});

test('among several, the one for the table is chosen', () => {
  const found = find(
    {
      'src/app/__init__.py': '',
      'src/app/a.py': shaped('migrate_tags', 'tags'),
      'src/app/b.py': shaped('migrate_bookmarks', 'bookmarks'),
    },
    'bookmarks',
  );
  expect(found.method).toBe('migrate_bookmarks');
});

test('a project without migration code gets one created beside the CREATE TABLE', () => {
  const found = find({ 'src/app/__init__.py': '', 'src/app/db.py': CREATE }, 'bookmarks');
  expect(found).toMatchObject({
    className: 'Store',
    method: '_run_migrations',
    connectionVar: 'self.conn',
    create: { after: '_create_tables' },
  });
});

test('a function named like a migration but of another shape is named, never doubled', () => {
  expect(() =>
    find(
      {
        'src/app/__init__.py': '',
        'src/app/db.py': `${CREATE}
    def migrate_legacy(self) -> None:
        self.conn.execute("UPDATE bookmarks SET id = lower(id)")
`,
      },
      'bookmarks',
    ),
  ).toThrow(/Store\.migrate_legacy .*does not read PRAGMA table_info/);
});
