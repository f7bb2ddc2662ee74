/** Phase 4: the new property in a tool's `inputSchema`, with JSON-schema constraints matching the Pydantic ones. */
import { z } from 'zod';
import type { SyntaxNode } from '../python-syntax/parse';
import {
  dominantQuote,
  findAll,
  indentUnit,
  lineIndentAt,
  parsePython,
  stringValue,
} from '../python-syntax/parse';
import { appendElement } from '../python-syntax/sequence';
import { CodemodRefusal, finish, skipped, unchanged, type Codemod } from './codemod';
import { fieldOptionsSchema, jsonSchema, pyJson, pyString, typeOf } from './field';
import { importEdits } from './imports';

const options = fieldOptionsSchema.extend({
  model: z.string(),
  tool: z.string(),
  enumModules: z.record(z.string(), z.string()).default({}),
});

const SCHEMA_KEYS = ['inputSchema', 'input_schema'];

/** Value of key `key` in a dict node (string keys only). */
export function dictValue(dict: SyntaxNode, key: string): SyntaxNode | undefined {
  for (const pair of dict.namedChildren) {
    if (pair.type !== 'pair') continue;
    const k = pair.childForFieldName('key');
    if (k && stringValue(k) === key) return pair.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

/**
 * Every tool definition named `tool`: a dict with `"name": tool` and an input schema, or a call with
 * `name=tool` and `inputSchema=...`; returns the definition node and its input schema value.
 */
export function findToolSchemas(
  root: SyntaxNode,
  tool: string,
): { definition: SyntaxNode; schema: SyntaxNode }[] {
  const out: { definition: SyntaxNode; schema: SyntaxNode }[] = [];
  for (const dict of findAll(root, 'dictionary')) {
    const name = dictValue(dict, 'name');
    if (!name || stringValue(name) !== tool) continue;
    const schema = SCHEMA_KEYS.map((k) => dictValue(dict, k)).find(Boolean);
    if (schema) out.push({ definition: dict, schema });
  }
  for (const call of findAll(root, 'call')) {
    const args = call.childForFieldName('arguments');
    const kw = new Map(
      (args?.namedChildren ?? [])
        .filter((a) => a.type === 'keyword_argument')
        .map((a) => [a.childForFieldName('name')?.text ?? '', a.childForFieldName('value')!]),
    );
    const name = kw.get('name');
    if (!name || stringValue(name) !== tool) continue;
    const schema = SCHEMA_KEYS.map((k) => kw.get(k)).find(Boolean);
    if (schema) out.push({ definition: call, schema });
  }
  return out;
}

/** A JSON-schema object as a Python dict literal, one key per line or on one line. */
function renderSchema(
  schema: Record<string, unknown>,
  quote: '"' | "'",
  indent: string | undefined,
  unit: string,
  enumExpr?: string,
): string {
  const entries = Object.entries(schema).map(
    ([k, v]) => `${pyString(k, quote)}: ${k === 'enum' && enumExpr ? enumExpr : pyJson(v, quote)}`,
  );
  if (indent === undefined) return `{${entries.join(', ')}}`;
  const outer = indent.endsWith(unit) ? indent.slice(0, -unit.length) : indent.slice(0, -1);
  return `{\n${entries.map((e) => `${indent}${e},`).join('\n')}\n${outer}}`;
}

export const addToolSchemaProperty: Codemod<z.infer<typeof options>> = {
  id: 'add-tool-schema-property',
  description:
    "Adds the field to `properties` of the tool's literal inputSchema dict (type, format, enum, maxLength/minLength, minimum/maximum/exclusive*, pattern, multipleOf, default, description); never adds it to `required`. Schemas that are not dict literals are reported, not edited.",
  options,
  transform(source, p) {
    const root = parsePython(source).rootNode;
    const found = findToolSchemas(root, p.tool);
    if (found.length === 0) return skipped(source, `no schema for tool ${p.tool} here`);
    if (found.length > 1) {
      throw new CodemodRefusal(
        `tool ${p.tool} is defined ${found.length} times (lines ${found.map((f) => f.definition.startPosition.row + 1).join(', ')})`,
      );
    }
    const { schema } = found[0]!;
    if (schema.type !== 'dictionary')
      throw new CodemodRefusal(
        `the inputSchema of ${p.tool} is not a dict literal: ${schema.text.slice(0, 60)}`,
      );
    const properties = dictValue(schema, 'properties');
    if (!properties || properties.type !== 'dictionary')
      throw new CodemodRefusal(`the inputSchema of ${p.tool} has no literal "properties" dict`);
    if (dictValue(properties, p.field)) return unchanged(source, `${p.tool} already has property ${p.field}`);
    const quote = dominantQuote(root);
    const pairs = properties.namedChildren.filter((c) => c.type === 'pair');
    const last = pairs[pairs.length - 1];
    const lastValue = last?.childForFieldName('value');
    let indent: string | undefined;
    if (lastValue && lastValue.startPosition.row !== lastValue.endPosition.row) {
      const firstInner = lastValue.namedChildren[0];
      indent = firstInner ? lineIndentAt(source, firstInner.startIndex) : undefined;
    } else if (!last) {
      indent = undefined;
    }
    const type = typeOf(p);
    const enumName = type.kind === 'enum' ? type.name : undefined;
    const usesEnumExpr = /\[\s*\w+\.value\s+for\s+\w+\s+in\s+\w+\s*\]/.test(source);
    const enumExpr = enumName && usesEnumExpr ? `[e.value for e in ${enumName}]` : undefined;
    const schemaObj = jsonSchema(p, p.model);
    const unit = indentUnit(source);
    let rendered = renderSchema(schemaObj, quote, indent, unit, enumExpr);
    const inlineProperties = properties.startPosition.row === properties.endPosition.row;
    if (indent === undefined && last && !inlineProperties) {
      const lineLength = lineIndentAt(source, last.startIndex).length + p.field.length + rendered.length + 6;
      if (lineLength > 100)
        rendered = renderSchema(
          schemaObj,
          quote,
          `${lineIndentAt(source, last.startIndex)}${unit}`,
          unit,
          enumExpr,
        );
    }
    const edits = [appendElement(source, properties, `${pyString(p.field, quote)}: ${rendered}`)];
    const changes = [`${p.tool}.inputSchema.properties.${p.field}: ${JSON.stringify(schemaObj)}`];
    if (enumExpr && p.enumModules[enumName!]) {
      const imports = importEdits(source, root, [{ module: p.enumModules[enumName!]!, name: enumName! }]);
      edits.push(...imports.edits);
      changes.push(...imports.changes);
    }
    return finish(source, edits, changes);
  },
};
