/**
 * Where a module builds a model from a database row, shared by the analysis and the row-mapper
 * codemod so that what is found is what gets edited: a `_row_to_*` helper, or a mapper written inline
 * in a query method (`return [Task(id=r["id"], title=r["title"]) for r in rows]`,
 * `Task(id=row[0], title=row[1])`), `Model(**dict(row))` and `Model.model_validate(dict(row))`.
 */
import type { SyntaxNode } from '../python-syntax/parse';
import { findAll, functionsOf } from '../python-syntax/parse';

/** Calls `Model(...)` inside a node. */
export function constructorCalls(node: SyntaxNode, model: string): SyntaxNode[] {
  return findAll(node, 'call').filter((c) => c.childForFieldName('function')?.text === model);
}

/** `Model.model_validate(...)` calls inside a node. */
export function validateCalls(node: SyntaxNode, model: string): SyntaxNode[] {
  return findAll(node, 'call').filter(
    (c) => c.childForFieldName('function')?.text === `${model}.model_validate`,
  );
}

/** Whether a function builds the model, by constructor or `model_validate`. */
export function buildsModel(fn: SyntaxNode, model: string): boolean {
  return constructorCalls(fn, model).length > 0 || validateCalls(fn, model).length > 0;
}

/** A read of one column of a row: `row["x"]`, `row[2]`, `data.get("x")`. */
const COLUMN_READ = /[\w\])]\[\s*(?:(["'])\w+\1|\d+)\s*\]|\.get\(\s*(["'])\w+\2/;

/** `**dict(row)`, `**row`, `**dict(record)`: a whole row spread into the constructor. */
const ROW_SPLAT = /^\*\*\s*(?:dict\(\s*\w+\s*\)|\w*(?:row|rec)\w*)$/i;

/** The variables whose columns an expression reads (`row` in `bool(row["done"])`, `data` in `data.get("x")`). */
const READ_FROM = /(\w+)\s*(?:\[\s*(?:(["'])\w+\2|\d+)\s*\]|\.get\(\s*["'])/g;
/** A variable named as a row: `row`, `r`, `rec`, `record`, `db_row`, `row_dict`. */
const ROW_NAME = /^(?:r|\w*rows?\w*|\w*rec(?:ord)?)$/i;

/**
 * Whether a constructor call fills the model from a row: a column read among its arguments, or
 * `**row`. `anyName`: a read of any variable counts (in a function that queries the database);
 * otherwise only of a variable named as a row.
 */
export function readsRow(call: SyntaxNode, anyName = true): boolean {
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  return args.some((a) => {
    if (a.type === 'dictionary_splat') return ROW_SPLAT.test(a.text);
    if (!COLUMN_READ.test(a.text)) return false;
    return anyName || [...a.text.matchAll(READ_FROM)].some((m) => ROW_NAME.test(m[1]!));
  });
}

/**
 * Whether a function reads rows from the database itself: it runs SQL or fetches (`execute`,
 * `fetchone`, a cursor). A tool handler building the model from `arguments["url"]` does not, and
 * is no row mapper.
 */
const QUERIES = /\b(?:execute|executemany|fetchone|fetchall|fetchmany|cursor)\b/;

export interface MapperFunction {
  fn: SyntaxNode;
  name: string;
  className?: string;
  /** `Class.method` or `function`: how a site is named (and marked handled by hand). */
  qualified: string;
  /** The `Model(...)` calls that fill the model from a row (every call of a `_row_to_*` helper). */
  calls: SyntaxNode[];
  /** `Model.model_validate(...)` calls. */
  validates: SyntaxNode[];
}

export const qualifiedName = (name: string, className?: string) =>
  className ? `${className}.${name}` : name;

/**
 * Every function of the module that maps rows to `model`: `_row_to_*` helpers that build it, and any
 * other function with a constructor call reading a row (a query method mapping inline). A service
 * building the model from its own parameters (`Task(title=title)`) reads no row and is not one.
 */
export function mapperFunctions(root: SyntaxNode, model: string): MapperFunction[] {
  return functionsOf(root).flatMap(({ fn, name, className }) => {
    const helper = name.startsWith('_row_to_');
    // Outside a function that queries, only reads of a variable named as a row (`to_model(row)`):
    // a tool handler reading `arguments["url"]` builds no model from a row.
    const queries = QUERIES.test(fn.text);
    const all = constructorCalls(fn, model);
    const calls = helper ? all : all.filter((c) => readsRow(c, queries));
    // `Task.model_validate(dict(row))` outside a helper: a row read; `model_validate(payload)` is not.
    const validates = validateCalls(fn, model).filter(
      (v) =>
        helper ||
        ((queries || /\b\w*(?:row|rec)\w*\b/i.test(v.text)) &&
          (/\bdict\(/.test(v.text) || COLUMN_READ.test(v.text))),
    );
    // A nested function's calls belong to it, not to the function around it.
    const own = (c: SyntaxNode) => {
      for (let p = c.parent; p; p = p.parent)
        if (p.type === 'function_definition') return p.startIndex === fn.startIndex;
      return false;
    };
    const ownCalls = calls.filter(own);
    const ownValidates = validates.filter(own);
    if (ownCalls.length === 0 && ownValidates.length === 0) return [];
    return [
      {
        fn,
        name,
        className,
        qualified: qualifiedName(name, className),
        calls: ownCalls,
        validates: ownValidates,
      },
    ];
  });
}

/** How a constructor call reads its columns. */
export type RowAccess = 'subscript' | 'get' | 'position' | 'splat' | 'validate';

export function callAccess(call: SyntaxNode): RowAccess {
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  if (args.some((a) => a.type === 'dictionary_splat')) return 'splat';
  const text = args.map((a) => a.text).join(' ');
  if (/\[\s*(["'])\w+\1\s*\]/.test(text)) return 'subscript';
  if (/\.get\(\s*(["'])\w+\1/.test(text)) return 'get';
  if (/\[\s*\d+\s*\]/.test(text)) return 'position';
  return 'subscript';
}
