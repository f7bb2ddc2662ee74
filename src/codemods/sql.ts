/** Just enough SQL reading for CREATE TABLE and INSERT statements held in Python string literals. */

export interface Span {
  text: string;
  start: number;
  end: number;
}

/** Index of the bracket closing the one at `open`, skipping SQL strings; -1 when unbalanced. */
export function closingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
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

/** Top-level comma-separated items of `text[start, end)`, trimmed, with their offsets. */
export function splitItems(text: string, start: number, end: number): Span[] {
  const items: Span[] = [];
  let depth = 0;
  let quote: string | undefined;
  let itemStart = start;
  const push = (to: number) => {
    const raw = text.slice(itemStart, to);
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed)
      items.push({ text: trimmed, start: itemStart + lead, end: itemStart + lead + trimmed.length });
  };
  for (let i = start; i < end; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      push(i);
      itemStart = i + 1;
    }
  }
  push(end);
  return items;
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
  return {
    columns,
    names: columns.map((c) => c.text.replace(/["`[\]]/g, '')),
    values: splitItems(text, valuesOpen + 1, valuesClose),
    valuesOpen,
  };
}
