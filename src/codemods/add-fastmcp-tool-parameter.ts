/**
 * Phase 4 for FastMCP tools (`@mcp.tool()` functions, docs/codemods.md): the signature is the tool's
 * input schema, so the new field becomes a parameter of the tool function — its type, default,
 * constraints and description in `Annotated[T, Field(...)]`, the one spelling FastMCP renders into the
 * schema and validates — plus an `Args:` docstring entry where the docstring has them, and is passed
 * on to the service call by keyword.
 */
import { z } from 'zod';
import type { SyntaxNode } from '../python-syntax/parse';
import { dominantQuote, indentUnit, lineIndentAt, parsePython } from '../python-syntax/parse';
import {
  appendElement,
  appendKeywordArgument,
  elementsOf,
  keywordArguments,
} from '../python-syntax/sequence';
import { CodemodRefusal, finish, unchanged, type Codemod, type Edit } from './codemod';
import { findFunction } from './add-column-migration';
import { methodCall, modelConstructorCall } from './add-handler-argument';
import { optionalStyleOf } from './add-pydantic-field';
import { docstringEdit, parameterParts } from './add-service-parameter';
import {
  annotation,
  describeField,
  fieldArguments,
  fieldOptionsSchema,
  typeImports,
  typeOf,
  typingImports,
  usesTypingGenerics,
} from './field';
import { importEdits, type ImportNeed } from './imports';
import { enumNames } from '../spec/field-type';

const options = fieldOptionsSchema.extend({
  model: z.string(),
  /** The tool function (its Python name, which `name=` in the decorator may differ from). */
  function: z.string(),
  serviceMethod: z.string(),
  /**
   * The parameter holding the tool's Pydantic request model, when it takes one: the field is then on
   * that model (add-pydantic-field) and only passed on, as `request.field`.
   */
  requestParam: z.string().optional(),
  /**
   * The class the tool builds and hands to a service that receives it (`service.create(Task(...))`):
   * the parameter is passed into that constructor call instead of the service call.
   */
  modelConstructor: z.string().optional(),
  enumModules: z.record(z.string(), z.string()).default({}),
  /** Longest line before the signature is laid out one parameter per line; default: the file's longest, at least 88. */
  maxLineLength: z.number().int().positive().optional(),
});
type Options = z.infer<typeof options>;

const paramName = (n: SyntaxNode): string =>
  n.type === 'identifier'
    ? n.text
    : (n.childForFieldName('name')?.text ?? n.namedChildren[0]?.text ?? '').replace(/^\*+/, '');

/** `Field(...)` of the parameter: constraints and description (the default stays after `=`). */
function fieldCall(p: Options, quote: '"' | "'"): string {
  const args = fieldArguments(p, p.model, quote).filter((a) => !/^default(_factory)?=/.test(a));
  return `Field(${args.join(', ')})`;
}

/** The signature's parameters one per line (the layout black gives a signature that outgrows its line). */
function explodeParameters(source: string, fn: SyntaxNode, params: SyntaxNode, added: string[]): Edit {
  const indent = lineIndentAt(source, fn.startIndex) + indentUnit(source);
  const items = [...elementsOf(params).map((n) => n.text), ...added];
  const close = lineIndentAt(source, fn.startIndex);
  return {
    start: params.startIndex,
    end: params.endIndex,
    text: `(\n${items.map((t) => `${indent}${t.replace(/\n/g, `\n${indent}`)},`).join('\n')}\n${close})`,
  };
}

