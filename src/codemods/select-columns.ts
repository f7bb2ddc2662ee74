/**
 * The column list of a `SELECT ... FROM <table>` held in a Python string: a row mapper reads what the
 * query selects, so a column it newly reads must be selected where the query names its columns (and
 * is already there with `SELECT *`). Offsets are into the string literal's source text.
 */
import type { SyntaxNode } from '../python-syntax/parse';
import { enclosingFunction, findAll, functionsOf } from '../python-syntax/parse';
import { appendItemEdits, hasName, splitItems, type Span } from './sql';

export interface Select {
  /** The select-list items, in order. */
  items: Span[];
  /** `*` (or `t.*`) among the items: every column is read, nothing to add. */
  star: boolean;
  /** Names as the row carries them (the alias of `x AS y`), in order; undefined for an expression. */
  names: (string | undefined)[];
  /** An item interpolated at run time (`{columns}` in an f-string): its columns cannot be read here. */
  built: boolean;
  /** The name the table goes by in the query: its alias (`t` in `FROM tasks t`), else its name. */
  alias: string;
}

export function selectRegex(table: string): RegExp {
  return new RegExp(
    `\\bSELECT\\s+(?:DISTINCT\\s+)?([\\s\\S]*?)\\s+FROM\\s+["\`\\[]?${table}["\`\\]]?(?![\\w])(?:\\s+(?:AS\\s+)?(\\w+))?`,
    'i',
  );
}

/** Words that may follow `FROM <table>` and are no alias of it. */
const NOT_ALIAS =
  /^(WHERE|ORDER|GROUP|LIMIT|JOIN|INNER|LEFT|RIGHT|CROSS|NATURAL|FULL|OUTER|ON|UNION|HAVING|WINDOW|EXCEPT|INTERSECT|RETURNING|USING|INDEXED|NOT)$/i;

const PLAIN = /^(?:(\w+)\.)?["`[]?(\w+)["`\]]?(?:\s+(?:AS\s+)?["`[]?(\w+)["`\]]?)?$/i;

/** The select list of the first `SELECT ... FROM <table>` inside `text`, or undefined. */
export function parseSelect(text: string, table: string): Select | undefined {
  const m = selectRegex(table).exec(text);
  if (!m) return undefined;
  const start = m.index + m[0].indexOf(m[1]!, 'SELECT'.length);
  const items = splitItems(text, start, start + m[1]!.length);
  const names = items.map((i) => {
    const p = PLAIN.exec(i.text);
    return p ? (p[3] ?? p[2]) : undefined;
  });
  return {
    items,
    star: items.some((i) => /^(\w+\.)?\*$/.test(i.text)),
    names,
    built: items.some((i) => i.text.includes('{')),
    alias: m[2] && !NOT_ALIAS.test(m[2]) ? m[2] : table,
  };
}

/**
 * Edits (offsets into `text`) that add `column` to the select list, qualified like the last item
 * (`t.note` after `t.title`); none when it is there already or the list is `*`.
 */
export function addSelectColumn(
  text: string,
  select: Select,
  column: string,
  indent: string,
): { start: number; end: number; text: string }[] {
  if (
    select.star ||
    hasName(
      select.names.filter((n): n is string => !!n),
      column,
    )
  )
    return [];
  const last = select.items[select.items.length - 1]!;
  // Qualified by the table's own name in the query (`t.note` in a join), never by another table's.
  const qualifiers = select.items.map((i) => /^(\w+)\./.exec(i.text)?.[1]).filter(Boolean);
  const qualifier = qualifiers.length > 0 ? select.alias : undefined;
  const first = select.items[0]!;
  const multiLine = text.slice(first.start, last.start).includes('\n');
  return appendItemEdits(text, last, qualifier ? `${qualifier}.${column}` : column, multiLine, indent);
}

/** A SQL string (or concatenation of strings) selecting from the table, with its parsed list. */
export interface SelectSite {
  node: SyntaxNode;
  select: Select;
}

function selectsIn(node: SyntaxNode, table: string): SelectSite[] {
  const seen = new Set<number>();
  const strings = node.type === 'string' ? [node] : findAll(node, 'string');
  return strings.flatMap((s) => {
    const holder = s.parent?.type === 'concatenated_string' ? s.parent : s;
    if (seen.has(holder.startIndex)) return [];
    seen.add(holder.startIndex);
    const select = parseSelect(holder.text, table);
    return select ? [{ node: holder, select }] : [];
  });
}

/** Module- and class-level assignments of a string, by the name assigned. */
function constantStrings(root: SyntaxNode): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  for (const a of findAll(root, 'assignment')) {
    if (enclosingFunction(a)) continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type === 'identifier' && right && ['string', 'concatenated_string'].includes(right.type))
      out.set(left.text, right);
  }
  return out;
}

/**
 * The SELECTs over `table` whose rows the function `fn` maps: those written in it or in a module or
 * class constant it names (`SELECT_TASK`, `self._SELECT`), else those of the functions of the module
 * that call it (`_row_to_task` used by `get_task` and `list_tasks`).
 */
export function feedingSelects(root: SyntaxNode, fn: SyntaxNode, name: string, table: string): SelectSite[] {
  const constants = constantStrings(root);
  const own = (f: SyntaxNode) => {
    const sites = selectsIn(f, table);
    const named = new Set(findAll(f, 'identifier').map((i) => i.text));
    for (const [constant, value] of constants) {
      if (!named.has(constant)) continue;
      sites.push(
        ...selectsIn(value, table).filter((s) => !sites.some((o) => o.node.startIndex === s.node.startIndex)),
      );
    }
    return sites;
  };
  const direct = own(fn);
  if (direct.length > 0) return direct;
  const calls = new RegExp(`\\b${name}\\b`);
  const out: SelectSite[] = [];
  for (const other of functionsOf(root)) {
    if (other.fn.startIndex === fn.startIndex || !calls.test(other.fn.text)) continue;
    for (const s of own(other.fn)) if (!out.some((o) => o.node.startIndex === s.node.startIndex)) out.push(s);
  }
  return out;
}
