/** Phase 4: read the new argument in the tool handler and pass it to the service method by keyword. */
import { z } from 'zod';
import type { SyntaxNode } from '../python-syntax/parse';
import { dominantQuote, findAll, lineEnd, lineIndentAt, parsePython } from '../python-syntax/parse';
import { appendKeywordArgument, keywordArguments } from '../python-syntax/sequence';
import { CodemodRefusal, finish, unchanged, type Codemod, type Edit } from './codemod';
import { findFunction } from './add-column-migration';
import { fieldOptionsSchema, fromArgument, pyJson, pyString, typeImports, typeOf, enumValue } from './field';
import { importEdits, type ImportNeed } from './imports';
import { modelContextSchema, mirror } from './model-context';
import { enumNames } from '../spec/field-type';

const options = fieldOptionsSchema.merge(modelContextSchema).extend({
  handler: z.string(),
  className: z.string().optional(),
  serviceMethod: z.string(),
  /** The handler's dict of tool arguments, e.g. `arguments`. */
  argumentsVar: z.string().default('arguments'),
  /**
   * The class the handler builds and hands to a service that receives it (`service.create(Task(...))`):
   * the argument goes into that constructor call instead of the service call.
   */
  modelConstructor: z.string().optional(),
  enumModules: z.record(z.string(), z.string()).default({}),
});

/** Whether `call` calls `name`: `obj.name(...)` (a method, or a function of a module) or a bare `name(...)`. */
export function callsNamed(call: SyntaxNode, name: string): boolean {
  const f = call.childForFieldName('function');
  if (f?.type === 'identifier') return f.text === name;
  return f?.type === 'attribute' && f.childForFieldName('attribute')?.text === name;
}

/** The `.<method>(...)` call inside a function; refuses when there are several. */
export function methodCall(fn: SyntaxNode, method: string): SyntaxNode | undefined {
  const calls = findAll(fn, 'call').filter((c) => callsNamed(c, method));
  if (calls.length > 1)
    throw new CodemodRefusal(`${method}(...) is called ${calls.length} times in the handler`);
  return calls[0];
}

/**
 * The one `Model(...)` call of a function that builds the object a receiving service takes, or a
 * reason the field needs no edit there: the object is built from the arguments whole
 * (`Model(**arguments)`, `Model.model_validate(arguments)`). Refuses several calls or none.
 */
export function modelConstructorCall(
  fn: SyntaxNode,
  model: string,
  where: string,
): { call: SyntaxNode } | { whole: string } {
  const calls = findAll(fn, 'call').filter((c) => c.childForFieldName('function')?.text === model);
  if (calls.length > 1)
    throw new CodemodRefusal(
      `${where} builds ${model}(...) ${calls.length} times (lines ${calls.map((c) => c.startPosition.row + 1).join(', ')}); cannot tell which one the service receives`,
    );
  const call = calls[0];
  if (call) {
    const splat = call
      .childForFieldName('arguments')!
      .namedChildren.find((a) => a.type === 'dictionary_splat');
    return splat ? { whole: `${where} builds ${model}(${splat.text}, ...)` } : { call };
  }
  const validated = findAll(fn, 'call').find((c) =>
    new RegExp(`^${model}\\.(model_validate|parse_obj)$`).test(c.childForFieldName('function')?.text ?? ''),
  );
  if (validated) return { whole: `${where} builds the ${model} by ${validated.text.split('\n')[0]}` };
  throw new CodemodRefusal(`${where} does not build ${model}(...)`);
}

