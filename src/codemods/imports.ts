/** Ensuring `from module import name` / `import module` statements exist, in the file's own layout. */
import type { Edit } from './codemod';
import type { SyntaxNode } from '../python-syntax/parse';
import { findAll } from '../python-syntax/parse';
import { afterTrailingComment } from '../python-syntax/sequence';

export interface ImportNeed {
  module: string;
  /** Empty for a plain `import module`. */
  name: string;
}

const STDLIB = new Set(['datetime', 'uuid', 'typing', 'json', 'enum', 'collections', 'decimal', 'pathlib']);

/** isort's default order: CONSTANTS, then Classes, then functions, each alphabetically. */
export function compareImportNames(a: string, b: string): number {
  const rank = (n: string) =>
    n.length > 1 && n === n.toUpperCase() ? 0 : n[0] === n[0]!.toUpperCase() ? 1 : 2;
  return rank(a) - rank(b) || a.toLowerCase().localeCompare(b.toLowerCase()) || a.localeCompare(b);
}

function isSorted(names: string[]): boolean {
  return names.every((n, i) => i === 0 || compareImportNames(names[i - 1]!, n) <= 0);
}

/** Names bound at module level by imports, classes, functions and assignments. */
export function boundNames(root: SyntaxNode): Set<string> {
  const names = new Set<string>();
  for (const stmt of root.namedChildren) {
    if (stmt.type === 'import_from_statement') {
      for (const n of stmt.childrenForFieldName('name')) {
        names.add(n.type === 'aliased_import' ? (n.childForFieldName('alias')?.text ?? '') : n.text);
      }
    } else if (stmt.type === 'import_statement') {
      for (const n of stmt.childrenForFieldName('name')) {
        names.add(
          n.type === 'aliased_import' ? (n.childForFieldName('alias')?.text ?? '') : n.text.split('.')[0]!,
        );
      }
    } else if (stmt.type === 'class_definition' || stmt.type === 'function_definition') {
      names.add(stmt.childForFieldName('name')?.text ?? '');
    } else if (stmt.type === 'decorated_definition') {
      names.add(stmt.childForFieldName('definition')?.childForFieldName('name')?.text ?? '');
    }
  }
  return names;
}

