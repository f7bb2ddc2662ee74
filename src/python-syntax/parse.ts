/** tree-sitter-python, loaded once: parsing, error location and small tree helpers shared by analysis and codemods. */
import path from 'node:path';
import type Parser from 'tree-sitter';

/**
 * tree-sitter's JavaScript wrapper must be loaded once per process: a second load (jest gives every
 * test file its own module registry, while the native addon is shared) wraps the already-wrapped
 * `Tree.prototype.rootNode` getter and every tree comes back without a root. So the first load is
 * kept on the shared native binding and reused.
 */
function loadTreeSitter(): { Parser: typeof Parser; Python: Parser.Language } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => Record<string, unknown>;
  const binding = nodeGypBuild(path.dirname(require.resolve('tree-sitter/package.json')));
  const key = '__pythonBackendSpecialistTreeSitter';
  if (!binding[key]) {
    binding[key] = {
      Parser: require('tree-sitter') as typeof Parser,
      // tree-sitter-python ships no type declarations; it is the language object `setLanguage` takes.
      Python: require('tree-sitter-python') as Parser.Language,
    };
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
  return binding[key] as { Parser: typeof Parser; Python: Parser.Language };
}

export type SyntaxNode = Parser.SyntaxNode;
export type Tree = Parser.Tree;

let parser: Parser | undefined;

/** Parses Python source; offsets of the returned nodes are JavaScript string offsets into `source`. */
export function parsePython(source: string): Tree {
  if (!parser) {
    const { Parser: ParserClass, Python } = loadTreeSitter();
    parser = new ParserClass();
    parser.setLanguage(Python);
  }
  // The default buffer is 32 KiB; larger files need a buffer that holds them whole.
  return parser.parse(source, undefined, { bufferSize: Math.max(32 * 1024, source.length * 2 + 1024) });
}

/** The first syntax error (an ERROR or MISSING node) as `line:column` (1-based), or undefined. */
export function syntaxErrorAt(source: string): string | undefined {
  const root = parsePython(source).rootNode;
  if (!root.hasError) return undefined;
  let found: SyntaxNode | undefined;
  const visit = (node: SyntaxNode): void => {
    if (found) return;
    if (node.type === 'ERROR' || node.isMissing) {
      found = node;
      return;
    }
    for (const child of node.children) if (child.hasError || child.isMissing) visit(child);
  };
  visit(root);
  const at = (found ?? root).startPosition;
  return `${at.row + 1}:${at.column + 1}`;
}

/** Calls `visit` on every named descendant (pre-order); returning false skips the node's children. */
export function walk(node: SyntaxNode, visit: (node: SyntaxNode) => boolean | void): void {
  for (const child of node.namedChildren) {
    if (visit(child) !== false) walk(child, visit);
  }
}

/** Descendants of one of the given types, in document order (the node itself excluded). */
export function findAll(node: SyntaxNode, types: string | string[]): SyntaxNode[] {
  // The native query is an order of magnitude faster than walking the tree from JavaScript.
  return node
    .descendantsOfType(types)
    .filter(
      (n) => !(n.type === node.type && n.startIndex === node.startIndex && n.endIndex === node.endIndex),
    );
}

/**
 * The value of a string literal (or an implicit concatenation of literals), without prefixes and
 * quotes and with interpolations kept as written; undefined for other nodes.
 */
export function stringValue(node: SyntaxNode): string | undefined {
  if (node.type === 'concatenated_string') {
    return node.namedChildren.map((part) => stringValue(part) ?? '').join('');
  }
  if (node.type !== 'string') return undefined;
  return node.namedChildren
    .filter((c) => c.type !== 'string_start' && c.type !== 'string_end')
    .map((c) => c.text)
    .join('');
}

/** The name of a function/class definition node. */
export function definitionName(node: SyntaxNode): string {
  return node.childForFieldName('name')?.text ?? '';
}

/** The innermost function definition around `node` and the class that holds it (if any). */
export function enclosingFunction(node: SyntaxNode): { fn: SyntaxNode; className?: string } | undefined {
  let current: SyntaxNode | null = node.parent;
  while (current && current.type !== 'function_definition') current = current.parent;
  if (!current) return undefined;
  return { fn: current, className: enclosingClassName(current) };
}

/** Name of the class whose body directly holds `node` (through a decorator, if any). */
export function enclosingClassName(node: SyntaxNode): string | undefined {
  let current: SyntaxNode | null = node.parent;
  while (current && current.type !== 'class_definition') {
    if (current.type === 'function_definition') return undefined;
    current = current.parent;
  }
  return current ? definitionName(current) : undefined;
}

/** Top-level classes and functions (decorated ones unwrapped), plus methods, in file order. */
export function functionsOf(root: SyntaxNode): { fn: SyntaxNode; name: string; className?: string }[] {
  return findAll(root, 'function_definition').map((fn) => ({
    fn,
    name: definitionName(fn),
    className: enclosingClassName(fn),
  }));
}

/** The leading whitespace of the line that contains `index`. */
export function lineIndentAt(source: string, index: number): string {
  const start = source.lastIndexOf('\n', index - 1) + 1;
  return /^[ \t]*/.exec(source.slice(start))?.[0] ?? '';
}

/** Index of the start of the line containing `index`. */
export function lineStart(source: string, index: number): number {
  return source.lastIndexOf('\n', index - 1) + 1;
}

/** Index just after the newline that ends the line containing `index` (or the end of the source). */
export function lineEnd(source: string, index: number): number {
  const nl = source.indexOf('\n', index);
  return nl === -1 ? source.length : nl + 1;
}

/** A node's range as the anchor map records it. */
export function rangeOf(node: SyntaxNode): {
  startIndex: number;
  endIndex: number;
  startLine: number;
  endLine: number;
} {
  return {
    startIndex: node.startIndex,
    endIndex: node.endIndex,
    startLine: node.startPosition.row + 1,
    endLine: node.endPosition.row + 1,
  };
}

/** The docstring node of a function or class body, if the first statement is a string. */
export function docstringOf(def: SyntaxNode): SyntaxNode | undefined {
  const body = def.childForFieldName('body');
  const first = body?.namedChildren[0];
  if (first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string') {
    return first.namedChildren[0];
  }
  return undefined;
}

/** The dominant quote character of ordinary (non-docstring) string literals. */
export function dominantQuote(root: SyntaxNode): '"' | "'" {
  let double = 0;
  let single = 0;
  walk(root, (n) => {
    if (n.type === 'string') {
      const start = n.namedChildren[0]?.text ?? '';
      if (start.endsWith('"""') || start.endsWith("'''")) return false;
      if (start.endsWith('"')) double++;
      else if (start.endsWith("'")) single++;
      return false;
    }
    return true;
  });
  return single > double ? "'" : '"';
}

/**
 * The file's indentation step (a tab, or some spaces): the most common growth of indentation from a
 * line to the next; four spaces when nothing is indented. New nested lines use it, so a tab-indented
 * file gets tabs.
 */
export function indentUnit(source: string): string {
  const counts = new Map<string, number>();
  let previous: string | undefined;
  for (const line of source.split('\n')) {
    if (!line.trim()) continue;
    const indent = /^[ \t]*/.exec(line)![0];
    if (previous !== undefined && indent.length > previous.length && indent.startsWith(previous)) {
      const step = indent.slice(previous.length);
      counts.set(step, (counts.get(step) ?? 0) + 1);
    }
    previous = indent;
  }
  let best = '    ';
  let most = 0;
  for (const [step, n] of counts) if (n > most) [best, most] = [step, n];
  return best;
}
