/**
 * The checks of phases 1–5 fail closed, with real Python on copies of the samples: each check fails on
 * a purposely wrong edit, and fails — never passes — when it cannot run (no interpreter, a model that
 * does not import, a database class that takes no path, a base database that cannot hold a row). A
 * failed check undoes the phase's edits and throws `CheckFailed` with the check's output.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/analysis/analyze-workspace';
import type { AnchorMap } from '../../src/analysis/anchor-map';
import { SpecialistError } from '../../src/errors';
import { applyEditPhase } from '../../src/phases/edit-phases';
import { migrationProbe } from '../../src/phases/migration-probe';
import { modelProbe } from '../../src/phases/model-probe';
import { resolvePython } from '../../src/python/interpreter';
import { parseFeatureSpec, type FeatureSpec } from '../../src/spec/feature-spec';

const REPO = path.resolve(__dirname, '..', '..');
const MODELS = 'src/taskqueue/domain/models.py';
const DATABASE = 'src/taskqueue/infrastructure/database.py';
const MISSING_PYTHON = '/nonexistent/bin/python3';
const python = resolvePython(REPO);

const specOf = (change: Record<string, unknown>): FeatureSpec =>
  parseFeatureSpec({ feature: 'probe', data_models: { changes: [change] } }, 'probe');
const summary = specOf({
  model: 'Task',
  field: 'summary',
  type: 'str',
  nullable: true,
  default: null,
  constraints: { max_length: 200 },
});
const timeout = specOf({ model: 'Task', field: 'timeout_seconds', type: 'int', default: 3600 });

let dir: string;
const file = (rel: string) => path.join(dir, rel);
const read = (rel: string) => readFileSync(file(rel), 'utf8');
/** Replaces `from` (which must be there) in a file of the copy. */
function edit(rel: string, from: string, to: string): void {
  const text = read(rel);
  if (!text.includes(from)) throw new Error(`${rel} does not contain ${from}`);
  writeFileSync(file(rel), text.replace(from, to));
}
function copySample(name: string): void {
  cpSync(path.join(REPO, 'examples', name), dir, {
    recursive: true,
    filter: (src) => !/(__pycache__|\.pytest_cache|\.mypy_cache)$/.test(src),
  });
}
async function checkFailed(run: Promise<unknown>): Promise<SpecialistError> {
  const error = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(SpecialistError);
  expect((error as SpecialistError).type).toBe('CheckFailed');
  return error as SpecialistError;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-checks-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the model check (phase 1)', () => {
  let map: AnchorMap;
  beforeEach(async () => {
    copySample('taskqueue');
    map = await analyzeWorkspace(dir, summary);
  });
  const field = '    session_id: str | None = Field(default=None, max_length=128)\n';

  test('fails when the edit lets an invalid value through', async () => {
    edit(MODELS, field, `${field}    summary: str | None = None\n`);
    const checks = await modelProbe(python, dir, map, 0, summary.data_models.changes[0]!);
    expect(checks.find((c) => c.name.endsWith('with an invalid value'))).toMatchObject({
      passed: false,
      detail: expect.stringContaining('was accepted'),
    });
  });

  test('fails when the field is not on the model', async () => {
    const checks = await modelProbe(python, dir, map, 0, summary.data_models.changes[0]!);
    expect(checks[0]).toEqual({
      name: 'Task has field summary',
      passed: false,
      detail: 'Task.model_fields has no summary',
    });
  });

  test('fails when the model does not import, naming the error', async () => {
    edit(MODELS, 'from pydantic import', 'raise RuntimeError("broken on import")\nfrom pydantic import');
    const checks = await modelProbe(python, dir, map, 0, summary.data_models.changes[0]!);
    expect(checks).toEqual([
      {
        name: 'import Task from taskqueue.domain.models',
        passed: false,
        detail: 'could not import taskqueue.domain.models: RuntimeError: broken on import',
      },
    ]);
  });

  test('fails when the model is a dataclass, not a Pydantic model', async () => {
    edit(MODELS, 'class Task(BaseModel):', '@__import__("dataclasses").dataclass\nclass Task:');
    edit(
      MODELS,
      '    model_config = ConfigDict(\n        use_enum_values=False,\n        validate_assignment=True,\n    )\n',
      '',
    );
    const checks = await modelProbe(python, dir, map, 0, summary.data_models.changes[0]!);
    expect(checks[0]).toMatchObject({
      passed: false,
      detail: 'taskqueue.domain.models.Task is a dataclass, not a Pydantic model',
    });
  });

  test('fails when the interpreter cannot run', async () => {
    const checks = await modelProbe(MISSING_PYTHON, dir, map, 0, summary.data_models.changes[0]!);
    expect(checks).toEqual([
      expect.objectContaining({
        passed: false,
        detail: expect.stringContaining(`could not run ${MISSING_PYTHON}`),
      }),
    ]);
  });

  test('imports the worktree even when another copy of the package comes first on PYTHONPATH', async () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'specialist-installed-'));
    const saved = process.env.PYTHONPATH;
    try {
      cpSync(path.join(REPO, 'examples', 'taskqueue', 'src'), other, { recursive: true });
      process.env.PYTHONPATH = other;
      edit(MODELS, field, `${field}    summary: str | None = Field(default=None, max_length=200)\n`);
      const checks = await modelProbe(python, dir, map, 0, summary.data_models.changes[0]!);
      expect(checks.map((c) => c.passed)).toEqual([true, true, true]);
    } finally {
      if (saved === undefined) delete process.env.PYTHONPATH;
      else process.env.PYTHONPATH = saved;
      rmSync(other, { recursive: true, force: true });
    }
  });

  test('through the phase: a field named like its type (which would break the model) is refused before anything is written', async () => {
    // The spec schema refuses it first; the analysis refuses it again for specs that reach the
    // phase another way (an older memory version), so the model is never broken.
    const change = {
      ...summary.data_models.changes[0]!,
      field: 'datetime',
      type: 'datetime',
      constraints: {},
    };
    const spec: FeatureSpec = { ...summary, data_models: { changes: [change] } };
    const before = read(MODELS);
    const error = await applyEditPhase(dir, spec, 'domain_model').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SpecialistError);
    expect((error as SpecialistError).type).toBe('SpecInvalid');
    expect((error as SpecialistError).message).toMatch(/"datetime" is also the name of its own type/);
    expect(read(MODELS)).toBe(before);
  });
});

