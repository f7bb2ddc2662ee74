/** Appending an element to a bracketed sequence (call arguments, tuple, list, dict, parameters) in its own layout. */
import type { SyntaxNode } from './parse';
import { lineIndentAt } from './parse';

export interface InsertEdit {
  start: number;
  end: number;
  text: string;
}

/** The elements of a bracketed node (named children that are not comments). */
export function elementsOf(node: SyntaxNode): SyntaxNode[] {
  return node.namedChildren.filter((c) => c.type !== 'comment');
}

/**
 * An edit that appends `text` after `after` (default: the last element) following the sequence's
 * layout: one element per line (with or without a trailing comma) or all on one line.
 */
export function appendElement(
  source: string,
  node: SyntaxNode,
  text: string,
  after?: SyntaxNode,
): InsertEdit {
  const elements = elementsOf(node);
  const open = node.children[0]!;
  const last = after ?? elements[elements.length - 1];
  if (!last) {
    return { start: open.endIndex, end: open.endIndex, text };
  }
  const lastIndex = node.children.indexOf(last);
  const following = node.children[lastIndex + 1];
  const hasComma = following?.type === ',';
  const isLastElement = last === elements[elements.length - 1];
  const multiLine = last.startPosition.row !== open.startPosition.row;
  if (multiLine) {
    const indent = lineIndentAt(source, last.startIndex);
    if (hasComma) {
      // `last,  # note`: the new element goes after the note, which stays on its own line.
      const at = afterTrailingComment(source, following!.endIndex);
      return { start: at, end: at, text: `\n${indent}${text},` };
    }
    const at = afterTrailingComment(source, last.endIndex);
    // `last  # note` → `last,  # note` and the new element on the next line.
    return { start: last.endIndex, end: at, text: `,${source.slice(last.endIndex, at)}\n${indent}${text}` };
  }
  if (hasComma && !isLastElement)
    return { start: following!.endIndex, end: following!.endIndex, text: ` ${text},` };
  if (hasComma) return { start: following!.endIndex, end: following!.endIndex, text: ` ${text}` };
  return { start: last.endIndex, end: last.endIndex, text: `, ${text}` };
}

/**
 * The end of a `# comment` that follows `index` on the same line (only whitespace between), or
 * `index` itself. After a token at element level, a `#` can only start a comment.
 */
export function afterTrailingComment(source: string, index: number): number {
  const comment = /^[ \t]*#[^\n]*/.exec(source.slice(index));
  return comment ? index + comment[0].length : index;
}

/** Keyword arguments of an argument list as `name -> value node`. */
export function keywordArguments(args: SyntaxNode): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  for (const child of args.namedChildren) {
    if (child.type === 'keyword_argument') {
      const name = child.childForFieldName('name')?.text;
      const value = child.childForFieldName('value');
      if (name && value) out.set(name, value);
    }
  }
  return out;
}

/** Appends a keyword argument to a call's argument list, before a trailing `**kwargs` splat. */
export function appendKeywordArgument(source: string, args: SyntaxNode, text: string): InsertEdit {
  const elements = elementsOf(args);
  const last = elements[elements.length - 1];
  if (last?.type === 'dictionary_splat' && elements.length > 1) {
    return appendElement(source, args, text, elements[elements.length - 2]);
  }
  return appendElement(source, args, text);
}
