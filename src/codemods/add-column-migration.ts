/**
 * Phase 2: an idempotent, PRAGMA-checked `ALTER TABLE ... ADD COLUMN` block in `_run_migrations()`,
 * copied from the method's last block for the same table where that block sits (inside a table's
 * `if <table> exists:` guard too: its comment, report lines and commit), or the reference pattern
 * when the table has none yet. The block is reachable by an old database: a `PRAGMA user_version`
 * gate in its way gets a raised version (see migration-shape.ts).
 */
import { z } from 'zod';
import type { SyntaxNode } from '../python-syntax/parse';
import {
  dominantQuote,
  findAll,
  functionsOf,
  indentUnit,
  lineEnd,
  lineIndentAt,
  lineStart,
  parsePython,
  stringValue,
} from '../python-syntax/parse';
import { CodemodRefusal, applyEdits, finish, unchanged, type Codemod, type Edit } from './codemod';
import { columnDefinition, fieldOptionsSchema, pyString } from './field';
import { isCheck, migrationChecks, reporterOf, versionBumpEdits } from './migration-shape';

export { migrationChecks } from './migration-shape';
import { literalEntryText } from './literal-text';
import { listEntryEdit, listForTable, listedColumns, migrationLists } from './migration-list';

const options = fieldOptionsSchema.extend({
  table: z.string(),
  sqlType: z.string(),
  method: z.string().default('_run_migrations'),
  className: z.string().optional(),
  /** The connection variable, when the function does not show it yet (one just created). */
  connection: z.string().optional(),
});

const COMPOUND = [
  'if_statement',
  'for_statement',
  'while_statement',
  'with_statement',
  'try_statement',
  'function_definition',
  'class_definition',
  'decorated_definition',
];

/** The `_run_migrations` function (in `className` when given); refuses when several match. */
export function findFunction(root: SyntaxNode, name: string, className?: string): SyntaxNode | undefined {
  const found = functionsOf(root).filter((f) => f.name === name && (!className || f.className === className));
  if (found.length > 1) {
    throw new CodemodRefusal(
      `${name} is defined ${found.length} times (${found.map((f) => `${f.className ? `${f.className}.` : ''}${f.name} line ${f.fn.startPosition.row + 1}`).join(', ')})`,
    );
  }
  return found[0]?.fn;
}

/** The variable the method executes SQL on (`conn`, `self._conn`, `db`). */
export function connectionVariable(fn: SyntaxNode): string {
  for (const call of findAll(fn, 'call')) {
    const f = call.childForFieldName('function');
    if (f?.type === 'attribute' && f.childForFieldName('attribute')?.text === 'execute') {
      return f.childForFieldName('object')!.text;
    }
  }
  const params = fn.childForFieldName('parameters')?.namedChildren ?? [];
  const conn = params
    .map((p) => (p.type === 'identifier' ? p.text : (p.namedChildren[0]?.text ?? '')))
    .find((n) => /conn|db/.test(n));
  return conn ?? 'conn';
}