export const addHandlerArgument: Codemod<z.infer<typeof options>> = {
  id: 'add-handler-argument',
  description:
    'In the tool handler, reads the argument (a local `x = arguments.get("x")` when the handler reads its arguments into locals, inline otherwise), converts it like its siblings (Enum, UUID, datetime) and passes it to the service call by keyword — or, for a service that receives the model built, to the one `Model(...)` call that builds it (nothing when it is built from the arguments whole); refuses when the service is called, or the model built, more than once.',
  options,
  transform(source, p) {
    const root = parsePython(source).rootNode;
    const fn = findFunction(root, p.handler, p.className);
    if (!fn) throw new CodemodRefusal(`handler ${p.handler} not found`);
    const serviceCall = methodCall(fn, p.serviceMethod);
    if (!serviceCall) throw new CodemodRefusal(`${p.handler} does not call ${p.serviceMethod}(...)`);
    // A service receiving the model: the argument goes into the model the handler builds for it.
    const built = p.modelConstructor
      ? modelConstructorCall(fn, p.modelConstructor, `handler ${p.handler}`)
      : { call: serviceCall };
    if ('whole' in built) return unchanged(source, `${built.whole}: ${p.field} arrives with the arguments`);
    const call = built.call;
    const callee = p.modelConstructor ?? p.serviceMethod;
    const args = call.childForFieldName('arguments')!;
    const kwargs = keywordArguments(args);
    if (kwargs.has(p.field)) return unchanged(source, `${p.handler} already passes ${p.field}`);
    const quote = dominantQuote(root);
    const a = p.argumentsVar;
    const key = pyString(p.field, quote);
    const type = typeOf(p);
    const jsonDefault =
      p.default === undefined || p.default === null
        ? undefined
        : type.kind === 'enum'
          ? enumValue(p, type.name, p.default)
          : p.default;
    const read =
      jsonDefault === undefined ? `${a}.get(${key})` : `${a}.get(${key}, ${pyJson(jsonDefault, quote)})`;
    // Locals read from the arguments before the call, e.g. `session_id = arguments.get("session_id")`.
    const body = fn.childForFieldName('body')!;
    const locals = body.namedChildren.filter((s) => {
      const assign = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
      return (
        assign?.type === 'assignment' &&
        s.endIndex < call.startIndex &&
        assign.childForFieldName('right')!.text.includes(`${a}`)
      );
    });
    const localNames = new Set(locals.map((s) => s.namedChildren[0]!.childForFieldName('left')!.text));
    // The handler's habit: most arguments read into locals first, or read inline in the call.
    const readsLocal = [...kwargs.entries()].filter(
      ([k, v]) =>
        (v.type === 'identifier' && localNames.has(v.text)) || (localNames.has(k) && v.text.includes(k)),
    ).length;
    const readsInline = [...kwargs.values()].filter(
      (v) => v.text.includes(`${a}[`) || v.text.includes(`${a}.get(`),
    ).length;
    const usesLocals = readsLocal > readsInline;
    const edits: Edit[] = [];
    const changes: string[] = [];
    let value: string;
    if (usesLocals && locals.length > 0) {
      const localSiblings = locals.map((s) => {
        const assign = s.namedChildren[0]!;
        return {
          field: assign.childForFieldName('left')!.text,
          text: assign.childForFieldName('right')!.text,
        };
      });
      // A sibling local of the same type shows the conversion (`source = TaskSource(arguments["source"])`);
      // its read of the argument becomes this field's read (with the default, if any).
      const readOf = new RegExp(`${a}(\\[${key}\\]|\\.get\\(${key}(,[^)]*)?\\))`, 'g');
      const mirroredLocal = mirror(p, localSiblings, true)?.replace(readOf, read);
      const rhs = mirroredLocal && mirroredLocal.includes(read) ? mirroredLocal : read;
      const lastLocal = locals[locals.length - 1]!;
      const at = lineEnd(source, lastLocal.endIndex);
      edits.push({
        start: at,
        end: at,
        text: `${lineIndentAt(source, lastLocal.startIndex)}${p.field} = ${rhs}\n`,
      });
      changes.push(`${p.handler}: ${p.field} = ${rhs}`);
      const kwSiblings = [...kwargs.entries()].map(([field, node]) => ({ field, text: node.text }));
      const converted = rhs === read ? fromArgument(p, p.field) : p.field;
      const mirroredKw = rhs === read ? mirror(p, kwSiblings, true) : undefined;
      // `source=source` only mirrors a sibling whose local already converted; this local did not.
      value = mirroredKw && mirroredKw !== p.field ? mirroredKw : converted;
    } else {
      const kwSiblings = [...kwargs.entries()].map(([field, node]) => ({ field, text: node.text }));
      const mirrored = jsonDefault === undefined ? mirror(p, kwSiblings, false) : undefined;
      if (mirrored) value = mirrored;
      else if (jsonDefault !== undefined) value = fromArgument(p, read);
      else
        value =
          fromArgument(p, `${a}[${key}]`, read) === `${a}[${key}]`
            ? read
            : fromArgument(p, `${a}[${key}]`, read);
    }
    edits.push(appendKeywordArgument(source, args, `${p.field}=${value}`));
    changes.push(`${p.handler}: ${callee}(..., ${p.field}=${value})`);
    const used = changes.join('\n');
    const needs: ImportNeed[] = typeImports(type).filter(
      (n) => used.includes(`${n.name}(`) || used.includes(`${n.name}.`),
    );
    for (const e of enumNames(type))
      if (p.enumModules[e] && used.includes(e)) needs.push({ module: p.enumModules[e], name: e });
    const imports = importEdits(source, root, needs);
    return finish(source, [...edits, ...imports.edits], [...changes, ...imports.changes]);
  },
};
