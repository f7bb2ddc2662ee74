/**
 * Finds the migration function of a table, by its shape rather than its name: a function or method
 * whose body reads `PRAGMA table_info` and adds columns (`ADD COLUMN`, in its own strings or in the
 * collection of migrations its loop applies) — `_run_migrations`, `migrate`, `ensure_schema`, module
 * level or in a class. The spec's `architecture.migrations` (or `architecture.database`) hint chooses among several. A project with
 * no migration code at all gets an anchor that says where to create one: beside the function that
 * executes the table's CREATE TABLE, called right after it (phase 2 creates it).
 */
import { SpecialistError } from '../errors';
import type { FeatureSpec } from '../spec/feature-spec';
import type { SyntaxNode } from '../python-syntax/parse';
import { enclosingFunction, findAll, rangeOf, stringValue } from '../python-syntax/parse';
import { connectionVariable, migrationChecks } from '../codemods/add-column-migration';
import { listForTable, listedColumns, migrationLists } from '../codemods/migration-list';
import type { MigrationsAnchor } from './anchor-map';
import { where } from './anchor-errors';
import type { FunctionInfo, PyFile, WorkspaceIndex } from './workspace-index';

/** The name a created migration function gets. */
export const CREATED_MIGRATION = '_run_migrations';

const label = (f: FunctionInfo) => `${f.className ? `${f.className}.` : ''}${f.name} (${where(f)})`;

/** Whether a function's body has the shape of a migration function (see the module comment). */
export function isMigrationShaped(fn: SyntaxNode, root: SyntaxNode): boolean {
  const strings = findAll(fn, 'string').map((s) => s.text);
  if (!strings.some((s) => /table_info/i.test(s))) return false;
  return strings.some((s) => /ADD\s+COLUMN/i.test(s)) || migrationLists(fn, root).length > 0;
}

function mentionsTable(fn: SyntaxNode, root: SyntaxNode, table: string): boolean {
  const re = new RegExp(`(table_info\\(|ALTER\\s+TABLE\\s+)["'\`[]?${table}\\b`, 'i');
  if (findAll(fn, 'string').some((s) => re.test(stringValue(s) ?? ''))) return true;
  return migrationLists(fn, root).some((l) => listForTable(l, table));
}

/** The function that executes a CREATE TABLE string (the string itself, or the module constant holding it). */
function schemaFunction(
  index: WorkspaceIndex,
  site: { file: PyFile; node: SyntaxNode },
): { fn: SyntaxNode; className?: string } | undefined {
  const own = enclosingFunction(site.node);
  if (own) return own;
  let up: SyntaxNode | null = site.node.parent;
  while (up && up.type !== 'assignment') up = up.parent;
  const name = up?.childForFieldName('left')?.text;
  if (!name) return undefined;
  const uses = index.functions.filter(
    (f) =>
      !f.file.isTest &&
      findAll(f.node, 'call').some(
        (c) =>
          /execute\w*$/.test(c.childForFieldName('function')?.text ?? '') &&
          (c.childForFieldName('arguments')?.namedChildren ?? []).some((a) =>
            new RegExp(`(^|\\.)${name}$`).test(a.text),
          ),
      ),
  );
  return uses.length === 1 ? { fn: uses[0]!.node, className: uses[0]!.className } : undefined;
}

