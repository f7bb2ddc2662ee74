/**
 * Migration tests of one new column. (1) Opening the same database file twice — which runs the
 * migrations twice — leaves exactly one column. (2) A database with the schema from before the change
 * (the current schema with the new column dropped — the same table the old code created — holding a
 * row the project's own code wrote) gains the column when opened, and the old row reads back with
 * the default / NULL.
 */
import type { FieldAnchors } from '../analysis/anchor-map';
import type { FieldCases } from './field-cases';
import { buildStatements } from './project-wiring';
import { testDef, type TestFile } from './test-file';
import { serviceCreate } from './round-trip-steps';

const COLUMNS = (q: string) => `def _columns(path: Path, table: str) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [row[1] for row in conn.execute(f${q}PRAGMA table_info({table})${q})]`;

const DROP_COLUMN = (
  q: string,
  q3: string,
  versionGated: boolean,
) => `def _drop_column(path: Path, table: str, column: str) -> None:
    ${q3}Give the table the shape it had before the column was added (indexes on it go too).${q3}
    with closing(sqlite3.connect(path)) as conn:${
      versionGated
        ? `
        # The migrations skip a database stamped with the current PRAGMA user_version: an older
        # database carries the version before this step.
        (version,) = conn.execute(${q}PRAGMA user_version${q}).fetchone()
        if version > 0:
            conn.execute(f${q}PRAGMA user_version = {version - 1}${q})`
        : ''
    }
        indexes = conn.execute(
            ${q}SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL${q},
            (table,),
        ).fetchall()
        for name, sql in indexes:
            if column in sql:
                conn.execute(f${q}DROP INDEX {name}${q})
        conn.execute(f${q}ALTER TABLE {table} DROP COLUMN {column}${q})
        conn.commit()`;

export function emitMigrationTests(file: TestFile, opts: { change: FieldAnchors; cases: FieldCases }): void {
  const { change, cases } = opts;
  const w = file.wiring;
  const field = change.field;
  const table = file.str(change.table);
  const column = file.str(field);
  // The SQL in the helpers uses single quotes inside; a double-quoted Python string is the safe one.
  file.imports.module('sqlite3').name('contextlib', 'closing').name('pathlib', 'Path');
  file.helper(COLUMNS(file.q));
  file.helper(DROP_COLUMN('"', file.q.repeat(3), change.migrations.versionGated ?? false));

  const open = (pathVar: string) => w.db.open('database', pathVar);
  const close = () => w.db.close('database');
  const again = w.migrationsFunction
    ? (() => {
        file.imports.name(w.migrationsFunction.module, w.migrationsFunction.name);
        return [`${w.migrationsFunction.async ? 'await ' : ''}${w.migrationsFunction.name}(database)`];
      })()
    : [];

  file.test(
    testDef(file, {
      name: `test_migrations_when_run_twice_keep_one_${field}_column`,
      params: ['tmp_path: Path'],
      async: true,
      body: [
        `path = tmp_path / ${file.str('migrated.db')}`,
        'for _ in range(2):',
        ...[...open('path'), ...again, ...close()].map((l) => `    ${l}`),
        `assert _columns(path, ${table}).count(${column}) == 1`,
      ],
    }),
  );

  let built: ReturnType<typeof buildStatements>;
  try {
    built = buildStatements(w, w.service.key, { [w.db.typeKey]: 'database' }, file.imports);
  } catch (err) {
    // A fixture the spec names serves the integration tests; this test opens its own files.
    if (w.specFixtures.length === 0) throw err;
    file.note(
      `${change.model}.${change.field}: no migration test of old rows: it builds the service on a database file of its own, and ${(err as Error).message.replace(/^test generation: /, '')}`,
    );
    return;
  }
  const getterVar = built.vars[w.getter.ownerKey];
  const serviceVar = built.vars[w.service.key]!;
  file.imports.merge(w.service.needs);
  // Created without the field (a service receiving the model gets one built without it).
  const { lines: created, id: idExpr } = serviceCreate(w, field, cases, serviceVar, 'default');
  if (w.service.receives) file.imports.name(w.model.module, w.model.name).merge(w.model.needs);
  const expectation = cases.defaultCheck ? [`assert ${cases.defaultCheck.assertion(`stored.${field}`)}`] : [];
  const words = cases.defaultCheck
    ? cases.defaultCheck.words === 'default'
      ? 'read_back_with_the_default'
      : `read_back_as_${cases.defaultCheck.words}`
    : 'read_back';
  if (!getterVar) return;
  file.test(
    testDef(file, {
      name: `test_migrations_when_database_predates_${field}_add_it_and_old_rows_${words}`,
      params: ['tmp_path: Path'],
      async: true,
      body: [
        `path = tmp_path / ${file.str('old.db')}`,
        ...open('path'),
        ...built.lines,
        ...created,
        ...close(),
        `_drop_column(path, ${table}, ${column})`,
        `assert ${column} not in _columns(path, ${table})`,
        '',
        ...open('path'),
        'try:',
        ...[
          `assert _columns(path, ${table}).count(${column}) == 1`,
          ...built.lines,
          `stored = await ${getterVar}.${w.getter.method}(${idExpr})`,
          ...(w.getter.nullable ? ['assert stored is not None'] : []),
          ...expectation,
        ].map((l) => `    ${l}`),
        'finally:',
        ...(close().length > 0 ? close() : ['pass']).map((l) => `    ${l}`),
      ],
    }),
  );
}
