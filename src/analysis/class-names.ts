/**
 * The names a class body reads while Python (and Pydantic, resolving annotations) builds the class:
 * annotations, defaults, decorators, method signatures. A new field of one of these names rebinds
 * it inside the class (`date: date | None = None` makes `date` None for every later annotation),
 * so the model no longer imports or validates.
 */
import { walk, type SyntaxNode } from '../python-syntax/parse';

const same = (a: SyntaxNode | null | undefined, b: SyntaxNode) =>
  !!a && a.startIndex === b.startIndex && a.endIndex === b.endIndex;

/** Identifiers read in `node`, skipping attribute names, keyword names and bodies of functions. */
function readNames(node: SyntaxNode, out: Set<string>): void {
  const visit = (n: SyntaxNode): boolean | void => {
    if (n.type === 'function_definition') {
      // Only the signature runs at class creation; the body runs when called.
      for (const p of n.childForFieldName('parameters')?.namedChildren ?? []) {
        for (const field of ['type', 'value']) {
          const part = p.childForFieldName(field);
          if (part) readNames(part, out);
        }
      }
      const returns = n.childForFieldName('return_type');
      if (returns) readNames(returns, out);
      return false;
    }
    if (n.type === 'class_definition') {
      const bases = n.childForFieldName('superclasses');
      if (bases) readNames(bases, out);
      return false;
    }
    if (n.type !== 'identifier') return;
    const parent = n.parent;
    if (parent?.type === 'attribute' && same(parent.childForFieldName('attribute'), n)) return;
    if (parent?.type === 'keyword_argument' && same(parent.childForFieldName('name'), n)) return;
    if (parent?.type === 'assignment' && same(parent.childForFieldName('left'), n)) return;
    out.add(n.text);
  };
  if (visit(node) !== false) walk(node, visit);
}

/** Every name the body of class `cls` reads at class creation (its own field names excluded). */
export function namesReadByClassBody(cls: SyntaxNode): Set<string> {
  const out = new Set<string>();
  const body = cls.childForFieldName('body');
  if (body) readNames(body, out);
  return out;
}
