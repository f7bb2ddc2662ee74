/**
 * The list-and-loop migration shape: the columns to add are entries of a collection (a list of
 * `(table, column, definition)` tuples, a `{column: definition}` dict, a list of ALTER statements)
 * that a loop in the migration function applies, checking `PRAGMA table_info` itself. Such a project
 * gets one new entry in its collection, written like the others — never a second, hand-written block
 * beside the loop.
 */
import type { SyntaxNode } from '../python-syntax/parse';
import { findAll, lineIndentAt, stringValue } from '../python-syntax/parse';
import type { Edit } from './codemod';
import { pyString } from './field';

/** What each element of an entry holds, read from the loop's targets and its ALTER TABLE template. */
type Role = 'table' | 'column' | 'ddl' | 'def' | 'sql' | 'other';

export interface MigrationList {
  loop: SyntaxNode;
  collection: SyntaxNode;
  /** The entries of the collection (tuples, lists, dict pairs or strings). */
  entries: SyntaxNode[];
  roles: Role[];
  /** The table the ALTER template names literally (entries then carry no table). */
  fixedTable?: string;
  kind: 'dict' | 'sequence' | 'strings';
}

const COLLECTIONS = ['list', 'tuple', 'set', 'dictionary'];
const ALTER =
  /ALTER\s+TABLE\s+(?:\{(\w+)\}|["`[]?(\w+)["`\]]?)\s+ADD\s+(?:COLUMN\s+)?(?:\{(\w+)\}|(\w+))(?:\s+\{(\w+)\})?/i;

const nameOf = (n: SyntaxNode | null | undefined) =>
  n?.type === 'identifier'
    ? n.text
    : n?.type === 'attribute'
      ? n.childForFieldName('attribute')?.text
      : undefined;

/** The collection literal a name is bound to: in the function before `before`, else at module or class level. */
function resolve(fn: SyntaxNode, root: SyntaxNode, name: string, before: number): SyntaxNode | undefined {
  const assigned = findAll(root, 'assignment').filter(
    (a) =>
      nameOf(a.childForFieldName('left')) === name &&
      COLLECTIONS.includes(a.childForFieldName('right')?.type ?? ''),
  );
  const inFn = assigned.filter((a) => a.startIndex >= fn.startIndex && a.endIndex <= before);
  if (inFn.length > 0) return inFn[inFn.length - 1]!.childForFieldName('right')!;
  const outside = assigned.filter((a) => {
    for (let up = a.parent; up; up = up.parent) if (up.type === 'function_definition') return false;
    return true;
  });
  return outside.length === 1 ? outside[0]!.childForFieldName('right')! : undefined;
}

function targets(left: SyntaxNode): string[] | undefined {
  if (left.type === 'identifier') return [left.text];
  if (left.type !== 'pattern_list' && left.type !== 'tuple_pattern') return undefined;
  const names = left.namedChildren.map((c) => (c.type === 'identifier' ? c.text : ''));
  return names.every(Boolean) ? names : undefined;
}

/** The loops of `fn` that apply a collection of migrations, for `table`. */
export function migrationLists(fn: SyntaxNode, root: SyntaxNode): MigrationList[] {
  const out: MigrationList[] = [];
  for (const loop of findAll(fn, 'for_statement')) {
    const left = loop.childForFieldName('left');
    let right = loop.childForFieldName('right');
    const body = loop.childForFieldName('body');
    if (!left || !right || !body) continue;
    const names = targets(left);
    if (!names) continue;
    let items = false;
    if (right.type === 'call') {
      const f = right.childForFieldName('function');
      if (f?.type !== 'attribute' || f.childForFieldName('attribute')?.text !== 'items') continue;
      items = true;
      right = f.childForFieldName('object')!;
    }
    const collection = COLLECTIONS.includes(right.type)
      ? right
      : nameOf(right)
        ? resolve(fn, root, nameOf(right)!, loop.startIndex)
        : undefined;
    if (!collection) continue;
    const entries = collection.namedChildren.filter((c) => c.type !== 'comment');
    const dict = collection.type === 'dictionary';
    if (dict !== items) continue;
    const template = findAll(body, 'string')
      .map((s) => ALTER.exec(s.text))
      .find(Boolean);
    if (template) {
      const [, tableVar, tableLit, colVar, colLit, ddlVar] = template;
      if (colLit) continue;
      const roles: Role[] = names.map((n) =>
        n === tableVar
          ? 'table'
          : n === colVar
            ? ddlVar
              ? 'column'
              : 'def'
            : n === ddlVar
              ? 'ddl'
              : 'other',
      );
      if (!roles.includes('column') && !roles.includes('def')) continue;
      if (roles.includes('other')) continue;
      const width = names.length;
      const ok = entries.every((e) =>
        dict
          ? e.type === 'pair'
          : (e.type === 'tuple' || e.type === 'list') && e.namedChildren.length === width,
      );
      if (!ok || (dict && width !== 2)) continue;
      out.push({ loop, collection, entries, roles, fixedTable: tableLit, kind: dict ? 'dict' : 'sequence' });
      continue;
    }
    // `for sql in MIGRATIONS: ... execute(sql)`: the entries are whole ALTER statements.
    const executesIt = findAll(body, 'call').some(
      (c) =>
        /execute$/.test(c.childForFieldName('function')?.text ?? '') &&
        c.childForFieldName('arguments')?.namedChildren[0]?.text === names[0],
    );
    if (
      !dict &&
      names.length === 1 &&
      executesIt &&
      entries.length > 0 &&
      entries.every((e) => e.type === 'string' && ALTER.test(stringValue(e) ?? ''))
    ) {
      out.push({ loop, collection, entries, roles: ['sql'], kind: 'strings' });
    }
  }
  return out;
}

/** The elements of an entry, in the order of the loop's targets. */
function elements(entry: SyntaxNode, list: MigrationList): SyntaxNode[] {
  if (list.kind === 'strings') return [entry];
  if (list.kind === 'dict') return [entry.childForFieldName('key')!, entry.childForFieldName('value')!];
  return entry.namedChildren;
}

function valueAt(entry: SyntaxNode, list: MigrationList, role: Role): string | undefined {
  const i = list.roles.indexOf(role);
  const node = i >= 0 ? elements(entry, list)[i] : undefined;
  return node ? (stringValue(node) ?? undefined) : undefined;
}

/** Whether the list holds migrations of `table` (its entries name it, or its ALTER names it). */
export function listForTable(list: MigrationList, table: string): boolean {
  const same = (t?: string) => t?.toLowerCase() === table.toLowerCase();
  if (list.kind === 'strings') return list.entries.some((e) => same(ALTER.exec(stringValue(e) ?? '')?.[2]));
  if (list.roles.includes('table')) return list.entries.some((e) => same(valueAt(e, list, 'table')));
  return same(list.fixedTable);
}

/** The columns the list already adds to `table`. */
export function listedColumns(list: MigrationList, table: string): string[] {
  const same = (t?: string) => t?.toLowerCase() === table.toLowerCase();
  return list.entries.flatMap((e) => {
    if (list.kind === 'strings') {
      const m = ALTER.exec(stringValue(e) ?? '');
      return m && same(m[2]) && m[4] ? [m[4]] : [];
    }
    if (list.roles.includes('table') && !same(valueAt(e, list, 'table'))) return [];
    const col = valueAt(e, list, 'column') ?? valueAt(e, list, 'def')?.split(/\s+/)[0];
    return col ? [col] : [];
  });
}

/** The edit that appends the entry adding `def` (`<column> <definition>`) to `table`, in the list's style. */
export function listEntryEdit(
  source: string,
  list: MigrationList,
  table: string,
  column: string,
  def: string,
): Edit {
  const last = list.entries[list.entries.length - 1];
  const firstString = last?.type === 'string' ? last : last ? findAll(last, 'string')[0] : undefined;
  const open = firstString?.namedChildren[0]?.text ?? '"';
  const q: '"' | "'" = open.endsWith("'") ? "'" : '"';
  const ddl = def.slice(column.length).trim();
  const value = (role: Role) =>
    pyString(
      role === 'table'
        ? table
        : role === 'column'
          ? column
          : role === 'ddl'
            ? ddl
            : role === 'def'
              ? def
              : `ALTER TABLE ${table} ADD COLUMN ${def}`,
      q,
    );
  const parts = list.roles.map(value);
  const entry =
    list.kind === 'dict'
      ? `${parts[0]}: ${parts[1]}`
      : list.kind === 'strings'
        ? parts[0]!
        : last?.type === 'list'
          ? `[${parts.join(', ')}]`
          : `(${parts.join(', ')})`;
  if (!last) {
    return { start: list.collection.startIndex + 1, end: list.collection.startIndex + 1, text: entry };
  }
  const comma = last.nextSibling?.type === ',' ? last.nextSibling : undefined;
  const multiline = list.collection.startPosition.row !== last.startPosition.row;
  if (!multiline) {
    const at = comma ? comma.endIndex : last.endIndex;
    return { start: at, end: at, text: comma ? ` ${entry},` : `, ${entry}` };
  }
  const indent = lineIndentAt(source, last.startIndex);
  if (comma) return { start: comma.endIndex, end: comma.endIndex, text: `\n${indent}${entry},` };
  return { start: last.endIndex, end: last.endIndex, text: `,\n${indent}${entry}` };
}