describe('the migration checks (phase 2), through the project own database code', () => {
  const createColumn = '                session_id TEXT\n            )';
  const block = (definition: string, guarded = true) =>
    [
      '        cursor = await conn.execute("PRAGMA table_info(tasks)")',
      '        names = [row[1] for row in await cursor.fetchall()]',
      `        if ${guarded ? `"${definition.split(' ')[0]}" not in names` : 'True'}:`,
      `            await conn.execute("ALTER TABLE tasks ADD COLUMN ${definition}")`,
      '',
    ].join('\n');
  const migrationsBody = '        # Migration: add max_retries column to tasks\n';
  let map: AnchorMap;
  let originals: Map<string, string>;
  beforeEach(async () => {
    copySample('taskqueue');
    map = await analyzeWorkspace(dir, summary);
    originals = new Map([[DATABASE, read(DATABASE)]]);
  });
  const probe = (py = python, spec = summary) =>
    migrationProbe(py, dir, map, 0, spec.data_models.changes[0]!, originals);

  test('pass on a right edit, with what they ran', async () => {
    edit(
      DATABASE,
      createColumn,
      '                session_id TEXT,\n                summary TEXT\n            )',
    );
    edit(DATABASE, migrationsBody, block('summary TEXT') + migrationsBody);
    const [fresh, old] = await probe();
    expect(fresh).toMatchObject({ passed: true });
    expect(old).toMatchObject({ passed: true });
    expect(old!.detail).toBe(
      "made by the base code's Database(db_path=<temp file>).initialize() then .close(), opened twice by Database(db_path=<temp file>).initialize() then .close(): summary exists once, the old row reads null",
    );
  });

  test('the fresh check fails when the migration runs before the table exists', async () => {
    edit(
      DATABASE,
      createColumn,
      '                session_id TEXT,\n                summary TEXT\n            )',
    );
    // The shape of projects that migrate before creating the tables: the new block runs on a database
    // that has no table yet.
    edit(
      DATABASE,
      '        await self._create_tables(self._conn)\n        await self._run_migrations(self._conn)\n',
      '        await self._run_migrations(self._conn)\n        await self._create_tables(self._conn)\n',
    );
    edit(DATABASE, migrationsBody, block('summary TEXT') + '        return\n' + migrationsBody);
    const [fresh] = await probe();
    expect(fresh).toMatchObject({ passed: false });
    expect(fresh!.detail).toMatch(
      /could not open a new database: OperationalError: no such table: tasks \(at .*database\.py:\d+\)/,
    );
  });

  test('the old check fails when only CREATE TABLE gains the column', async () => {
    edit(
      DATABASE,
      createColumn,
      '                session_id TEXT,\n                summary TEXT\n            )',
    );
    const [fresh, old] = await probe();
    expect(fresh).toMatchObject({ passed: true });
    expect(old).toMatchObject({
      passed: false,
      detail: expect.stringContaining('tasks has no column summary (its columns: id, description,'),
    });
  });

  test('the old check fails when the migration gives another definition', async () => {
    edit(
      DATABASE,
      createColumn,
      '                session_id TEXT,\n                summary TEXT\n            )',
    );
    edit(DATABASE, migrationsBody, block('summary INTEGER') + migrationsBody);
    const [, old] = await probe();
    expect(old).toMatchObject({
      passed: false,
      detail: expect.stringContaining("tasks.summary is 'summary INTEGER', the spec says 'summary TEXT'"),
    });
  });

  test('both fail when the migration is not safe to run twice', async () => {
    edit(
      DATABASE,
      createColumn,
      '                session_id TEXT,\n                summary TEXT\n            )',
    );
    edit(DATABASE, migrationsBody, block('summary TEXT', false) + migrationsBody);
    const [fresh, old] = await probe();
    expect(fresh).toMatchObject({
      passed: false,
      detail: expect.stringContaining('duplicate column name: summary'),
    });
    expect(old).toMatchObject({
      passed: false,
      detail: expect.stringContaining('duplicate column name: summary'),
    });
  });

  test('the old check fails when the old row does not read back the default', async () => {
    map = await analyzeWorkspace(dir, timeout);
    const definition = 'timeout_seconds INTEGER NOT NULL DEFAULT 3600';
    edit(
      DATABASE,
      createColumn,
      `                session_id TEXT,\n                ${definition}\n            )`,
    );
    edit(
      DATABASE,
      migrationsBody,
      block(definition) +
        '            await conn.execute("UPDATE tasks SET timeout_seconds = 60")\n' +
        migrationsBody,
    );
    const [fresh, old] = await probe(python, timeout);
    expect(fresh).toMatchObject({ passed: true });
    expect(old).toMatchObject({
      passed: false,
      detail: expect.stringContaining(
        'the old row reads back timeout_seconds = 60, expected the default 3600',
      ),
    });
  });

  test('both fail when the interpreter cannot run', async () => {
    const checks = await probe(MISSING_PYTHON);
    expect(checks).toHaveLength(2);
    for (const check of checks)
      expect(check).toMatchObject({
        passed: false,
        detail: expect.stringContaining(`could not run ${MISSING_PYTHON}`),
      });
  });

  test('both fail when the database class takes no path: no database is opened anywhere else', async () => {
    edit(
      DATABASE,
      'def __init__(self, db_path: Path) -> None:',
      'def __init__(self) -> None:\n        db_path = Path("never.db")',
    );
    originals.set(DATABASE, read(DATABASE));
    const checks = await probe();
    for (const check of checks)
      expect(check).toMatchObject({
        passed: false,
        detail: expect.stringContaining(
          'cannot give Database a temporary database: its constructor takes no path parameter',
        ),
      });
  });

  test('the old check fails when no row can be put into the base database', async () => {
    edit(
      DATABASE,
      '                description TEXT NOT NULL,',
      "                description TEXT NOT NULL CHECK (description LIKE 'task:%'),",
    );
    originals.set(DATABASE, read(DATABASE));
    edit(
      DATABASE,
      createColumn,
      '                session_id TEXT,\n                summary TEXT\n            )',
    );
    edit(DATABASE, migrationsBody, block('summary TEXT') + migrationsBody);
    const [fresh, old] = await probe();
    expect(fresh).toMatchObject({ passed: true });
    expect(old).toMatchObject({
      passed: false,
      detail: expect.stringContaining('could not put a row into tasks'),
    });
    expect(old!.detail).toContain('CHECK constraint failed');
  });

  test('a path parameter with a default under HOME gets the temp file: nothing is written under HOME', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'specialist-home-'));
    const saved = process.env.HOME;
    try {
      process.env.HOME = home;
      edit(
        DATABASE,
        'def __init__(self, db_path: Path) -> None:',
        'def __init__(self, db_path: Path = Path.home() / ".taskqueue" / "tasks.db") -> None:\n        Path(db_path).parent.mkdir(parents=True, exist_ok=True)',
      );
      originals.set(DATABASE, read(DATABASE));
      edit(
        DATABASE,
        createColumn,
        '                session_id TEXT,\n                summary TEXT\n            )',
      );
      edit(DATABASE, migrationsBody, block('summary TEXT') + migrationsBody);
      const checks = await probe();
      expect(checks.map((c) => c.passed)).toEqual([true, true]);
      expect(readdirSync(home)).toEqual([]);
    } finally {
      process.env.HOME = saved;
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('through the phase: a failed check restores the files and throws with its output', async () => {
    edit(
      DATABASE,
      'def __init__(self, db_path: Path) -> None:',
      'def __init__(self) -> None:\n        db_path = Path("never.db")',
    );
    const before = read(DATABASE);
    const error = await checkFailed(applyEditPhase(dir, summary, 'database_migration'));
    expect(error.message).toContain('database_migration: 2 check(s) failed');
    expect(error.message).toContain('- fresh database: tasks.summary');
    expect(error.message).toContain('its constructor takes no path parameter');
    expect(read(DATABASE)).toBe(before);
  });
});

