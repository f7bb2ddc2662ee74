/** Phase 2 (and 3 for a service's own INSERT): the new column in every `INSERT INTO <table>` of a file. */
import { z } from 'zod';
import type { SyntaxNode } from '../python-syntax/parse';
import { enclosingFunction, findAll, parsePython } from '../python-syntax/parse';
import { appendElement, elementsOf } from '../python-syntax/sequence';
import { finish, skipped, unchanged, type Codemod, type Edit, type RefusedSite } from './codemod';
import { fieldOptionsSchema, pyString, toDatabase } from './field';
import { importEdits } from './imports';
import { modelContextSchema, mirror } from './model-context';
import { appendItemEdits, hasName, insertRegex, parseInsert } from './sql';
import { builtColumnList } from './built-column-list';
import { lineIndentAt } from '../python-syntax/parse';

const options = fieldOptionsSchema.merge(modelContextSchema).extend({
  table: z.string(),
  /** Only INSERTs inside this function (a service method editing its own INSERT in phase 3). */
  onlyFunction: z.string().optional(),
  /** Leave the INSERTs of this function alone (phase 3 owns them). */
  exceptFunction: z.string().optional(),
  /** Whether the value may be a bare name (a parameter of the function) rather than `obj.field`. */
  allowBareName: z.boolean().default(false),
  /** Functions (`Class.method` or `function`) a person edits by hand: their refused INSERTs are skipped. */
  byHand: z.array(z.string()).default([]),
});

/** The parameters argument of the call that runs the SQL string `str` (a literal or the variable holding it). */
export function insertParams(str: SyntaxNode): SyntaxNode | undefined {
  let holder: SyntaxNode = str;
  while (holder.parent?.type === 'parenthesized_expression' || holder.parent?.type === 'concatenated_string')
    holder = holder.parent;
  const parent = holder.parent;
  let call: SyntaxNode | undefined;
  if (parent?.type === 'argument_list' && parent.namedChildren[0]?.startIndex === holder.startIndex)
    call = parent.parent ?? undefined;
  else if (parent?.type === 'assignment' && parent.childForFieldName('left')?.type === 'identifier') {
    const name = parent.childForFieldName('left')!.text;
    const scope = enclosingFunction(str)?.fn ?? str.tree.rootNode;
    call = findAll(scope, 'call').find(
      (c) => c.childForFieldName('arguments')?.namedChildren[0]?.text === name,
    );
  }
  const args = call?.childForFieldName('arguments');
  let params = args?.namedChildren[1];
  if (params?.type === 'identifier') {
    const scope = enclosingFunction(str)?.fn ?? str.tree.rootNode;
    const assigned = findAll(scope, 'assignment').filter(
      (a) => a.childForFieldName('left')?.text === params!.text,
    );
    params = assigned[assigned.length - 1]?.childForFieldName('right') ?? undefined;
  }
  // `executemany(sql, [(b.id, b.url) for b in items])`: the row is the comprehension's body.
  if (params && ['list_comprehension', 'generator_expression'].includes(params.type))
    params = params.childForFieldName('body') ?? undefined;
  return params && ['tuple', 'list', 'dictionary'].includes(params.type) ? params : undefined;
}

