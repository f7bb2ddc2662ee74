/**
 * INSERTs whose column list is built at run time from a list of names: an f-string such as
 * `f"INSERT INTO t ({', '.join(columns)}) VALUES ({placeholders})"` over `columns = ["id", ...]`.
 * The column goes into that list; placeholders derived from the list follow it by themselves.
 */
import type { SyntaxNode } from '../python-syntax/parse';
import { enclosingFunction, findAll, stringValue } from '../python-syntax/parse';
import { elementsOf } from '../python-syntax/sequence';
import type { Insert } from './sql';

export interface BuiltColumnList {
  /** The list (or tuple) literal of column names. */
  list: SyntaxNode;
  names: string[];
  /** `derived`: the placeholders are built from the same list; `literal`: `?, ?` written out. */
  placeholders: 'derived' | 'literal';
}

const JOIN = /^\{\s*(?:(["'])[^"']*\1|\w+)\.join\(\s*(\w+)\s*\)\s*\}$/;

/** The last assignment to `name` before `at` in the function around `at` (or the module). */
function assignedValue(at: SyntaxNode, name: string): SyntaxNode | undefined {
  const scopes = [enclosingFunction(at)?.fn, at.tree.rootNode].filter((s): s is SyntaxNode => !!s);
  for (const scope of scopes) {
    const found = findAll(scope, 'assignment').filter(
      (a) => a.childForFieldName('left')?.text === name && a.startIndex < at.startIndex,
    );
    const right = found[found.length - 1]?.childForFieldName('right');
    if (right) return right;
  }
  return undefined;
}

/**
 * Whether the INSERT's column list is one `{sep.join(NAME)}` interpolation: `undefined` when it is
 * not (a literal list), a reason when it is built but not in a form this engine can extend.
 */
export function builtColumnList(str: SyntaxNode, sql: Insert): BuiltColumnList | string | undefined {
  if (!sql.names.some((n) => n.includes('{'))) return undefined;
  const m = sql.names.length === 1 ? JOIN.exec(sql.names[0]!) : null;
  if (!m)
    return `its column list ${sql.names.join(', ')} is built by an expression other than "sep".join(<list of names>)`;
  const listName = m[2]!;
  const list = assignedValue(str, listName);
  if (!list || !['list', 'tuple'].includes(list.type))
    return `its column list joins ${listName}, which is not assigned a list literal of column names`;
  const items = elementsOf(list);
  const names = items.map((i) => (i.type === 'string' ? stringValue(i) : undefined));
  if (names.some((n) => n === undefined || !/^\w+$/.test(n)))
    return `${listName} (line ${list.startPosition.row + 1}) holds something other than plain column names`;
  const values = sql.values.map((v) => v.text);
  if (values.every((v) => v === '?') && values.length === names.length)
    return { list, names: names as string[], placeholders: 'literal' };
  if (values.length === 1 && /^\{.*\}$/s.test(values[0]!)) {
    const expr = values[0]!.slice(1, -1);
    const refers = (text: string) => new RegExp(`\\b${listName}\\b`).test(text);
    const variable = /^\s*(\w+)\s*$/.exec(expr)?.[1];
    const source = variable ? assignedValue(str, variable)?.text : expr;
    if (source && refers(source)) return { list, names: names as string[], placeholders: 'derived' };
  }
  return `its placeholders (${values.join(', ')}) are neither built from ${listName} nor one "?" per column`;
}