export function findMigrations(
  index: WorkspaceIndex,
  spec: FeatureSpec,
  table: string,
  tableSites: { file: PyFile; node: SyntaxNode }[],
): MigrationsAnchor {
  const root = (f: FunctionInfo) => f.file.tree.rootNode;
  const code = index.functions.filter((f) => !f.file.isTest);
  let fns = code.filter((f) => f.name === '_run_migrations' || isMigrationShaped(f.node, root(f)));
  // A nested helper inside a migration function is part of it, not a second one.
  fns = fns.filter(
    (f) =>
      !fns.some(
        (g) => g !== f && g.node.startIndex < f.node.startIndex && f.node.endIndex <= g.node.endIndex,
      ),
  );
  // `architecture.migrations` names the migration code's file; `architecture.database` did before it.
  const hint = spec.architecture.migrations ?? spec.architecture.database;
  const inHint = hint ? fns.filter((f) => f.file.path === hint || f.file.path.endsWith(`/${hint}`)) : [];
  if (inHint.length > 0) fns = inHint;
  // The conventional name wins over a helper of the same shape it calls (`_add_column(table, ...)`).
  const named = fns.filter((f) => f.name === '_run_migrations');
  if (named.length > 0) fns = named;
  if (fns.length > 1) {
    const forTable = fns.filter((f) => mentionsTable(f.node, root(f), table));
    if (forTable.length > 0) fns = forTable;
  }
  if (fns.length > 1) {
    throw new SpecialistError(
      'AnchorAmbiguous',
      `the migration function of ${table} is ambiguous: ${fns.map(label).join(', ')} — name its file in the spec's "architecture.migrations" (or "architecture.database") hint`,
      { what: 'migration function', candidates: fns.map(label) },
    );
  }
  const fn = fns[0];
  if (!fn) return toCreate(index, table, tableSites, code);
  const body = fn.node.childForFieldName('body')!;
  const checks = migrationChecks(body).filter((c) => c.table?.toLowerCase() === table.toLowerCase());
  const pragma = findAll(fn.node, 'string').find((s) =>
    new RegExp(`table_info\\(["'\`]?${table}\\b`, 'i').test(stringValue(s) ?? ''),
  );
  const listed = migrationLists(fn.node, root(fn))
    .filter((l) => listForTable(l, table))
    .flatMap((l) => listedColumns(l, table));
  const last = checks[checks.length - 1];
  return {
    file: fn.file.path,
    module: fn.file.module,
    className: fn.className,
    method: fn.name,
    range: rangeOf(fn.node),
    connectionVar: connectionVariable(fn.node),
    versionGated: /PRAGMA\s+user_version/i.test(fn.node.text),
    columnCheck:
      pragma && last
        ? {
            range: rangeOf(last.stmt),
            columnsVar:
              /not\s+in\s+([\w.]+)/.exec(last.stmt.childForFieldName('condition')!.text)?.[1] ??
              'column_names',
            existingColumns: [...checks.map((c) => c.column), ...listed],
          }
        : listed.length > 0
          ? { range: rangeOf(fn.node), columnsVar: '', existingColumns: listed }
          : undefined,
  };
}

/** No migration code: where the reference migration function is created and called. */
function toCreate(
  index: WorkspaceIndex,
  table: string,
  tableSites: { file: PyFile; node: SyntaxNode }[],
  code: FunctionInfo[],
): MigrationsAnchor {
  const similar = code.filter((f) => /migrat/i.test(f.name));
  if (similar.length > 0) {
    throw new SpecialistError(
      'AnchorNotFound',
      `the migration function of ${table} not found: ${similar.map(label).join(', ')} ${similar.length > 1 ? 'are' : 'is'} named like one but ${similar.length > 1 ? 'do' : 'does'} not read PRAGMA table_info and ADD COLUMN; name the file of the migration code in the spec's "architecture.migrations" (or "architecture.database") hint, or add the column by hand`,
      { what: 'migration function', candidates: similar.map(label) },
    );
  }
  const sites = tableSites
    .map((s) => ({ site: s, schema: schemaFunction(index, s) }))
    .filter((s) => s.schema);
  if (sites.length !== 1) {
    throw new SpecialistError(
      'AnchorNotFound',
      `no migration code found (no function reads PRAGMA table_info and adds columns), and ${sites.length === 0 ? `no function executes the CREATE TABLE of ${table}` : `${sites.length} functions execute the CREATE TABLE of ${table}`} to call a new one from — name the file of the migration code in the spec's "architecture.migrations" hint, or add the column by hand`,
      { what: 'migration function', candidates: [] },
    );
  }
  const { site, schema } = sites[0]!;
  const name = schema!.fn.childForFieldName('name')!.text;
  const taken = code.find(
    (f) => f.file === site.file && f.name === CREATED_MIGRATION && f.className === schema!.className,
  );
  if (taken) {
    throw new SpecialistError(
      'AnchorNotFound',
      `${CREATED_MIGRATION} exists in ${where(taken)} but is not a migration function (no PRAGMA table_info / ADD COLUMN): cannot create one under that name`,
      { what: 'migration function', candidates: [label(taken)] },
    );
  }
  return {
    file: site.file.path,
    module: site.file.module,
    className: schema!.className,
    method: CREATED_MIGRATION,
    range: rangeOf(schema!.fn),
    connectionVar: connectionVariable(schema!.fn),
    create: { after: name },
  };
}