describe('the migration checks on a synchronous sqlite3 store whose migrations live in a mixin', () => {
  const MIXIN = 'src/taskqueue/infrastructure/sync_migrations.py';
  const STORE = 'src/taskqueue/infrastructure/sync_store.py';
  const mixin = (withSummary: boolean) =>
    [
      'import sqlite3',
      '',
      '',
      'class SyncMigrations:',
      '    def _run_migrations(self, conn: sqlite3.Connection) -> None:',
      '        names = [row[1] for row in conn.execute("PRAGMA table_info(tasks)")]',
      '        if "priority" not in names:',
      '            conn.execute("ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 5")',
      ...(withSummary
        ? [
            '        if "summary" not in names:',
            '            conn.execute("ALTER TABLE tasks ADD COLUMN summary TEXT")',
          ]
        : []),
      '        conn.commit()',
      '',
    ].join('\n');
  const TASKS = 'id TEXT PRIMARY KEY, description TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 5';
  const store = (withSummary: boolean, columns = TASKS, options = '') =>
    [
      'import sqlite3',
      'from pathlib import Path',
      '',
      'from taskqueue.infrastructure.sync_migrations import SyncMigrations',
      '',
      '',
      'class SyncStore(SyncMigrations):',
      '    def __init__(self, path: Path = Path.home() / ".taskqueue" / "sync.db") -> None:',
      '        self.path = path',
      '        self.conn: sqlite3.Connection | None = None',
      '',
      '    def open(self) -> None:',
      '        Path(self.path).parent.mkdir(parents=True, exist_ok=True)',
      '        self.conn = sqlite3.connect(self.path)',
      `        self.conn.execute("CREATE TABLE IF NOT EXISTS tasks (${columns}${withSummary ? ', summary TEXT' : ''})${options}")`,
      '        self._run_migrations(self.conn)',
      '',
      '    def close(self) -> None:',
      '        if self.conn is not None:',
      '            self.conn.close()',
      '',
    ].join('\n');

  test('open the subclass with a temp path (not the default under HOME) and catch a missing step', async () => {
    copySample('taskqueue');
    const map = await analyzeWorkspace(dir, summary);
    map.changes[0]!.migrations = {
      ...map.changes[0]!.migrations,
      file: MIXIN,
      module: 'taskqueue.infrastructure.sync_migrations',
      className: 'SyncMigrations',
    };
    const originals = new Map([
      [MIXIN, mixin(false)],
      [STORE, store(false)],
    ]);
    const home = mkdtempSync(path.join(os.tmpdir(), 'specialist-home-'));
    const saved = process.env.HOME;
    try {
      process.env.HOME = home;
      writeFileSync(file(MIXIN), mixin(true));
      writeFileSync(file(STORE), store(true));
      const right = await migrationProbe(python, dir, map, 0, summary.data_models.changes[0]!, originals);
      expect(right.map((c) => [c.passed, c.detail])).toEqual([
        [true, 'SyncStore(path=<temp file>).open() then .close(): tasks.summary is summary TEXT'],
        [
          true,
          "made by the base code's SyncStore(path=<temp file>).open() then .close(), opened twice by SyncStore(path=<temp file>).open() then .close(): summary exists once, the old row reads null",
        ],
      ]);
      // The wrong edit: CREATE TABLE gains the column, the mixin's migration does not.
      writeFileSync(file(MIXIN), mixin(false));
      const [fresh, old] = await migrationProbe(
        python,
        dir,
        map,
        0,
        summary.data_models.changes[0]!,
        originals,
      );
      expect(fresh).toMatchObject({ passed: true });
      expect(old).toMatchObject({
        passed: false,
        detail: expect.stringContaining('tasks has no column summary (its columns: id, description,'),
      });
      expect(readdirSync(home)).toEqual([]);
    } finally {
      process.env.HOME = saved;
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('put a row into a STRICT, WITHOUT ROWID table whose columns need typed values', async () => {
    copySample('taskqueue');
    const map = await analyzeWorkspace(dir, summary);
    map.changes[0]!.migrations = {
      ...map.changes[0]!.migrations,
      file: MIXIN,
      module: 'taskqueue.infrastructure.sync_migrations',
      className: 'SyncMigrations',
    };
    const columns =
      'id TEXT PRIMARY KEY, description TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 5, ' +
      'updated_at INTEGER NOT NULL, weight REAL NOT NULL, payload BLOB NOT NULL, created_at TEXT NOT NULL';
    const originals = new Map([
      [MIXIN, mixin(false)],
      [STORE, store(false, columns, ' STRICT, WITHOUT ROWID')],
    ]);
    writeFileSync(file(MIXIN), mixin(true));
    writeFileSync(file(STORE), store(true, columns, ' STRICT, WITHOUT ROWID'));
    const checks = await migrationProbe(python, dir, map, 0, summary.data_models.changes[0]!, originals);
    expect(checks.map((c) => [c.passed, c.detail])).toEqual([
      [true, expect.stringContaining('tasks.summary is summary TEXT')],
      [true, expect.stringContaining('summary exists once, the old row reads null')],
    ]);
  });
});

describe('the migration checks on a module-level connect(path) factory (bookshelf)', () => {
  test('pass through the phase, and fail closed when the factory cannot be found', async () => {
    copySample('bookshelf');
    const spec = specOf({ model: 'Book', field: 'page_count', type: 'int', nullable: true, default: null });
    await applyEditPhase(dir, spec, 'domain_model');
    const result = await applyEditPhase(dir, spec, 'database_migration');
    const [fresh, old] = result.checks.filter((c) => /^(fresh|old) database/.test(c.name));
    expect(fresh).toMatchObject({
      passed: true,
      detail: 'connect(<temp file>) then .close(): books.page_count is page_count INTEGER',
    });
    expect(old).toMatchObject({ passed: true });

    // A factory the checks cannot call (it needs two arguments): failed, not skipped.
    const schema = 'src/bookshelf/persistence/schema.py';
    const text = readFileSync(path.join(dir, schema), 'utf8');
    writeFileSync(
      path.join(dir, schema),
      text.replace('async def connect(path: str)', 'async def connect(path: str, mode: str)'),
    );
    const map = await analyzeWorkspace(dir, spec);
    const checks = await migrationProbe(python, dir, map, 0, spec.data_models.changes[0]!, new Map());
    for (const check of checks)
      expect(check).toMatchObject({
        passed: false,
        detail: expect.stringContaining(
          'no function of bookshelf.persistence.schema opens a database on a path',
        ),
      });
  });
});

describe('py_compile (phases 1–5)', () => {
  test('fails closed when the interpreter cannot run: the phase throws CheckFailed and writes nothing', async () => {
    copySample('taskqueue');
    const spec = { ...summary, architecture: { ...summary.architecture, python: MISSING_PYTHON } };
    const before = read(MODELS);
    const error = await checkFailed(applyEditPhase(dir, spec, 'domain_model'));
    expect(error.message).toContain(`- py_compile: could not run ${MISSING_PYTHON}`);
    expect(read(MODELS)).toBe(before);
  });

  test('fails on an edited file Python does not compile: CompileFailed, files restored', async () => {
    copySample('taskqueue');
    // Valid to the syntax tree, refused by the compiler: the edited file as a whole must compile.
    edit(MODELS, 'class Task(BaseModel):', 'nonlocal _utcnow\n\n\nclass Task(BaseModel):');
    const before = read(MODELS);
    const error = await applyEditPhase(dir, summary, 'domain_model').catch((err: unknown) => err);
    expect((error as SpecialistError).type).toBe('CompileFailed');
    expect((error as SpecialistError).message).toMatch(/models\.py:\d+ SyntaxError: .*nonlocal declaration/);
    expect(read(MODELS)).toBe(before);
  });
});
