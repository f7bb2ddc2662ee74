/**
 * Persistence shapes the tool does not support yet, recognised so the refusal says what was seen.
 * The tool adds a column to CREATE TABLE strings and to hand-written migration code; a schema kept by
 * Alembic revisions or tables declared by SQLAlchemy's ORM would need other edits (a new revision, a
 * mapped column), so analysis stops on them at once rather than report a missing table or write a
 * second migration system beside Alembic.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { SpecialistError } from '../errors';
import type { FieldChange } from '../spec/feature-spec';
import { findAll, stringValue, type SyntaxNode } from '../python-syntax/parse';
import type { PyFile, WorkspaceIndex } from './workspace-index';

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** The modules a file imports (`from a.b import c` → `a.b`, `import a.b` → `a.b`). */
function importedModules(file: PyFile): string[] {
  const root = file.tree.rootNode;
  return [
    ...findAll(root, 'import_from_statement').map((s) => s.childForFieldName('module_name')?.text ?? ''),
    ...findAll(root, 'import_statement').flatMap((s) =>
      s.namedChildren.map((n) =>
        n.type === 'aliased_import' ? (n.childForFieldName('name')?.text ?? '') : n.text,
      ),
    ),
  ];
}

const importsAlembic = (file: PyFile) => importedModules(file).some((m) => /^alembic(\.|$)/.test(m));

/**
 * What shows that Alembic manages the schema: `alembic.ini`, a folder (alembic/, migrations/, or any
 * folder whose env.py imports alembic) holding env.py and versions/, and revision files importing
 * alembic. Empty when nothing does. Revisions come first: they are what a user would recognise.
 */
export function alembicEvidence(index: WorkspaceIndex): string[] {
  const files = index.files.filter((f) => !f.isTest);
  const folders = new Set(['alembic', 'migrations']);
  for (const f of files) {
    if (path.posix.basename(f.path) === 'env.py' && importsAlembic(f))
      folders.add(path.posix.dirname(f.path));
  }
  const envs = [...folders]
    .filter(
      (d) => existsSync(path.join(index.root, d, 'env.py')) && isDir(path.join(index.root, d, 'versions')),
    )
    .map((d) => `${d}/env.py`);
  const revisions = files
    .filter((f) => !envs.includes(f.path) && importsAlembic(f))
    .map((f) => f.path)
    .sort();
  const ini = existsSync(path.join(index.root, 'alembic.ini')) ? ['alembic.ini'] : [];
  return [...revisions, ...ini, ...envs];
}

/** Refuses a workspace whose schema Alembic manages (before anything else is looked for). */
export function refuseAlembic(index: WorkspaceIndex): void {
  const seen = alembicEvidence(index);
  if (seen.length === 0) return;
  const shown = seen.length > 4 ? [...seen.slice(0, 4), '...'] : seen;
  throw new SpecialistError(
    'AnchorNotFound',
    `the schema is managed by Alembic (${shown.join(', ')}): Alembic migrations are not supported yet — the tool writes hand-written migration code and never a second migration system beside Alembic; add this field by hand, with a new Alembic revision on the current head (alembic revision -m "...", op.add_column)`,
    { what: 'migrations', unsupported: 'alembic', seen },
  );
}

/** A table declared through SQLAlchemy instead of a CREATE TABLE string. */
export interface OrmTable {
  table: string;
  /** `src/linkbox/db.py:16`. */
  at: string;
  /** How it is declared: `__tablename__` or `Table(...)`. */
  how: string;
  className?: string;
}

function classOf(node: SyntaxNode): string | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'class_definition') return n.childForFieldName('name')?.text;
    if (n.type === 'function_definition') return undefined;
  }
  return undefined;
}

/** Every `__tablename__ = "t"` in a class body and every `Table("t", metadata, ...)` of SQLAlchemy. */
export function ormTables(index: WorkspaceIndex): OrmTable[] {
  const out: OrmTable[] = [];
  for (const file of index.files.filter((f) => !f.isTest)) {
    const root = file.tree.rootNode;
    for (const a of findAll(root, 'assignment')) {
      const right = a.childForFieldName('right');
      const className = classOf(a);
      if (a.childForFieldName('left')?.text !== '__tablename__' || right?.type !== 'string' || !className)
        continue;
      const table = stringValue(right);
      if (table)
        out.push({ table, at: `${file.path}:${a.startPosition.row + 1}`, how: '`__tablename__`', className });
    }
    if (!importedModules(file).some((m) => /^(sqlalchemy|flask_sqlalchemy)(\.|$)/.test(m))) continue;
    for (const call of findAll(root, 'call')) {
      const fn = call.childForFieldName('function');
      const name = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
      const first = call.childForFieldName('arguments')?.namedChildren[0];
      if (name !== 'Table' || first?.type !== 'string') continue;
      const table = stringValue(first);
      if (table) out.push({ table, at: `${file.path}:${call.startPosition.row + 1}`, how: '`Table(...)`' });
    }
  }
  return out;
}

/**
 * Refuses the change when the table it needs (given, or named like the model) is not created by a
 * CREATE TABLE string but declared through SQLAlchemy — or when SQLAlchemy declares the only tables
 * there are. `names` are the table names the model's name suggests; `sqlTables` those of CREATE TABLE.
 */
export function refuseOrmTable(
  orm: OrmTable[],
  change: FieldChange,
  i: number,
  names: string[],
  sqlTables: string[],
): void {
  if (orm.length === 0) return;
  const wanted = change.table ? [change.table.toLowerCase()] : names.map((n) => n.toLowerCase());
  let seen = orm.filter(
    (o) =>
      wanted.includes(o.table.toLowerCase()) ||
      (!change.table && o.className !== undefined && o.className.startsWith(change.model)),
  );
  if (seen.length === 0 && sqlTables.length === 0) seen = orm;
  if (seen.length === 0) return;
  const what = seen.map((o) => `\`${o.table}\` is defined by SQLAlchemy ${o.how} (${o.at})`).join('; ');
  throw new SpecialistError(
    'AnchorNotFound',
    `the table of ${change.model}: ${what}: SQLAlchemy ORM persistence is not supported yet — the tool adds columns to CREATE TABLE strings and hand-written sqlite3/aiosqlite migrations; add this field by hand (the mapped column and its migration)${sqlTables.length > 0 ? `, or set data_models.changes[${i}].table to a table created by a CREATE TABLE string (${sqlTables.join(', ')})` : ''}`,
    { what: `the table of ${change.model}`, unsupported: 'sqlalchemy-orm', tables: seen.map((o) => o.table) },
  );
}
