/** Just enough SQL reading for CREATE TABLE and INSERT statements held in Python string literals. */

export interface Span {
  text: string;
  start: number;
  end: number;
}

/** Length of the SQL comment (`-- …` to the line end, or a C-style block comment) starting at `i`, or 0. */
export function commentLength(text: string, i: number): number {
  if (text.startsWith('--', i)) {
    const nl = text.indexOf('\n', i);
    return (nl < 0 ? text.length : nl) - i;
  }
  if (text.startsWith('/*', i)) {
    const close = text.indexOf('*/', i + 2);
    return (close < 0 ? text.length : close + 2) - i;
  }
  return 0;
}

/** Index of the bracket closing the one at `open`, skipping SQL strings and comments; -1 when unbalanced. */
export function closingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    const comment = commentLength(text, i);
    if (comment > 0) {
      i += comment - 1;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * Top-level comma-separated items of `text[start, end)` with their offsets: each item runs from its
 * first to its last character of SQL, so a `-- comment` after it (or a comma inside one) is not part of it.
 */
export function splitItems(text: string, start: number, end: number): Span[] {
  const items: Span[] = [];
  let depth = 0;
  let quote: string | undefined;
  let first = -1;
  let last = -1;
  const push = () => {
    if (first >= 0) items.push({ text: text.slice(first, last + 1), start: first, end: last + 1 });
    first = -1;
    last = -1;
  };
  for (let i = start; i < end; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      last = i;
      continue;
    }
    const comment = commentLength(text, i);
    if (comment > 0) {
      i += comment - 1;
      continue;
    }
    if (ch === ',' && depth === 0) {
      push();
      continue;
    }
    if (/\s/.test(ch)) continue;
    if (first < 0) first = i;
    last = i;
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
  }
  push();
  return items;
}

/**
 * Edits (offsets into `text`) that add `item` after the list item `last`: on a line of its own when
 * the list is written one item a line, else inline. A `-- comment` closing the last item's line stays
 * there: the comma goes before it and the new item on the next line.
 */
export function appendItemEdits(
  text: string,
  last: Span,
  item: string,
  multiLine: boolean,
  indent: string,
): { start: number; end: number; text: string }[] {
  if (!multiLine) return [{ start: last.end, end: last.end, text: `, ${item}` }];
  const nl = text.indexOf('\n', last.end);
  const lineEnd = nl < 0 ? text.length : nl;
  const rest = text.slice(last.end, lineEnd);
  const trailing = /^(\s*,)?\s*(--.*|\/\*.*\*\/\s*)$/.exec(rest);
  if (!trailing || nl < 0) return [{ start: last.end, end: last.end, text: `,\n${indent}${item}` }];
  // `col TEXT,  -- note` before a table constraint: the comma is already there; ours ends the new line.
  if (trailing[1]) return [{ start: lineEnd, end: lineEnd, text: `\n${indent}${item},` }];
  return [
    { start: last.end, end: last.end, text: ',' },
    { start: lineEnd, end: lineEnd, text: `\n${indent}${item}` },
  ];
}

/** Whether `names` holds `name` (SQLite compares identifiers case-insensitively). */
export function hasName(names: string[], name: string): boolean {
  return names.some((n) => n.toLowerCase() === name.toLowerCase());
}

const CONSTRAINT = /^(PRIMARY\s+KEY|FOREIGN\s+KEY|UNIQUE|CHECK|CONSTRAINT)\b/i;

export interface CreateTable {
  columns: Span[];
  /** Column names (first word, unquoted). */
  names: string[];
  types: string[];
  close: number;
}

export function createTableRegex(table: string): RegExp {
  return new RegExp(`CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?["\`\\[]?${table}["\`\\]]?\\s*\\(`, 'i');
}

/** The column definitions of `CREATE TABLE <table> (...)` inside `text`, or undefined. */
export function parseCreateTable(text: string, table: string): CreateTable | undefined {
  const m = createTableRegex(table).exec(text);
  if (!m) return undefined;
  const open = m.index + m[0].length - 1;
  const close = closingParen(text, open);
  if (close < 0) return undefined;
  const columns = splitItems(text, open + 1, close).filter((i) => !CONSTRAINT.test(i.text));
  const words = columns.map((c) => c.text.split(/\s+/));
  return {
    columns,
    names: words.map((w) => w[0]!.replace(/["`[\]]/g, '')),
    types: words.map((w) => (w[1] ?? '').toUpperCase()),
    close,
  };
}

export function insertRegex(table: string): RegExp {
  return new RegExp(`INSERT\\s+(?:OR\\s+\\w+\\s+)?INTO\\s+["\`\\[]?${table}["\`\\]]?\\s*\\(`, 'i');
}

export interface Insert {
  columns: Span[];
  names: string[];
  values: Span[];
  valuesOpen: number;
  /** The assignments of an upsert's `ON CONFLICT ... DO UPDATE SET` list, when it has one. */
  updates?: Span[];
}

/** End of the SQL inside a Python string literal's source text (before its closing quotes). */
function sqlEnd(text: string): number {
  const close = /("""|'''|"|')$/.exec(text);
  return close ? text.length - close[0].length : text.length;
}

/** Columns and VALUES items of `INSERT INTO <table> (...) VALUES (...)` inside `text`, or undefined. */
export function parseInsert(text: string, table: string): Insert | undefined {
  const m = insertRegex(table).exec(text);
  if (!m) return undefined;
  const open = m.index + m[0].length - 1;
  const close = closingParen(text, open);
  if (close < 0) return undefined;
  const rest = /^\s*VALUES\s*\(/i.exec(text.slice(close + 1));
  if (!rest) return undefined;
  const valuesOpen = close + 1 + rest[0].length - 1;
  const valuesClose = closingParen(text, valuesOpen);
  if (valuesClose < 0) return undefined;
  const columns = splitItems(text, open + 1, close);
  let updates: Span[] | undefined;
  const set = /^\s*ON\s+CONFLICT\b[\s\S]*?\bDO\s+UPDATE\s+SET\b/i.exec(text.slice(valuesClose + 1));
  if (set) {
    const from = valuesClose + 1 + set[0].length;
    const stop = /\b(WHERE|RETURNING)\b|;/i.exec(text.slice(from, sqlEnd(text)));
    updates = splitItems(text, from, stop ? from + stop.index : sqlEnd(text));
  }
  return {
    columns,
    names: columns.map((c) => c.text.replace(/["`[\]]/g, '')),
    values: splitItems(text, valuesOpen + 1, valuesClose),
    valuesOpen,
    updates,
  };
}
