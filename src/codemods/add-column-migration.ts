/**
 * Phase 2: an idempotent, PRAGMA-checked `ALTER TABLE ... ADD COLUMN` block in `_run_migrations()`,
 * copied from the method's last block for the same table (its comment, print lines and commit), or
 * the reference pattern when the table has none yet.
 */
import { z } from 'zod';
import type { SyntaxNode } from '../python-syntax/parse';
import {
  dominantQuote,
  findAll,
  functionsOf,
  lineEnd,
  lineIndentAt,
  lineStart,
  parsePython,
  stringValue,
} from '../python-syntax/parse';
import { CodemodRefusal, applyEdits, finish, unchanged, type Codemod, type Edit } from './codemod';
import { columnDefinition, fieldOptionsSchema, pyString } from './field';
import { literalEntryText } from './literal-text';

const options = fieldOptionsSchema.extend({
  table: z.string(),
  sqlType: z.string(),
  method: z.string().default('_run_migrations'),
  className: z.string().optional(),
});

const CHECK = /^(["'])(\w+)\1\s+not\s+in\s+([\w.]+)$/;

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

interface Check {
  stmt: SyntaxNode;
  column: string;
  table?: string;
}

/** The `if "col" not in names:` blocks of a migration method, with the table each one alters. */
export function migrationChecks(body: SyntaxNode): Check[] {
  const checks: Check[] = [];
  for (const stmt of body.namedChildren) {
    if (stmt.type !== 'if_statement') continue;
    const match = CHECK.exec(stmt.childForFieldName('condition')?.text ?? '');
    if (!match) continue;
    const alter = findAll(stmt, 'string')
      .map((s) => /ALTER\s+TABLE\s+["`]?(\w+)/i.exec(stringValue(s) ?? ''))
      .find(Boolean);
    checks.push({ stmt, column: match[2]!, table: alter?.[1] });
  }
  return checks;
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
    'Adds `if "<col>" not in <names>: ALTER TABLE <t> ADD COLUMN <col> <def>` (+ commit) to `_run_migrations()`, copying the last block for the same table; the column definition follows SQLite ADD COLUMN rules (no PRIMARY KEY/UNIQUE/REFERENCES, NOT NULL only with a constant default). Statements must be direct children of the method body.',
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
    const checks = migrationChecks(body);
    const template = [...checks].reverse().find((c) => c.table === p.table);
    const edits: Edit[] = [];
    let text: string;
    let at: number;
    if (template) {
      // The unit: the statements since the previous check block (comments included), when they query this table.
      const siblings = body.namedChildren;
      const index = siblings.indexOf(template.stmt);
      let first = index;
      while (first > 0) {
        const prev = siblings[first - 1]!;
        if (prev.type === 'if_statement' && CHECK.test(prev.childForFieldName('condition')?.text ?? ''))
          break;
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
      const ownChecks = checks.filter((c) => c.table === p.table).length;
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
      let defWritten = false;
      for (const node of targets) {
        let replaced = node.text.replace(oldName, p.field);
        const str = node.parent;
        const open = str?.type === 'string' ? (str.namedChildren[0]?.text ?? '') : '';
        const quote = open.slice(-1);
        const triple = open.endsWith(quote.repeat(3));
        let requote = false;
        if (node.type === 'string_content' && /ADD\s+COLUMN/i.test(replaced)) {
          // The definition carries the spec's default: escaped for this literal (or for the other quote,
          // when the literal is requoted below), inserted verbatim.
          const other = quote === '"' ? "'" : '"';
          requote = Boolean(quote) && !triple && def.includes(quote) && !def.includes(other);
          const inLiteral = literalEntryText(def, requote ? `${open.slice(0, -1)}${other}` : open);
          replaced = replaced.replace(
            /(ADD\s+COLUMN\s+)["`]?\w+["`]?[^\n]*?([ \t]*(?:\n|$))/i,
            (_all, head: string, tail: string) => {
              defWritten = true;
              return `${head}${inLiteral}${tail}`;
            },
          );
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
      text = applyEdits(source.slice(start, end), renames);
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
      const conn = connectionVariable(fn);
      const last = body.namedChildren[body.namedChildren.length - 1]!;
      const i = lineIndentAt(source, last.startIndex);
      const unit = [
        `# Migration: add ${p.field} column to ${p.table}`,
        `cursor = await ${conn}.execute(${pyString(`PRAGMA table_info(${p.table})`, q)})`,
        'columns = await cursor.fetchall()',
        'column_names = [col[1] for col in columns]',
        '',
        `if ${pyString(p.field, q)} not in column_names:`,
        `    print(${pyString(`Migrating database schema: adding ${p.field} to ${p.table}`, q)})`,
        `    await ${conn}.execute(${pyString(`ALTER TABLE ${p.table} ADD COLUMN ${def}`, q)})`,
        `    await ${conn}.commit()`,
        `    print(${pyString(`Added ${p.field} column to ${p.table}`, q)})`,
      ];
      const onlyPass = body.namedChildren.length === 1 && last.type === 'pass_statement';
      text = unit.map((l) => (l ? `${i}${l}` : '')).join('\n') + '\n';
      if (onlyPass) {
        edits.push({ start: lineStart(source, last.startIndex), end: lineEnd(source, last.endIndex), text });
        return finish(source, edits, [
          `${p.table}.${p.field}: ALTER TABLE ADD COLUMN ${def} (new PRAGMA-checked block)`,
        ]);
      }
      at = lineEnd(source, last.endIndex);
      text = `\n${text}`;
    }
    edits.push({ start: at, end: at, text });
    return finish(source, edits, [
      `${p.table}.${p.field}: PRAGMA-checked ALTER TABLE ADD COLUMN ${def} in ${p.method}()`,
    ]);
  },
};