export const addColumnMigration: Codemod<z.infer<typeof options>> = {
  id: 'add-column-migration',
  description:
    'Adds `if "<col>" not in <names>: ALTER TABLE <t> ADD COLUMN <col> <def>` (+ commit) to `_run_migrations()`, copying the last block for the same table where it sits (inside an `if <table> exists:` guard too), or the reference block (with `await` only in an async method, logging the way the module does). The column definition follows SQLite ADD COLUMN rules (no PRIMARY KEY/UNIQUE/REFERENCES, NOT NULL only with a constant default). When a `PRAGMA user_version` gate would keep an old database from the block, the schema version is raised by one.',
  options,
  transform(source, p) {
    const root = parsePython(source).rootNode;
    const fn = findFunction(root, p.method, p.className);
    if (!fn) throw new CodemodRefusal(`${p.className ? `${p.className}.` : ''}${p.method} not found`);
    const body = fn.childForFieldName('body')!;
    const def = columnDefinition(p, p.sqlType);
    const alterRe = new RegExp(
      `ALTER\\s+TABLE\\s+["\`]?${p.table}["\`]?\\s+ADD\\s+(COLUMN\\s+)?["\`]?${p.field}\\b`,
      'i',
    );
    if (findAll(fn, 'string').some((s) => alterRe.test(stringValue(s) ?? ''))) {
      return unchanged(source, `${p.method} already adds ${p.table}.${p.field}`);
    }
    // Migrations kept as entries of a collection a loop applies: one more entry, no block beside it.
    const list = migrationLists(fn, root).find((l) => listForTable(l, p.table));
    if (list) {
      const listed = listedColumns(list, p.table).find((c) => c.toLowerCase() === p.field.toLowerCase());
      if (listed) return unchanged(source, `${p.method} already lists ${p.table}.${listed}`);
      const bump = versionBumpEdits(fn, root, list.loop.startIndex);
      const line = list.collection.startPosition.row + 1;
      return finish(
        source,
        [listEntryEdit(source, list, p.table, p.field, def), ...bump.edits],
        [
          `${p.table}.${p.field}: ADD COLUMN ${def} as a new entry of the migrations applied by the loop in ${p.method}() (line ${line})`,
          ...(bump.change ? [bump.change] : []),
        ],
      );
    }
    const checks = migrationChecks(body);
    const sameTable = (t?: string) => t?.toLowerCase() === p.table.toLowerCase();
    const existing = checks.find(
      (c) => sameTable(c.table) && c.column.toLowerCase() === p.field.toLowerCase(),
    );
    if (existing) return unchanged(source, `${p.method} already checks ${p.table}.${existing.column}`);
    const template = [...checks].reverse().find((c) => sameTable(c.table));
    const reporter = reporterOf(root);
    const edits: Edit[] = [];
    let text: string;
    let at: number;
    if (template) {
      // The unit: the statements since the previous check block (comments included), when they query
      // this table; in the block that holds the template (a table's guard, or the method body).
      const siblings = template.stmt.parent!.namedChildren;
      const index = siblings.indexOf(template.stmt);
      let first = index;
      while (first > 0) {
        const prev = siblings[first - 1]!;
        // Another block, a version gate, a loop: not part of this table's column read.
        if (isCheck(prev) || COMPOUND.includes(prev.type) || /user_version/i.test(prev.text)) break;
        if (
          prev.type === 'expression_statement' &&
          prev.namedChildren[0]?.type === 'string' &&
          first - 1 === 0
        )
          break;
        first--;
      }
      const unitNodes = siblings.slice(first, index + 1);
      // Each block re-reads the columns (one PRAGMA per block, or a lone block introduced by its own
      // comment) → copy the whole unit; one PRAGMA shared by several blocks → copy only the check.
      const pragma = new RegExp(`table_info\\(["'\`]?${p.table}\\b`, 'i');
      const pragmas = findAll(body, 'string').filter((str) => pragma.test(str.text)).length;
      const ownChecks = checks.filter((c) => sameTable(c.table)).length;
      const commented = unitNodes.some((n) => n.type === 'comment');
      const queriesTable =
        unitNodes.some((n) => pragma.test(n.text)) && (pragmas > 1 || (ownChecks === 1 && commented));
      const startNode = queriesTable ? unitNodes[0]! : template.stmt;
      const start = lineStart(source, startNode.startIndex);
      const end = template.stmt.endIndex;
      // Rename the old column only in comments and in the check block's strings: never in code.
      const renames: Edit[] = [];
      const oldName = new RegExp(`\\b${template.column}\\b`, 'g');
      const targets = [
        ...unitNodes.filter((n) => n.type === 'comment'),
        ...findAll(template.stmt, ['string_content', 'comment']),
      ];
      // The ALTER may be one literal or an implicit concatenation ("ALTER TABLE t " "ADD COLUMN c T "
      // "NOT NULL DEFAULT 3"): the definition runs to the end of the SQL, across pieces too.
      const dropped: { start: number; end: number }[] = [];
      let defWritten = false;
      for (const node of targets) {
        let replaced = node.text.replace(oldName, p.field);
        const str = node.parent;
        const concat = str?.parent?.type === 'concatenated_string' ? str.parent : undefined;
        const sql = concat ? (stringValue(concat) ?? '') : replaced;
        const open = str?.type === 'string' ? (str.namedChildren[0]?.text ?? '') : '';
        const quote = open.slice(-1);
        const triple = open.endsWith(quote.repeat(3));
        let requote = false;
        if (
          node.type === 'string_content' &&
          /ADD\s+(COLUMN\s+)?["`]?\w/i.test(replaced) &&
          /ALTER\s+TABLE/i.test(sql)
        ) {
          // The definition carries the spec's default: escaped for this literal (or for the other quote,
          // when the literal is requoted below), inserted verbatim (a function replacer: `$1` stays text).
          const other = quote === '"' ? "'" : '"';
          requote = Boolean(quote) && !triple && def.includes(quote) && !def.includes(other);
          const inLiteral = literalEntryText(def, requote ? `${open.slice(0, -1)}${other}` : open);
          // The whole old definition goes, however many lines it spans: only the new column's remains.
          replaced = replaced.replace(
            /(ADD\s+(?:COLUMN\s+)?)["`]?\w+["`]?[\s\S]*?(\s*;?\s*)$/i,
            (_all, head: string, tail: string) => {
              defWritten = true;
              return `${head}${inLiteral}${tail}`;
            },
          );
          if (concat && str!.endIndex < concat.endIndex) {
            dropped.push({ start: str!.endIndex, end: concat.endIndex });
            renames.push({ start: str!.endIndex - start, end: concat.endIndex - start, text: '' });
          }
        }
        if (node.type === 'string_content' && replaced !== node.text && quote && !triple && requote) {
          // `'... DEFAULT 'x''` would end the literal early: requote the whole string.
          const other = quote === '"' ? "'" : '"';
          renames.push({
            start: str!.startIndex - start,
            end: str!.endIndex - start,
            text: `${open.slice(0, -1)}${other}${replaced}${other}`,
          });
          continue;
        }
        if (replaced !== node.text)
          renames.push({ start: node.startIndex - start, end: node.endIndex - start, text: replaced });
      }
      // A module that logs gets no print() from a copied block (stdout may be a protocol).
      if (reporter && reporter !== 'print') {
        for (const call of findAll(template.stmt, 'call')) {
          const f = call.childForFieldName('function');
          if (f?.type === 'identifier' && f.text === 'print')
            renames.push({ start: f.startIndex - start, end: f.endIndex - start, text: reporter });
        }
      }
      const kept = renames.filter(
        (r) => r.text === '' || !dropped.some((d) => r.start >= d.start - start && r.end <= d.end - start),
      );
      text = applyEdits(source.slice(start, end), kept);
      const gap = source.slice(lineEnd(source, siblings[index - 1]?.endIndex ?? start), start);
      const blank = queriesTable || /\n\s*\n/.test(`\n${gap}`) ? '\n' : '';
      at = lineEnd(source, end);
      text = `${blank}${text}\n`;
      if (!defWritten && !text.includes(def)) {
        throw new CodemodRefusal(
          `could not rewrite the ALTER TABLE of the ${template.column} block into ${def}`,
        );
      }
    } else {
      const q = dominantQuote(root);
      const conn = p.connection ?? connectionVariable(fn);
      const isAsync = fn.children.some((c) => c.type === 'async');
      const guarded = checks.some((c) => c.stmt.parent?.startIndex !== body.startIndex);
      const aw = isAsync ? 'await ' : '';
      const statements = body.namedChildren.filter((n) => n.type !== 'comment');
      // Before the closing `PRAGMA user_version = ...` stamp or `return`, else at the end.
      const closing = statements.find(
        (n, k) =>
          k > 0 &&
          (n.type === 'return_statement' || /PRAGMA\s+user_version\s*=/i.test(n.text)) &&
          statements
            .slice(k)
            .every((m) => m.type === 'return_statement' || /user_version|commit\(/.test(m.text)),
      );
      const last = body.namedChildren[body.namedChildren.length - 1]!;
      const i = lineIndentAt(source, last.startIndex);
      const u = indentUnit(source);
      const report = (message: string) => (reporter ? [`${u}${reporter}(${pyString(message, q)})`] : []);
      const unit = [
        `# Migration: add ${p.field} column to ${p.table}`,
        `cursor = ${aw}${conn}.execute(${pyString(`PRAGMA table_info(${p.table})`, q)})`,
        `columns = ${aw}cursor.fetchall()`,
        'column_names = [col[1] for col in columns]',
        '',
        // Where the other tables' blocks sit in `if <table> exists:` guards, the migrations run before
        // the tables are created: a table that does not exist yet has no columns and needs no ALTER.
        `if ${guarded ? 'column_names and ' : ''}${pyString(p.field, q)} not in column_names:`,
        ...report(`Migrating database schema: adding ${p.field} to ${p.table}`),
        `${u}${aw}${conn}.execute(${pyString(`ALTER TABLE ${p.table} ADD COLUMN ${def}`, q)})`,
        `${u}${aw}${conn}.commit()`,
        ...report(`Added ${p.field} column to ${p.table}`),
      ];
      // A function created empty (`pass`, after its docstring and asserts): the block replaces the pass.
      const onlyPass = last.type === 'pass_statement';
      text = unit.map((l) => (l ? `${i}${l}` : '')).join('\n') + '\n';
      if (onlyPass) {
        edits.push({ start: lineStart(source, last.startIndex), end: lineEnd(source, last.endIndex), text });
        return finish(source, edits, [
          `${p.table}.${p.field}: ALTER TABLE ADD COLUMN ${def} (new PRAGMA-checked block)`,
        ]);
      }
      if (closing) {
        at = lineStart(source, closing.startIndex);
        text = `${text}\n`;
      } else {
        at = lineEnd(source, last.endIndex);
        text = `\n${text}`;
      }
    }
    edits.push({ start: at, end: at, text });
    // Where the block lands, as a point inside the statements around it (the template's end).
    const bump = versionBumpEdits(fn, root, template ? template.stmt.endIndex : at);
    edits.push(...bump.edits);
    return finish(source, edits, [
      `${p.table}.${p.field}: PRAGMA-checked ALTER TABLE ADD COLUMN ${def} in ${p.method}()`,
      ...(bump.change ? [bump.change] : []),
    ]);
  },
};