export const addInsertColumn: Codemod<z.infer<typeof options>> = {
  id: 'add-insert-column',
  description:
    'Adds the column, a placeholder, the value (converted like its siblings: isoformat, str, .value, json.dumps) and, in an upsert whose `DO UPDATE SET` refreshes columns from `excluded`, `<col> = excluded.<col>` to every `INSERT INTO <table>` whose SQL is one string literal and whose parameters are a literal tuple/list/dict (possibly through a local variable, or the row of a comprehension for `executemany`); a column list built by an f-string as `{", ".join(columns)}` over a list literal of names gets the column in that list (placeholders built from the list follow it); other shapes are refused, each with its line.',
  options,
  transform(source, p) {
    const root = parsePython(source).rootNode;
    const edits: Edit[] = [];
    const changes: string[] = [];
    const warnings: string[] = [];
    const problems: RefusedSite[] = [];
    let found = 0;
    let needsJson = false;
    for (const str of findAll(root, 'string')) {
      if (!insertRegex(p.table).test(str.text)) continue;
      const fn = enclosingFunction(str);
      const fnName = fn ? (fn.fn.childForFieldName('name')?.text ?? '') : '<module>';
      if (p.onlyFunction && fnName !== p.onlyFunction) continue;
      if (p.exceptFunction && fnName === p.exceptFunction) continue;
      const qualified = `${fn?.className ? `${fn.className}.` : ''}${fnName}`;
      const line = str.startPosition.row + 1;
      const where = `INSERT INTO ${p.table} in ${qualified} (line ${line})`;
      // A place this codemod cannot edit: refused, or left to a person who said they edit it by hand.
      const refuse = (reason: string) => {
        if (p.byHand.includes(qualified))
          warnings.push(`left to be edited by hand (handled_by_hand): ${where}: ${reason}`);
        else problems.push({ function: qualified, line, reason: `${where}: ${reason}` });
      };
      const sql = parseInsert(str.text, p.table);
      if (!sql) {
        refuse(`cannot read its column list and VALUES`);
        continue;
      }
      const built = builtColumnList(str, sql);
      if (typeof built === 'string') {
        refuse(`${built}`);
        continue;
      }
      found++;
      const names = built ? built.names : sql.names;
      if (hasName(names, p.field)) continue;
      const params = insertParams(str);
      if (!params) {
        refuse(`its parameters are not a literal tuple, list or dict (nor a comprehension of one)`);
        continue;
      }
      const named = !built && sql.values.every((v) => v.text.startsWith(':'));
      const elements = elementsOf(params);
      if (built) {
        if (params.type === 'dictionary' || elements.length !== names.length) {
          refuse(
            `${names.length} columns in ${built.list.parent?.childForFieldName('left')?.text ?? 'its column list'} and ${elements.length} parameters do not line up`,
          );
          continue;
        }
      } else if (sql.names.length !== sql.values.length || (!named && elements.length !== sql.names.length)) {
        refuse(
          `${sql.names.length} columns, ${sql.values.length} placeholders and ${elements.length} parameters do not line up`,
        );
        continue;
      }
      const siblings = named
        ? elements
            .filter((e) => e.type === 'pair')
            .map((e) => ({
              field: (e.childForFieldName('key')?.text ?? '').replace(/^["']|["']$/g, ''),
              text: e.childForFieldName('value')?.text ?? '',
            }))
        : names.map((name, i) => ({ field: name, text: elements[i]!.text }));
      let value = mirror(p, siblings, p.allowBareName);
      if (!value) {
        const owners = siblings
          .map((s) => /^(?:\w+\()?(\w+)\./.exec(s.text)?.[1])
          .filter((o): o is string => !!o);
        const counts = new Map<string, number>();
        for (const o of owners) counts.set(o, (counts.get(o) ?? 0) + 1);
        const owner = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
        if (owner && owner !== 'json' && owner !== 'self') value = toDatabase(p, `${owner}.${p.field}`);
        else if (p.allowBareName) value = toDatabase(p, p.field);
      }
      if (!value) {
        warnings.push(
          `${where}: no value for ${p.field} could be derived; left out (the column default applies)`,
        );
        continue;
      }
      if (value.includes('json.')) needsJson = true;
      if (built) {
        const listQuote = built.list.namedChildren.find((c) => c.type === 'string')?.text.startsWith("'")
          ? "'"
          : '"';
        edits.push(appendElement(source, built.list, pyString(p.field, listQuote)));
        if (built.placeholders === 'literal') {
          const lastVal = sql.values[sql.values.length - 1]!;
          edits.push({ start: str.startIndex + lastVal.end, end: str.startIndex + lastVal.end, text: ', ?' });
        }
        edits.push(appendElement(source, params, value));
        changes.push(
          `${where}: ${pyString(p.field, listQuote)} appended to the column list it is built from (line ${built.list.startPosition.row + 1})${built.placeholders === 'literal' ? ', a placeholder' : ''}, value ${value}`,
        );
        continue;
      }
      const lastCol = sql.columns[sql.columns.length - 1]!;
      const lastVal = sql.values[sql.values.length - 1]!;
      edits.push({
        start: str.startIndex + lastCol.end,
        end: str.startIndex + lastCol.end,
        text: `, ${p.field}`,
      });
      edits.push({
        start: str.startIndex + lastVal.end,
        end: str.startIndex + lastVal.end,
        text: named ? `, :${p.field}` : ', ?',
      });
      // An upsert that refreshes its row from `excluded` (most of the inserted columns; creation-time
      // ones may stay) refreshes the new column too; a narrow SET list (a status touch) is left alone.
      const updates = sql.updates ?? [];
      const refreshed = updates
        .map((u) => /^["`[]?(\w+)["`\]]?\s*=\s*excluded\./i.exec(u.text)?.[1]?.toLowerCase())
        .filter((n): n is string => !!n);
      const payload = sql.names.filter((n) => !/^(id|uuid|pk|key)$/i.test(n));
      const refreshes = refreshed.length > 0 && refreshed.length * 2 >= payload.length;
      if (refreshes) {
        const last = updates[updates.length - 1]!;
        const multiLine = str.text.slice(updates[0]!.start, last.start).includes('\n');
        const indent = lineIndentAt(source, str.startIndex + last.start);
        for (const e of appendItemEdits(
          str.text,
          last,
          `${p.field} = excluded.${p.field}`,
          multiLine,
          indent,
        ))
          edits.push({ start: str.startIndex + e.start, end: str.startIndex + e.end, text: e.text });
      } else if (refreshed.length > 0) {
        warnings.push(
          `${where}: its DO UPDATE SET refreshes only ${refreshed.join(', ')}; ${p.field} is not added to it (a conflicting insert keeps the stored ${p.field})`,
        );
      }
      const quote = params.text.includes("'") && !params.text.includes('"') ? "'" : '"';
      edits.push(appendElement(source, params, named ? `${pyString(p.field, quote)}: ${value}` : value));
      changes.push(
        `${where}: column ${p.field}, value ${value}${refreshes ? `, ${p.field} = excluded.${p.field} in its DO UPDATE SET` : ''}`,
      );
    }
    if (problems.length > 0)
      return {
        status: 'failed',
        source,
        changes: [],
        reason: problems.map((x) => x.reason).join('; '),
        warnings,
        sites: problems,
      };
    if (found === 0) return { ...skipped(source, `no INSERT INTO ${p.table} here`), warnings };
    if (edits.length === 0)
      return { ...unchanged(source, `every INSERT INTO ${p.table} already has ${p.field}`), warnings };
    if (needsJson) {
      const imports = importEdits(source, root, [{ module: 'json', name: '' }]);
      edits.push(...imports.edits);
      changes.push(...imports.changes);
    }
    return finish(source, edits, changes, warnings);
  },
};
