/** Phase 5: the new field in every serializer of the model (`_serialize_*` returning a dict literal). */
import { z } from 'zod';
import type { SyntaxNode } from '../python-syntax/parse';
import { dominantQuote, findAll, functionsOf, parsePython, stringValue } from '../python-syntax/parse';
import { appendElement } from '../python-syntax/sequence';
import { CodemodRefusal, finish, skipped, unchanged, type Codemod, type Edit } from './codemod';
import { fieldOptionsSchema, pyString, toJson } from './field';
import { modelContextSchema, mirror } from './model-context';

const options = fieldOptionsSchema.merge(modelContextSchema).extend({
  /** Serializer function names; default: every function with a parameter annotated with the model. */
  functions: z.array(z.string()).optional(),
});

/** Function names that mark a serializer (`_serialize_task`, `book_to_dict`, `as_dict`, ...). */
export const SERIALIZER_NAME = /serial|to_dict|to_json|as_dict/;

/** The model-typed parameter of a function (`task: Task`), or undefined. */
export function modelParameter(fn: SyntaxNode, model: string): string | undefined {
  for (const param of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (param.type === 'typed_parameter' && param.childForFieldName('type')?.text === model) {
      return param.namedChildren[0]?.text;
    }
  }
  return undefined;
}

/** The dict literal a serializer returns (directly, or through a local it returns). */
export function returnedDict(fn: SyntaxNode): SyntaxNode | undefined {
  const returns = findAll(fn, 'return_statement');
  for (const ret of returns) {
    const value = ret.namedChildren[0];
    if (value?.type === 'dictionary') return value;
    if (value?.type === 'identifier') {
      const assigned = findAll(fn, 'assignment').filter(
        (a) => a.childForFieldName('left')?.text === value.text,
      );
      const right = assigned[0]?.childForFieldName('right');
      if (right?.type === 'dictionary') return right;
    }
  }
  return undefined;
}

export const addSerializerField: Codemod<z.infer<typeof options>> = {
  id: 'add-serializer-field',
  description:
    'Adds `"field": <value converted like its siblings>` to the dict literal returned by every serializer of the model (a function taking `x: Model` that returns a dict of its fields); serializers built on model_dump() already include it and are left alone.',
  options,
  transform(source, p) {
    const root = parsePython(source).rootNode;
    const candidates = functionsOf(root).filter((f) =>
      p.functions
        ? p.functions.includes(f.name)
        : modelParameter(f.fn, p.model) !== undefined && SERIALIZER_NAME.test(f.name),
    );
    if (candidates.length === 0) return skipped(source, `no serializer of ${p.model} here`);
    const quote = dominantQuote(root);
    const edits: Edit[] = [];
    const changes: string[] = [];
    const notes: string[] = [];
    for (const { fn, name } of candidates) {
      const variable =
        modelParameter(fn, p.model) ?? fn.childForFieldName('parameters')?.namedChildren[0]?.text ?? '';
      const dict = returnedDict(fn);
      if (!dict) {
        if (fn.text.includes('model_dump')) {
          notes.push(`${name} uses model_dump(): already includes ${p.field}`);
          continue;
        }
        throw new CodemodRefusal(`${name} does not return a dict literal`);
      }
      const pairs = dict.namedChildren.filter((c) => c.type === 'pair');
      if (pairs.some((pair) => stringValue(pair.childForFieldName('key')!) === p.field)) continue;
      const siblings = pairs.map((pair) => ({
        field: stringValue(pair.childForFieldName('key')!) ?? '',
        text: pair.childForFieldName('value')!.text,
      }));
      const value = mirror(p, siblings, false) ?? toJson(p, `${variable}.${p.field}`);
      edits.push(appendElement(source, dict, `${pyString(p.field, quote)}: ${value}`));
      changes.push(`${name}: "${p.field}": ${value}`);
    }
    if (edits.length === 0)
      return unchanged(source, notes.join('; ') || `every serializer already has ${p.field}`);
    return finish(source, edits, changes, notes);
  },
};
