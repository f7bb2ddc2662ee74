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

/**
 * Every keyword of SQLite (https://sqlite.org/lang_keywords.html, 147 as of 3.40), lower case. SQLite
 * takes many of them as plain names through its parser's fallback rules; the two sets below say which
 * it does not. test/unit/sqlite-keywords.test.ts checks both against the sqlite3 library itself.
 */
export const SQLITE_KEYWORDS: ReadonlySet<string> = new Set([
  'abort',
  'action',
  'add',
  'after',
  'all',
  'alter',
  'always',
  'analyze',
  'and',
  'as',
  'asc',
  'attach',
  'autoincrement',
  'before',
  'begin',
  'between',
  'by',
  'cascade',
  'case',
  'cast',
  'check',
  'collate',
  'column',
  'commit',
  'conflict',
  'constraint',
  'create',
  'cross',
  'current',
  'current_date',
  'current_time',
  'current_timestamp',
  'database',
  'default',
  'deferrable',
  'deferred',
  'delete',
  'desc',
  'detach',
  'distinct',
  'do',
  'drop',
  'each',
  'else',
  'end',
  'escape',
  'except',
  'exclude',
  'exclusive',
  'exists',
  'explain',
  'fail',
  'filter',
  'first',
  'following',
  'for',
  'foreign',
  'from',
  'full',
  'generated',
  'glob',
  'group',
  'groups',
  'having',
  'if',
  'ignore',
  'immediate',
  'in',
  'index',
  'indexed',
  'initially',
  'inner',
  'insert',
  'instead',
  'intersect',
  'into',
  'is',
  'isnull',
  'join',
  'key',
  'last',
  'left',
  'like',
  'limit',
  'match',
  'materialized',
  'natural',
  'no',
  'not',
  'nothing',
  'notnull',
  'null',
  'nulls',
  'of',
  'offset',
  'on',
  'or',
  'order',
  'others',
  'outer',
  'over',
  'partition',
  'plan',
  'pragma',
  'preceding',
  'primary',
  'query',
  'raise',
  'range',
  'recursive',
  'references',
  'regexp',
  'reindex',
  'release',
  'rename',
  'replace',
  'restrict',
  'returning',
  'right',
  'rollback',
  'row',
  'rows',
  'savepoint',
  'select',
  'set',
  'table',
  'temp',
  'temporary',
  'then',
  'ties',
  'to',
  'transaction',
  'trigger',
  'unbounded',
  'union',
  'unique',
  'update',
  'using',
  'vacuum',
  'values',
  'view',
  'virtual',
  'when',
  'where',
  'window',
  'with',
  'without',
]);

/**
 * Keywords SQLite rejects as a bare column name in at least one statement the phases write or the
 * project runs (CREATE TABLE, ALTER TABLE ADD COLUMN, INSERT, an upsert's DO UPDATE SET, SELECT,
 * WHERE, ORDER BY, UPDATE SET).
 */
export const SQLITE_REJECTED_NAMES: ReadonlySet<string> = new Set([
  'add',
  'all',
  'alter',
  'and',
  'as',
  'autoincrement',
  'between',
  'case',
  'cast',
  'check',
  'collate',
  'commit',
  'constraint',
  'create',
  'default',
  'deferrable',
  'delete',
  'distinct',
  'drop',
  'else',
  'escape',
  'except',
  'exists',
  'foreign',
  'from',
  'group',
  'having',
  'in',
  'index',
  'insert',
  'intersect',
  'into',
  'is',
  'isnull',
  'join',
  'limit',
  'not',
  'nothing',
  'notnull',
  'null',
  'on',
  'or',
  'order',
  'primary',
  'raise',
  'references',
  'returning',
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
]);

/** Keywords SQLite accepts as a column name but reads as a value in an expression: a silent wrong answer. */
export const SQLITE_VALUE_KEYWORDS: ReadonlySet<string> = new Set([
  'current_date',
  'current_time',
  'current_timestamp',
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `name` cannot be a Python identifier of this kind, or undefined when it can. */
export function pythonIdentifierProblem(name: string): string | undefined {
  if (!IDENTIFIER.test(name))
    return `"${name}" is not a Python identifier (letters, digits and _, not starting with a digit)`;
  if (PYTHON_KEYWORDS.has(name)) return `"${name}" is a Python keyword`;
  return undefined;
}

/** Why `name` cannot be a bare SQLite column or table name, or undefined when it can. */
export function sqliteNameProblem(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (SQLITE_REJECTED_NAMES.has(lower))
    return `"${name}" is an SQLite keyword that SQLite rejects as a bare column or table name (see https://sqlite.org/lang_keywords.html); choose another name`;
  if (SQLITE_VALUE_KEYWORDS.has(lower))
    return `"${name}" is an SQLite keyword: a bare ${lower} in a query reads as the current time, not as the column; choose another name`;
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
  return sqliteNameProblem(name);
}

/**
 * Why a field cannot take `name` when its annotation names `typeNames` (e.g. `datetime: datetime`):
 * in the class body the name would then be the field's default, not the type, and the model breaks.
 */
export function ownTypeNameProblem(name: string, typeNames: readonly string[]): string | undefined {
  if (!typeNames.includes(name)) return undefined;
  return `"${name}" is also the name of its own type ${name}: in the class body "${name}" would then mean the field, not the type, and the model would not import; choose another name`;
}

/** Why `name` cannot be an SQL table name, or undefined when it can. */
export function sqlIdentifierProblem(name: string): string | undefined {
  if (!IDENTIFIER.test(name)) return `"${name}" is not a safe SQL identifier (letters, digits and _ only)`;
  return sqliteNameProblem(name);
}
