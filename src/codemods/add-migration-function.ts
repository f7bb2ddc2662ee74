/**
 * Phase 2, for a project with no migration code at all: creates an empty migration function beside
 * the function that executes the table's CREATE TABLE (a method of its class, or a module function
 * taking the connection), async when that function is, and calls it right after the CREATE TABLE
 * statement — so a database an older version created gains new columns when it is opened.
 * `add-column-migration` then fills the function with the reference column block.
 */
import { z } from 'zod';
import type { SyntaxNode } from '../python-syntax/parse';
import { findAll, indentUnit, lineEnd, lineIndentAt, parsePython, stringValue } from '../python-syntax/parse';
import { CodemodRefusal, finish, unchanged, type Codemod } from './codemod';
import { connectionVariable, findFunction } from './add-column-migration';

const options = z.object({
  table: z.string(),
  /** The function to create. */
  method: z.string().default('_run_migrations'),
  /** The function that executes the table's CREATE TABLE. */
  after: z.string(),
  className: z.string().optional(),
});

/** The statement (directly in a block) of `fn` that executes the CREATE TABLE of `table`. */
function createStatement(fn: SyntaxNode, root: SyntaxNode, table: string): SyntaxNode | undefined {
  const re = new RegExp(`CREATE\\s+TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?["'\`[]?${table}\\b`, 'i');
  let node = findAll(fn, 'string').find((s) => re.test(stringValue(s) ?? ''));
  if (!node) {
    // The SQL kept in a module or class constant: the statement that uses the constant.
    const names = findAll(root, 'assignment')
      .filter((a) => findAll(a, 'string').some((s) => re.test(stringValue(s) ?? '')))
      .map((a) => a.childForFieldName('left')?.text)
      .filter((n): n is string => Boolean(n));
    node = findAll(fn, ['identifier', 'attribute']).find((n) =>
      names.some((name) => n.text === name || n.text.endsWith(`.${name}`)),
    );
  }
  let stmt: SyntaxNode | null | undefined = node;
  while (stmt && stmt.parent?.type !== 'block') stmt = stmt.parent;
  return stmt ?? undefined;
}

export const addMigrationFunction: Codemod<z.infer<typeof options>> = {
  id: 'add-migration-function',
  description:
    'For a project without migration code: creates an empty migration function beside the function that executes the CREATE TABLE (a method, or a module function taking the connection; async when it is) and calls it right after the CREATE TABLE statement.',
  options,
  transform(source, p) {
    const root = parsePython(source).rootNode;
    const owner = p.className ? `${p.className}.` : '';
    if (findFunction(root, p.method, p.className)) {
      return unchanged(source, `${owner}${p.method} already exists`);
    }
    const schema = findFunction(root, p.after, p.className);
    if (!schema) throw new CodemodRefusal(`${owner}${p.after} not found`);
    const stmt = createStatement(schema, root, p.table);
    if (!stmt) {
      throw new CodemodRefusal(`${owner}${p.after} does not execute the CREATE TABLE of ${p.table}`);
    }
    const isAsync = schema.children.some((c) => c.type === 'async');
    const params = schema.childForFieldName('parameters')?.namedChildren ?? [];
    const first = params[0];
    const firstName = first?.type === 'identifier' ? first.text : (first?.namedChildren[0]?.text ?? '');
    const isMethod = Boolean(p.className) && (firstName === 'self' || firstName === 'cls');
    const conn = connectionVariable(schema);
    const u = indentUnit(source);
    const aw = isAsync ? 'await ' : '';
    const call = isMethod ? `${firstName}.${p.method}()` : `${p.method}(${conn})`;
    const callAt = lineEnd(source, stmt.endIndex);
    const callText = `${lineIndentAt(source, stmt.startIndex)}${aw}${call}\n`;

    // The new function: beside the schema function (after its decorators' node), in its style.
    const node = schema.parent?.type === 'decorated_definition' ? schema.parent : schema;
    const ind = lineIndentAt(source, node.startIndex);
    let signature: string;
    if (isMethod) {
      signature = `${firstName}`;
    } else {
      // The connection's annotation as the schema function declares it, when it is a parameter.
      const param = params.find(
        (q) => (q.type === 'identifier' ? q.text : q.namedChildren[0]?.text) === conn,
      );
      const annotation = param?.childForFieldName('type')?.text;
      signature = `${conn}${annotation ? `: ${annotation}` : ''}`;
    }
    // The schema function's checks that the connection is open (they keep mypy's narrowing).
    const asserts = (schema.childForFieldName('body')?.namedChildren ?? []).filter(
      (s) => s.type === 'assert_statement' && s.text.includes(conn),
    );
    const lines = [
      `${isAsync ? 'async ' : ''}def ${p.method}(${signature}) -> None:`,
      `${u}"""Adds the columns newer code expects to tables an older version created (idempotent)."""`,
      ...asserts.map((a) => `${u}${a.text}`),
      `${u}pass`,
    ];
    const blank = isMethod ? '\n' : '\n\n';
    const fnAt = lineEnd(source, node.endIndex);
    const fnText = `${blank}${lines.map((l) => `${ind}${l}`).join('\n')}\n`;
    const where = `${owner}${p.after}()`;
    return finish(
      source,
      [
        { start: callAt, end: callAt, text: callText },
        { start: fnAt, end: fnAt, text: fnText },
      ],
      [
        `${owner}${p.method}(): created (no migration code yet), called after the CREATE TABLE ${p.table} in ${where}`,
      ],
      [
        `no migration code was found: a reference migration ${owner}${p.method}() is created and called in ${where} right after the CREATE TABLE ${p.table}, so a database an older version created gains the new column when opened`,
      ],
    );
  },
};