/** Edits adding the missing imports; also returns one change line per import added. */
export function importEdits(
  source: string,
  root: SyntaxNode,
  needs: ImportNeed[],
): { edits: Edit[]; changes: string[] } {
  const bound = boundNames(root);
  const edits: Edit[] = [];
  const changes: string[] = [];
  const pending = new Map<string, string[]>();
  const plain: string[] = [];
  for (const need of needs) {
    const binding = need.name || need.module.split('.')[0]!;
    if (bound.has(binding)) continue;
    bound.add(binding);
    if (!need.name) plain.push(need.module);
    else pending.set(need.module, [...(pending.get(need.module) ?? []), need.name]);
  }
  const topImports = root.namedChildren.filter(
    (s) =>
      s.type === 'import_from_statement' ||
      s.type === 'import_statement' ||
      s.type === 'future_import_statement',
  );
  const newLines: { module: string; line: string }[] = [];
  for (const [module, names] of pending) {
    const existing = topImports.find(
      (s) => s.type === 'import_from_statement' && s.childForFieldName('module_name')?.text === module,
    );
    if (existing) {
      const nameNodes = existing.childrenForFieldName('name');
      const last = nameNodes[nameNodes.length - 1]!;
      const parenthesized = existing.children.some((c) => c.type === '(');
      const multiLine = parenthesized && last.startPosition.row !== existing.startPosition.row;
      if (multiLine) {
        const indent =
          /^[ \t]*/.exec(source.slice(source.lastIndexOf('\n', last.startIndex - 1) + 1))?.[0] ?? '    ';
        const after = existing.children[existing.children.indexOf(last) + 1];
        // A `# note` after the last name stays on its line; the new names go below it.
        if (after?.type === ',') {
          const at = afterTrailingComment(source, after.endIndex);
          edits.push({ start: at, end: at, text: names.map((n) => `\n${indent}${n},`).join('') });
        } else {
          const at = afterTrailingComment(source, last.endIndex);
          edits.push({
            start: last.endIndex,
            end: at,
            text: `,${source.slice(last.endIndex, at)}${names.map((n) => `\n${indent}${n}`).join(',')}`,
          });
        }
      } else {
        const first = nameNodes[0]!;
        const current = nameNodes.map((n) => n.text);
        const sorted = isSorted(current);
        const all = sorted ? [...current, ...names].sort(compareImportNames) : [...current, ...names];
        // A sorted line (isort's default order) stays sorted; any other order gets the names appended.
        const simple = nameNodes.every((n) => n.type === 'dotted_name');
        if (sorted && simple)
          edits.push({ start: first.startIndex, end: last.endIndex, text: all.join(', ') });
        else
          edits.push({ start: last.endIndex, end: last.endIndex, text: names.map((n) => `, ${n}`).join('') });
      }
      changes.push(`import ${names.join(', ')} from ${module}`);
    } else {
      newLines.push({ module, line: `from ${module} import ${names.join(', ')}` });
      changes.push(`import ${names.join(', ')} from ${module}`);
    }
  }
  for (const module of plain) {
    newLines.push({ module, line: `import ${module}` });
    changes.push(`import ${module}`);
  }
  for (const { module, line } of newLines) {
    const isStd = STDLIB.has(module.split('.')[0]!);
    const plainImport = line.startsWith('import ');
    // The group the new line belongs to: the standard library, or the imports of the same package.
    let group = topImports.filter((s) =>
      isStd ? STDLIB.has(moduleOf(s).split('.')[0]!) : moduleOf(s).split('.')[0] === module.split('.')[0],
    );
    // A package the file does not import yet: isort's third-party block — the first of several
    // non-standard blocks (the last one is the project's own).
    if (!isStd && group.length === 0) {
      const blocks = importBlocks(topImports).filter((b) =>
        b.every((s) => s.type !== 'future_import_statement' && !STDLIB.has(moduleOf(s).split('.')[0]!)),
      );
      if (blocks.length >= 2) group = blocks[0]!;
    }
    let anchor: SyntaxNode | undefined;
    let before = false;
    // isort's order inside a group: `import x` lines first, then `from x import`, each by module name.
    const later = group.find((s) => {
      const isPlain = s.type === 'import_statement';
      if (plainImport && !isPlain) return true;
      if (!plainImport && isPlain) return false;
      return moduleOf(s).toLowerCase() > module.toLowerCase();
    });
    if (later) {
      anchor = later;
      before = true;
    } else if (group.length > 0) {
      anchor = group[group.length - 1];
    } else if (isStd) {
      anchor = topImports.find((s) => s.type !== 'future_import_statement');
      before = anchor !== undefined;
      if (anchor && before) {
        edits.push({ start: anchor.startIndex, end: anchor.startIndex, text: `${line}\n\n` });
        continue;
      }
    } else {
      anchor = topImports[topImports.length - 1];
    }
    if (anchor && before) {
      edits.push({ start: anchor.startIndex, end: anchor.startIndex, text: `${line}\n` });
    } else if (anchor) {
      // After the anchor's trailing `# comment`, if any: the comment stays on its own import.
      const at = afterTrailingComment(source, anchor.endIndex);
      edits.push({ start: at, end: at, text: `\n${line}` });
    } else {
      const first = root.namedChildren[0];
      const isDocstring = first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string';
      if (isDocstring) {
        const at = afterTrailingComment(source, first.endIndex);
        edits.push({ start: at, end: at, text: `\n\n${line}` });
      } else {
        // PEP 8: two blank lines between the imports and a top-level definition.
        const def = first && /^(class|def|async|@)/.test(first.text);
        edits.push({ start: 0, end: 0, text: `${line}\n${def ? '\n\n' : ''}` });
      }
    }
  }
  return { edits, changes };
}

/** The top-level imports in blocks that blank lines (or other statements) separate. */
function importBlocks(imports: SyntaxNode[]): SyntaxNode[][] {
  const blocks: SyntaxNode[][] = [];
  let prev: SyntaxNode | undefined;
  for (const s of imports) {
    const adjacent =
      prev !== undefined && s.startPosition.row === prev.endPosition.row + 1 && prev.nextNamedSibling === s;
    if (adjacent) blocks[blocks.length - 1]!.push(s);
    else blocks.push([s]);
    prev = s;
  }
  return blocks;
}

function moduleOf(stmt: SyntaxNode): string {
  if (stmt.type === 'import_from_statement') return stmt.childForFieldName('module_name')?.text ?? '';
  return stmt.childForFieldName('name')?.text ?? findAll(stmt, 'dotted_name')[0]?.text ?? '';
}
