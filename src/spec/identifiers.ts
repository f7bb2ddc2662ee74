/** Identifier rules shared by the spec schema and the codemods: Python-valid, not shadowing, SQL-safe. */

export const PYTHON_KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
  'match',
  'case',
  'type',
  '_',
]);

/** Names a Pydantic V2 field must not take: BaseModel attributes and builtins a model commonly uses. */
export const SHADOWED_NAMES = new Set([
  'dict',
  'json',
  'copy',
  'parse_obj',
  'parse_raw',
  'parse_file',
  'from_orm',
  'construct',
  'schema',
  'schema_json',
  'validate',
  'update_forward_refs',
  'fields',
  'self',
  'cls',
  'id_',
  'list',
  'str',
  'int',
  'float',
  'bool',
  'object',
  'print',
  'len',
  'range',
  'super',
  'property',
]);

/** SQL keywords that SQLite would need quoted as a column or table name. */
export const SQL_RESERVED = new Set([
  'abort',
  'add',
  'all',
  'alter',
  'and',
  'as',
  'asc',
  'between',
  'by',
  'case',
  'check',
  'collate',
  'column',
  'commit',
  'constraint',
  'create',
  'cross',
  'default',
  'delete',
  'desc',
  'distinct',
  'drop',
  'else',
  'end',
  'escape',
  'except',
  'exists',
  'foreign',
  'from',
  'group',
  'having',
  'in',
  'index',
  'inner',
  'insert',
  'intersect',
  'into',
  'is',
  'join',
  'key',
  'left',
  'like',
  'limit',
  'natural',
  'not',
  'null',
  'offset',
  'on',
  'or',
  'order',
  'outer',
  'primary',
  'references',
  'right',
  'rollback',
  'select',
  'set',
  'table',
  'then',
  'to',
  'transaction',
  'union',
  'unique',
  'update',
  'using',
  'values',
  'when',
  'where',
  'with',
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `name` cannot be a Python identifier of this kind, or undefined when it can. */
export function pythonIdentifierProblem(name: string): string | undefined {
  if (!IDENTIFIER.test(name))
    return `"${name}" is not a Python identifier (letters, digits and _, not starting with a digit)`;
  if (PYTHON_KEYWORDS.has(name)) return `"${name}" is a Python keyword`;
  return undefined;
}

/** Why `name` cannot be a new Pydantic field / SQL column, or undefined when it can. */
export function fieldNameProblem(name: string): string | undefined {
  const basic = pythonIdentifierProblem(name);
  if (basic) return basic;
  if (name.startsWith('model_')) return `"${name}" starts with "model_", which Pydantic V2 reserves`;
  if (name.startsWith('_'))
    return `"${name}" starts with "_": Pydantic treats it as a private attribute, not a field`;
  if (SHADOWED_NAMES.has(name)) return `"${name}" would shadow a BaseModel attribute or a Python builtin`;
  if (SQL_RESERVED.has(name.toLowerCase()))
    return `"${name}" is an SQL keyword and cannot be a column name unquoted`;
  return undefined;
}

/** Why `name` cannot be an SQL table name, or undefined when it can. */
export function sqlIdentifierProblem(name: string): string | undefined {
  if (!IDENTIFIER.test(name)) return `"${name}" is not a safe SQL identifier (letters, digits and _ only)`;
  if (SQL_RESERVED.has(name.toLowerCase())) return `"${name}" is an SQL keyword`;
  return undefined;
}
