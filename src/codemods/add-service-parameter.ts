/**
 * Phase 3: the new parameter of the service method (keyword-safe position, default, docstring entry)
 * passed on to the model constructor inside it.
 */
import { z } from 'zod';
import type { SyntaxNode } from '../python-syntax/parse';
import { docstringOf, dominantQuote, parsePython } from '../python-syntax/parse';
import { appendElement, appendKeywordArgument, keywordArguments } from '../python-syntax/sequence';
import { docstringEntryText } from './literal-text';
import { CodemodRefusal, finish, unchanged, type Codemod, type Edit } from './codemod';
import { findFunction } from './add-column-migration';
import { constructorCalls } from './add-row-mapper-field';
import { optionalStyleOf } from './add-pydantic-field';
import {
  annotation,
  describeField,
  fieldOptionsSchema,
  pyLiteral,
  type FieldOptions,
  typeImports,
  typeOf,
  typingImports,
  usesTypingGenerics,
} from './field';
import { importEdits, type ImportNeed } from './imports';
import { enumNames } from '../spec/field-type';

const options = fieldOptionsSchema.extend({
  model: z.string(),
  /** Absent for a module-level service function. */
  className: z.string().optional(),
  method: z.string(),
  enumModules: z.record(z.string(), z.string()).default({}),
});

/** The parameter's text and the value passed to the model (mutable defaults stay out of the signature). */
export function parameterParts(
  p: FieldOptions,
  style: 'pipe' | 'optional',
  quote: '"' | "'",
  typingGenerics = false,
): { param: string; value: string } {
  const type = typeOf(p);
  const mutable =
    (type.kind === 'list' || type.kind === 'dict') && p.default !== undefined && p.default !== null;
  if (mutable) {
    const ann = annotation({ ...p, nullable: true }, style, typingGenerics);
    return {
      param: `${p.field}: ${ann} = None`,
      value: `${p.field} if ${p.field} is not None else ${pyLiteral(p, type, p.default, quote)}`,
    };
  }
  const def = p.default === undefined ? 'None' : pyLiteral(p, type, p.default, quote);
  return { param: `${p.field}: ${annotation(p, style, typingGenerics)} = ${def}`, value: p.field };
}

/** Ends the entry with a full stop when its neighbour does, and without one when it does not. */
function punctuate(text: string, neighbour: string): string {
  const bare = text.replace(/\.$/, '');
  return neighbour.trimEnd().endsWith('.') ? `${bare}.` : bare;
}

/** Adds an `Args:` (Google) or `:param:` (reST) entry after the last one; nothing for other docstrings. */
export function docstringEdit(
  source: string,
  fn: SyntaxNode,
  field: string,
  text: string,
  typeText: string,
): Edit | undefined {
  const doc = docstringOf(fn);
  if (!doc) return undefined;
  text = docstringEntryText(text, doc.text);
  const lines = doc.text.split('\n');
  let offset = doc.startIndex;
  const starts = lines.map((l) => {
    const s = offset;
    offset += l.length + 1;
    return s;
  });
  const argsAt = lines.findIndex((l) => /^\s*(Args|Arguments|Parameters):\s*$/.test(l));
  if (argsAt >= 0) {
    const base = /^\s*/.exec(lines[argsAt]!)![0].length;
    let last = argsAt;
    let entryIndent = '';
    for (let i = argsAt + 1; i < lines.length; i++) {
      const l = lines[i]!;
      if (!l.trim() || /^\s*/.exec(l)![0].length <= base) break;
      if (!entryIndent) entryIndent = /^\s*/.exec(l)![0];
      last = i;
    }
    if (last === argsAt) return undefined;
    if (lines.some((l) => l.trim().startsWith(`${field}:`) || l.trim().startsWith(`${field} (`)))
      return undefined;
    const at = starts[last]! + lines[last]!.length;
    // `name (type): text` entries get the type too.
    const typed = lines.slice(argsAt + 1, last + 1).some((l) => /^\s*\w+ \([^)]*\):/.test(l));
    const head = typed ? `${field} (${typeText})` : field;
    return { start: at, end: at, text: `\n${entryIndent}${head}: ${punctuate(text, lines[last]!)}` };
  }
  const params = lines.map((l, i) => (/^\s*:param\b/.test(l) ? i : -1)).filter((i) => i >= 0);
  if (params.length > 0) {
    if (lines.some((l) => new RegExp(`:param\\s+(\\w+\\s+)?${field}:`).test(l))) return undefined;
    let last = params[params.length - 1]!;
    const indent = /^\s*/.exec(lines[last]!)![0];
    while (
      last + 1 < lines.length &&
      /^\s*/.exec(lines[last + 1]!)![0].length > indent.length &&
      lines[last + 1]!.trim()
    )
      last++;
    const at = starts[last]! + lines[last]!.length;
    return { start: at, end: at, text: `\n${indent}:param ${field}: ${punctuate(text, lines[last]!)}` };
  }
  void source;
  return undefined;
}

