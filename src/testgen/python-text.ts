/**
 * Small, careful builders of Python source text: string literals in the project's quote style, JSON
 * values as Python literals, and an import block grouped like isort (stdlib, third party, project).
 */
import { pythonString } from '../python-syntax/escape-text';

export type Quote = '"' | "'";

/** A Python string literal; the one escaping rule of spec text (python-syntax/escape-text). */
export function pyString(value: string, quote: Quote): string {
  return pythonString(value, quote);
}

/** A number as Python writes it; `asFloat` keeps a `.0` so that `2` stays a float. */
export function pyNumber(value: number, asFloat = false): string {
  if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a Python literal`);
  const text = String(value);
  return asFloat && /^-?\d+$/.test(text) ? `${text}.0` : text;
}

/** A JSON value as a Python literal (None/True/False, dicts with string keys). */
export function pyLiteral(value: unknown, quote: Quote): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') return pyString(value, quote);
  if (Array.isArray(value)) return `[${value.map((v) => pyLiteral(v, quote)).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${pyString(k, quote)}: ${pyLiteral(v, quote)}`,
    );
    return `{${entries.join(', ')}}`;
  }
  throw new Error(`cannot write a ${typeof value} as a Python literal`);
}

/** `TaskQueueService` → `task_queue_service`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** isort's default order of imported names: CONSTANTS, then Classes, then functions, each A→Z. */
function byIsortType(a: string, b: string): number {
  const rank = (n: string) => (/^[A-Z0-9_]+$/.test(n) && n.length > 1 ? 0 : /^[A-Z]/.test(n) ? 1 : 2);
  return (
    rank(a) - rank(b) || (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0)
  );
}

const STDLIB = new Set([
  'collections',
  'contextlib',
  'datetime',
  'enum',
  'json',
  'pathlib',
  'sqlite3',
  'typing',
  'uuid',
]);
const THIRD_PARTY = new Set(['pytest', 'pytest_asyncio', 'pydantic', 'aiosqlite']);

/** Collects imports and writes them sorted and grouped, so the same needs give the same text. */
export class ImportSet {
  private readonly plain = new Set<string>();
  private readonly from = new Map<string, Set<string>>();

  /** `import module` */
  module(name: string): this {
    this.plain.add(name);
    return this;
  }

  /** `from module import name` */
  name(module: string, name: string): this {
    const names = this.from.get(module) ?? new Set<string>();
    names.add(name);
    this.from.set(module, names);
    return this;
  }

  /** Adds every import of `other`. */
  merge(other: ImportSet): this {
    for (const m of other.plain) this.module(m);
    for (const [m, names] of other.from) for (const n of names) this.name(m, n);
    return this;
  }

  render(): string {
    const group = (module: string) => {
      const top = module.split('.')[0] ?? module;
      return STDLIB.has(top) ? 0 : THIRD_PARTY.has(top) ? 1 : 2;
    };
    const sections: string[][] = [[], [], []];
    for (const g of [0, 1, 2]) {
      const plain = [...this.plain].filter((m) => group(m) === g).sort();
      const from = [...this.from.keys()].filter((m) => group(m) === g).sort();
      for (const m of plain) sections[g]!.push(`import ${m}`);
      for (const m of from) {
        const names = [...this.from.get(m)!].sort(byIsortType);
        sections[g]!.push(`from ${m} import ${names.join(', ')}`);
      }
    }
    return sections
      .filter((lines) => lines.length > 0)
      .map((lines) => lines.join('\n'))
      .join('\n\n');
  }
}