export const addFastMcpToolParameter: Codemod<Options> = {
  id: 'add-fastmcp-tool-parameter',
  description:
    'Adds `field: Annotated[T, Field(constraints, description=...)] = default` as the last parameter of a FastMCP tool function (or, for a tool taking a Pydantic request model, only passes `request.field` on) (before **kwargs; the signature laid out one parameter per line when it outgrows the line), an Args:/:param: docstring entry where the docstring has them, and `field=field` in its single call of the service method — or, for a service that receives the model built, in the one `Model(...)` call that builds it; refuses when the service is called more than once or not at all.',
  options,
  transform(source, p) {
    const root = parsePython(source).rootNode;
    const fn = findFunction(root, p.function);
    if (!fn) throw new CodemodRefusal(`tool function ${p.function} not found`);
    const serviceCall = methodCall(fn, p.serviceMethod);
    if (!serviceCall)
      throw new CodemodRefusal(`tool function ${p.function} does not call ${p.serviceMethod}(...)`);
    // A service receiving the model: the parameter goes into the model the tool builds for it.
    const built = p.modelConstructor
      ? modelConstructorCall(fn, p.modelConstructor, `tool function ${p.function}`)
      : { call: serviceCall };
    if ('whole' in built)
      throw new CodemodRefusal(
        `${built.whole}: a FastMCP tool's parameters are its schema, and a new parameter would not reach that ${p.modelConstructor}; build it keyword by keyword, or add ${p.field} by hand`,
      );
    const call = built.call;
    const callee = p.modelConstructor ?? p.serviceMethod;
    const quote = dominantQuote(root);
    const style = optionalStyleOf(fn, source);
    const generics = usesTypingGenerics(source);
    const parts = parameterParts(p, style, quote, generics);
    const params = fn.childForFieldName('parameters')!;
    const names = params.namedChildren.map(paramName);
    const edits: Edit[] = [];
    const changes: string[] = [];
    let paramText = '';
    if (p.requestParam && !names.includes(p.requestParam))
      throw new CodemodRefusal(`tool function ${p.function} has no parameter ${p.requestParam}`);
    if (!p.requestParam && !names.includes(p.field)) {
      // `note: str | None = None` → `note: Annotated[str | None, Field(...)] = None`.
      const m = /^(\w+): (.+) = (.+)$/s.exec(parts.param);
      if (!m) throw new CodemodRefusal(`cannot spell the parameter ${parts.param}`);
      const field = fieldCall(p, quote);
      const limit = p.maxLineLength ?? Math.max(88, ...source.split('\n').map((l) => l.length));
      const paramIndent = lineIndentAt(source, fn.startIndex).length + indentUnit(source).length;
      paramText = `${m[1]}: Annotated[${m[2]}, ${field}] = ${m[3]}`;
      if (paramIndent + paramText.length + 1 > limit) {
        const unit = indentUnit(source);
        paramText = `${m[1]}: Annotated[\n${unit}${m[2]},\n${unit}${field},\n] = ${m[3]}`;
      }
      const kwargs = params.namedChildren.find(
        (n) =>
          n.type === 'dictionary_splat_pattern' || n.namedChildren[0]?.type === 'dictionary_splat_pattern',
      );
      const elements = elementsOf(params).filter((n) => n !== kwargs);
      const oneLine = params.startPosition.row === params.endPosition.row;
      const header = source.slice(
        source.lastIndexOf('\n', fn.startIndex) + 1,
        source.indexOf('\n', fn.startIndex),
      );
      if (oneLine && !kwargs && (paramText.includes('\n') || header.length + paramText.length + 2 > limit)) {
        edits.push(explodeParameters(source, fn, params, [paramText]));
      } else {
        const indent = oneLine ? '' : lineIndentAt(source, elements[elements.length - 1]?.startIndex ?? 0);
        edits.push(
          appendElement(
            source,
            params,
            paramText.replace(/\n/g, `\n${indent}`),
            elements[elements.length - 1],
          ),
        );
      }
      changes.push(
        `${p.function}(..., ${paramText.replace(/\n\s*/g, ' ').replace(/\[ /, '[').replace(/, \]/, ']')})`,
      );
      const doc = docstringEdit(
        source,
        fn,
        p.field,
        describeField(p, p.model),
        annotation(p, style, generics),
      );
      if (doc) edits.push(doc);
    }
    const args = call.childForFieldName('arguments')!;
    if (!keywordArguments(args).has(p.field)) {
      const value = p.requestParam ? `${p.requestParam}.${p.field}` : parts.value;
      edits.push(appendKeywordArgument(source, args, `${p.field}=${value}`));
      changes.push(`${p.function}: ${callee}(..., ${p.field}=${value})`);
    }
    if (edits.length === 0) return unchanged(source, `${p.function} already takes and passes ${p.field}`);
    const needs: ImportNeed[] = [];
    if (paramText) {
      needs.push({ module: 'typing', name: 'Annotated' }, { module: 'pydantic', name: 'Field' });
      needs.push(...typingImports(paramText));
    }
    const used = changes.join('\n');
    for (const need of typeImports(typeOf(p))) if (used.includes(need.name)) needs.push(need);
    for (const e of enumNames(typeOf(p)))
      if (p.enumModules[e] && used.includes(e)) needs.push({ module: p.enumModules[e], name: e });
    const imports = importEdits(source, root, needs);
    return finish(source, [...edits, ...imports.edits], [...changes, ...imports.changes]);
  },
};