export const addServiceParameter: Codemod<z.infer<typeof options>> = {
  id: 'add-service-parameter',
  description:
    'Adds `field: T = default` as the last parameter of a service method (after *args, i.e. keyword-only, and before **kwargs, so no positional caller shifts), an Args:/:param: docstring entry, and `field=field` in its single `Model(...)` call; refuses when the method builds the model more than once.',
  options,
  transform(source, p) {
    const root = parsePython(source).rootNode;
    const fn = findFunction(root, p.method, p.className);
    if (!fn) throw new CodemodRefusal(`${p.className ? `${p.className}.` : ''}${p.method} not found`);
    const quote = dominantQuote(root);
    const style = optionalStyleOf(fn, source);
    const params = fn.childForFieldName('parameters')!;
    // An unannotated signature gets an unannotated parameter.
    const annotated = params.namedChildren.some(
      (n) => n.type === 'typed_parameter' || n.type === 'typed_default_parameter',
    );
    let parts = parameterParts(p, style, quote, usesTypingGenerics(source));
    if (!annotated) parts = { ...parts, param: parts.param.replace(/^(\w+): [^=]+ = /, '$1=') };
    const names = params.namedChildren.map((n) =>
      n.type === 'identifier'
        ? n.text
        : (n.childForFieldName('name')?.text ?? n.namedChildren[0]?.text ?? ''),
    );
    const edits: Edit[] = [];
    const changes: string[] = [];
    if (!names.includes(p.field)) {
      const kwargs = params.namedChildren.find(
        (n) =>
          n.type === 'dictionary_splat_pattern' || n.namedChildren[0]?.type === 'dictionary_splat_pattern',
      );
      const elements = params.namedChildren.filter((n) => n.type !== 'comment' && n !== kwargs);
      edits.push(appendElement(source, params, parts.param, elements[elements.length - 1]));
      changes.push(`${p.className ? `${p.className}.` : ''}${p.method}(..., ${parts.param})`);
      const doc = docstringEdit(
        source,
        fn,
        p.field,
        describeField(p, p.model),
        annotation(p, style, usesTypingGenerics(source)),
      );
      if (doc) edits.push(doc);
    }
    const calls = constructorCalls(fn, p.model);
    if (calls.length > 1) {
      throw new CodemodRefusal(
        `${p.method} calls ${p.model}(...) ${calls.length} times (lines ${calls.map((c) => c.startPosition.row + 1).join(', ')}); cannot tell which to extend`,
      );
    }
    if (calls.length === 0) throw new CodemodRefusal(`${p.method} does not call ${p.model}(...)`);
    const args = calls[0]!.childForFieldName('arguments')!;
    if (!keywordArguments(args).has(p.field)) {
      edits.push(appendKeywordArgument(source, args, `${p.field}=${parts.value}`));
      changes.push(`${p.model}(..., ${p.field}=${parts.value}) in ${p.method}`);
    }
    if (edits.length === 0) return unchanged(source, `${p.method} already takes and passes ${p.field}`);
    const needs: ImportNeed[] = [];
    const used = changes.join('\n');
    for (const need of typeImports(typeOf(p))) if (used.includes(need.name)) needs.push(need);
    needs.push(...typingImports(parts.param));
    for (const e of enumNames(typeOf(p)))
      if (p.enumModules[e]) needs.push({ module: p.enumModules[e], name: e });
    const imports = importEdits(source, root, needs);
    return finish(source, [...edits, ...imports.edits], [...changes, ...imports.changes]);
  },
};
