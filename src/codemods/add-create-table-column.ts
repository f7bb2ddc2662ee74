/** Phase 2: the new column in every `CREATE TABLE <table>` statement of a file (fresh databases). */
import { z } from 'zod';
import { findAll, lineIndentAt, parsePython } from '../python-syntax/parse';
import { finish, skipped, unchanged, type Codemod, type Edit } from './codemod';
import { columnDefinition, fieldOptionsSchema } from './field';
import { literalEntryText } from './literal-text';
import { appendItemEdits, createTableRegex, hasName, parseCreateTable } from './sql';

const options = fieldOptionsSchema.extend({ table: z.string(), sqlType: z.string() });

export const addCreateTableColumn: Codemod<z.infer<typeof options>> = {
  id: 'add-create-table-column',
  description:
    'Appends `<col> <def>` after the last column definition (before table constraints; a `-- comment` closing its line stays there, after the comma) of every `CREATE TABLE <table>` held in a single string literal; statements built by concatenation or formatting are not edited.',
  options,
  transform(source, p) {
    const root = parsePython(source).rootNode;
    const def = columnDefinition(p, p.sqlType);
    const edits: Edit[] = [];
    let found = 0;
    let edited = 0;
    for (const str of findAll(root, 'string')) {
      if (!createTableRegex(p.table).test(str.text)) continue;
      const parsed = parseCreateTable(str.text, p.table);
      if (!parsed) continue;
      found++;
      if (hasName(parsed.names, p.field)) continue;
      const last = parsed.columns[parsed.columns.length - 1]!;
      const multiLine = str.text.slice(parsed.columns[0]!.start, last.start).includes('\n');
      edited++;
      const indent = lineIndentAt(source, str.startIndex + last.start);
      // The definition carries the spec's default: escaped for this literal (quotes, backslashes, f-string braces).
      const inLiteral = literalEntryText(def, str.text);
      for (const e of appendItemEdits(str.text, last, inLiteral, multiLine, indent))
        edits.push({ start: str.startIndex + e.start, end: str.startIndex + e.end, text: e.text });
    }
    if (found === 0) return skipped(source, `no CREATE TABLE ${p.table} in this file`);
    if (edits.length === 0)
      return unchanged(
        source,
        `CREATE TABLE ${p.table} already has ${p.field} (column names compare case-insensitively)`,
      );
    return finish(source, edits, [`${p.table}.${p.field}: ${def} in CREATE TABLE (${edited}×)`]);
  },
};
