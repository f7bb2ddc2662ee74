/** Phase 2: hydrate the new field in every `_row_to_<model>` row mapper. */
import { z } from 'zod';
import type { SyntaxNode } from '../python-syntax/parse';
import { findAll, functionsOf, parsePython } from '../python-syntax/parse';
import { appendKeywordArgument, keywordArguments } from '../python-syntax/sequence';
import { CodemodRefusal, finish, skipped, unchanged, type Codemod, type Edit } from './codemod';
import { fieldOptionsSchema, fromDatabase, pyString, typeImports, typeOf } from './field';
import { importEdits, type ImportNeed } from './imports';
import { modelContextSchema, mirror } from './model-context';
import { enumNames } from '../spec/field-type';

const options = fieldOptionsSchema.merge(modelContextSchema).extend({
  /** Mapper function names; default: every function named `_row_to_*` that calls the model. */
  functions: z.array(z.string()).optional(),
  enumModules: z.record(z.string(), z.string()).default({}),
});

/** Calls `Model(...)` inside a node. */
export function constructorCalls(node: SyntaxNode, model: string): SyntaxNode[] {
  return findAll(node, 'call').filter((c) => c.childForFieldName('function')?.text === model);
}

const validates = (fn: SyntaxNode, model: string) =>
  new RegExp(`\\b${model}\\.model_validate\\(`).test(fn.text);

/** Whether a function builds the model, by constructor or `model_validate`. */
export function buildsModel(fn: SyntaxNode, model: string): boolean {
  return constructorCalls(fn, model).length > 0 || validates(fn, model);
}

const GET = /^(.+?)\.get\((["'])(\w+)\2\)$/;
const SUBSCRIPT = /^([\w.]+)\[(["'])(\w+)\2\]$/;

/** How a mapper reads a column, from its simplest keyword arguments: `row_dict.get("x")` or `row["x"]`. */
export function columnReader(values: string[], field: string): string | undefined {
  const inner = values.flatMap((v) => [v, ...(/\((.*)\)/.exec(v)?.slice(1) ?? [])]);
  const get = inner.map((v) => GET.exec(v)).find(Boolean);
  if (get) return `${get[1]}.get(${pyString(field, get[2] as '"')})`;
  const sub = inner.map((v) => SUBSCRIPT.exec(v)).find(Boolean);
  if (sub) return `${sub[1]}[${pyString(field, sub[2] as '"')}]`;
  return undefined;
}

export const addRowMapperField: Codemod<z.infer<typeof options>> = {
  id: 'add-row-mapper-field',
  description:
    'Adds `field=<read and convert the column>` to the `Model(...)` call of every `_row_to_*` mapper, reading and converting like the sibling fields (row["x"] / dict(row).get("x"), fromisoformat, UUID, Enum, json.loads); mappers that build the model some other way are reported, not edited.',
  options,
  transform(source, p) {
    const root = parsePython(source).rootNode;
    const mappers = functionsOf(root).filter((f) =>
      p.functions
        ? p.functions.includes(f.name)
        : f.name.startsWith('_row_to_') && buildsModel(f.fn, p.model),
    );
    if (mappers.length === 0) return skipped(source, `no row mapper building ${p.model} here`);
    const edits: Edit[] = [];
    const changes: string[] = [];
    const notes: string[] = [];
    for (const mapper of mappers) {
      const calls = constructorCalls(mapper.fn, p.model);
      if (calls.length === 0 && validates(mapper.fn, p.model)) {
        // `Model.model_validate(dict(row))` reads every column by name; only JSON text needs decoding.
        const kind = typeOf(p).kind;
        if (kind === 'list' || kind === 'dict') {
          throw new CodemodRefusal(
            `${mapper.name} builds ${p.model} with model_validate(): the JSON column ${p.field} would arrive as text; decode it there by hand`,
          );
        }
        notes.push(
          `${mapper.name} uses ${p.model}.model_validate(): reads ${p.field} by name, nothing to add`,
        );
        continue;
      }
      if (calls.length !== 1) {
        throw new CodemodRefusal(
          `${mapper.name} calls ${p.model}(...) ${calls.length} times; expected exactly one`,
        );
      }
      const args = calls[0]!.childForFieldName('arguments')!;
      const kwargs = keywordArguments(args);
      if (kwargs.has(p.field)) continue;
      const siblings = [...kwargs.entries()].map(([field, node]) => ({ field, text: node.text }));
      let value = mirror(p, siblings, false);
      if (!value) {
        const reader = columnReader(
          siblings.map((s) => s.text),
          p.field,
        );
        if (!reader)
          throw new CodemodRefusal(
            `${mapper.name}: cannot tell how it reads columns (no row["x"] or .get("x") argument)`,
          );
        value = fromDatabase(p, reader);
        if (value !== reader) {
          // A converted value reads by subscript: `.get()` is Optional to mypy, and after the
          // migration the column always exists.
          value = fromDatabase(p, reader.replace(/\.get\((["'])(\w+)\1\)$/, '[$1$2$1]'));
        }
      }
      edits.push(appendKeywordArgument(source, args, `${p.field}=${value}`));
      changes.push(`${mapper.name}: ${p.field}=${value}`);
    }
    if (edits.length === 0) {
      return {
        ...unchanged(source, notes.join('; ') || `every mapper already sets ${p.field}`),
        warnings: notes,
      };
    }
    const needs: ImportNeed[] = [...typeImports(typeOf(p))];
    if (changes.some((c) => c.includes('json.'))) needs.push({ module: 'json', name: '' });
    for (const e of enumNames(typeOf(p)))
      if (p.enumModules[e]) needs.push({ module: p.enumModules[e], name: e });
    const used = needs.filter((n) => changes.some((c) => c.includes(n.name || n.module)));
    const imports = importEdits(source, root, used);
    return finish(source, [...edits, ...imports.edits], [...changes, ...imports.changes], notes);
  },
};
