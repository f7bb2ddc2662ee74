/**
 * The table of a model: the CREATE TABLE strings of the project, the one the spec names or the one
 * named after the model or whose columns match its fields; SQLAlchemy tables are refused by name.
 */
import type { FieldChange } from '../spec/feature-spec';
import type { SyntaxNode } from '../python-syntax/parse';
import { enclosingFunction, findAll, rangeOf, stringValue } from '../python-syntax/parse';
import { parseCreateTable } from '../codemods/sql';
import type { CreateTableAnchor, MigrationsAnchor } from './anchor-map';
import { notFound, specInvalid } from './anchor-errors';
import { refuseOrmTable, type OrmTable } from './persistence-kind';
import type { PyFile, WorkspaceIndex } from './workspace-index';

/** `TaskRun` → `task_run`. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export interface TableSite {
  file: PyFile;
  node: SyntaxNode;
  table: string;
  columns: string[];
  types: string[];
}

export function createTableSites(index: WorkspaceIndex): TableSite[] {
  const out: TableSite[] = [];
  for (const file of index.files.filter((f) => !f.isTest)) {
    for (const str of findAll(file.tree.rootNode, 'string')) {
      const m = /CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?["`[]?(\w+)/i.exec(stringValue(str) ?? '');
      if (!m) continue;
      const parsed = parseCreateTable(str.text, m[1]!);
      if (parsed) out.push({ file, node: str, table: m[1]!, columns: parsed.names, types: parsed.types });
    }
  }
  return out;
}

export function inferTable(
  sites: TableSite[],
  change: FieldChange,
  fields: string[],
  i: number,
  orm: OrmTable[],
): { table: string; why: string } {
  const tables = [...new Set(sites.map((s) => s.table))];
  if (change.table) {
    if (!tables.includes(change.table)) {
      refuseOrmTable(orm, change, i, [], tables);
      specInvalid(
        `data_models.changes[${i}].table`,
        `unknown table "${change.table}" (no CREATE TABLE for it; tables found: ${tables.join(', ') || 'none'})`,
        { candidates: tables },
      );
    }
    return { table: change.table, why: 'given' };
  }
  const snake = snakeCase(change.model);
  const names = [`${snake}s`, snake, `${snake}es`, snake.replace(/y$/, 'ies')];
  const byName = tables.filter((t) => names.includes(t.toLowerCase()));
  if (byName.length === 1) return { table: byName[0]!, why: `named after ${change.model}` };
  const overlap = tables
    .map((t) => ({
      t,
      n: sites.find((s) => s.table === t)!.columns.filter((c) => fields.includes(c)).length,
    }))
    .sort((a, b) => b.n - a.n);
  if (
    overlap[0] &&
    overlap[0].n >= Math.max(2, Math.ceil(fields.length / 2)) &&
    overlap[0].n !== overlap[1]?.n
  ) {
    return { table: overlap[0].t, why: `its columns match ${overlap[0].n} fields of ${change.model}` };
  }
  refuseOrmTable(orm, change, i, names, tables);
  // Only names that exist in the code: the guesses above (`bookmarkes`) are not shown as if they were.
  return notFound(
    `the table of ${change.model}`,
    `CREATE TABLE statements for a table named after ${change.model} or whose columns match its fields`,
    tables,
    tables.length > 0
      ? { settle: `set data_models.changes[${i}].table to the one that stores ${change.model}` }
      : {
          seen: [`no CREATE TABLE string in any non-test file`],
          settle: `no spec key settles this: the tool adds the column to a CREATE TABLE string of the project`,
        },
  );
}

/**
 * Refuses a field whose name a column of its table already has in another case: SQLite compares
 * column names case-insensitively, so `summary` would be `Summary` again (ADD COLUMN fails with
 * "duplicate column name"), while Python reads rows by exact key.
 */
export function checkColumnCase(
  tableSites: TableSite[],
  migrations: MigrationsAnchor,
  table: string,
  change: FieldChange,
  i: number,
): void {
  const seen = [
    ...tableSites.map((s) => ({
      columns: s.columns,
      where: `CREATE TABLE at ${s.file.path}:${s.node.startPosition.row + 1}`,
    })),
    {
      columns: migrations.columnCheck?.existingColumns ?? [],
      where: `${migrations.method}() in ${migrations.file}`,
    },
  ];
  for (const { columns, where: at } of seen) {
    const other = columns.find((c) => c !== change.field && c.toLowerCase() === change.field.toLowerCase());
    if (!other) continue;
    specInvalid(
      `data_models.changes[${i}].field`,
      `table ${table} already has a column "${other}" (${at}); SQLite column names are case-insensitive, so "${change.field}" would be that same column under another name — rename the column, or choose a field name that is not a column of ${table}`,
      { column: other, table },
    );
  }
}

/** The anchors of the CREATE TABLE strings of `table`. */
export function createTableAnchors(tableSites: TableSite[], table: string): CreateTableAnchor[] {
  return tableSites.map((s) => {
    const fn = enclosingFunction(s.node);
    return {
      file: s.file.path,
      module: s.file.module,
      function: fn?.fn.childForFieldName('name')?.text ?? '<module>',
      className: fn?.className,
      range: rangeOf(s.node),
      table,
      columns: s.columns,
    };
  });
}
