/** Phase 1: the new field on the Pydantic model, with declarative `Field()` constraints and a description. */
import { z } from 'zod';
import {
  findAll,
  parsePython,
  definitionName,
  dominantQuote,
  indentUnit,
  lineIndentAt,
  lineEnd,
} from '../python-syntax/parse';
import type { SyntaxNode } from '../python-syntax/parse';
import { CodemodRefusal, finish, unchanged, type Codemod, type Edit } from './codemod';
import {
  annotation,
  fieldArguments,
  fieldOptionsSchema,
  typeImports,
  typeOf,
  typingImports,
  usesTypingGenerics,
} from './field';
import { importEdits, type ImportNeed } from './imports';
import { enumNames } from '../spec/field-type';
import { normalizeAnnotation } from './mirror';

const options = fieldOptionsSchema.extend({
  model: z.string(),
  /** Module of each enum the type names, when it is defined in another file. */
  enumModules: z.record(z.string(), z.string()).default({}),
  /** Longest line before wrapping `Field(...)`; default: the file's longest line, at least 88. */
  maxLineLength: z.number().int().positive().optional(),
});
export type AddPydanticFieldOptions = z.input<typeof options>;

/** The class definition named `name` (top level or nested); refuses when there are several. */
export function findClass(root: SyntaxNode, name: string): SyntaxNode | undefined {
  const found = findAll(root, 'class_definition').filter((c) => definitionName(c) === name);
  if (found.length > 1) {
    throw new CodemodRefusal(
      `class ${name} is defined ${found.length} times (lines ${found.map((c) => c.startPosition.row + 1).join(', ')})`,
    );
  }
  return found[0];
}

/** The annotated assignments (`name: T = ...`) directly in a class body, with their statements. */
export function classFields(cls: SyntaxNode): { name: string; annotation: string; stmt: SyntaxNode }[] {
  const body = cls.childForFieldName('body');
  const out: { name: string; annotation: string; stmt: SyntaxNode }[] = [];
  for (const stmt of body?.namedChildren ?? []) {
    const assign = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    const type = assign?.type === 'assignment' ? assign.childForFieldName('type') : undefined;
    const left = assign?.childForFieldName('left');
    if (type && left?.type === 'identifier') out.push({ name: left.text, annotation: type.text, stmt });
  }
  return out;
}

/** `pipe` unless the class (or else the file) writes `Optional[...]`. */
export function optionalStyleOf(cls: SyntaxNode, source: string): 'pipe' | 'optional' {
  const own = classFields(cls).map((f) => f.annotation);
  if (own.some((a) => a.startsWith('Optional['))) return 'optional';
  if (own.some((a) => /\|\s*None/.test(a))) return 'pipe';
  if (/\bOptional\[/.test(source)) return 'optional';
  if (/\|\s*None\b/.test(source)) return 'pipe';
  // Pre-3.10 typing habits (`List[...]`, `Dict[...]` from typing) come with `Optional[...]`.
  return /^from typing import .*\b(List|Dict|Union)\b/m.test(source) ? 'optional' : 'pipe';
}

export const addPydanticField: Codemod<z.infer<typeof options>> = {
  id: 'add-pydantic-field',
  description:
    'Adds `name: T = Field(default, constraints, description)` after the last field of a Pydantic model (before model_config, in a group of its own when fields are grouped under comments) and the imports it needs; does not reorder or edit existing fields.',
  options,
  transform(source, p) {
    const root = parsePython(source).rootNode;
    const cls = findClass(root, p.model);
    if (!cls) throw new CodemodRefusal(`class ${p.model} not found`);
    const fields = classFields(cls);
    const existing = fields.find((f) => f.name === p.field);
    if (existing) {
      const wanted = annotation(p, optionalStyleOf(cls, source), usesTypingGenerics(source));
      const same = normalizeAnnotation(existing.annotation) === normalizeAnnotation(wanted);
      return {
        ...unchanged(source, `${p.model}.${p.field} already exists`),
        warnings: same
          ? undefined
          : [`${p.model}.${p.field} exists as ${existing.annotation}, not ${wanted}: left as it is`],
      };
    }
    if (!p.nullable && p.default === undefined) {
      throw new CodemodRefusal(
        `${p.model}.${p.field} is required (not nullable, no default): existing rows could not be migrated — give it a default or make it nullable`,
      );
    }
    const body = cls.childForFieldName('body')!;
    const quote = dominantQuote(root);
    const style = optionalStyleOf(cls, source);
    const config = body.namedChildren.find(
      (s) =>
        s.type === 'expression_statement' &&
        s.namedChildren[0]?.childForFieldName('left')?.text === 'model_config',
    );
    const preceding = fields.filter((f) => !config || f.stmt.startIndex < config.startIndex);
    // `model_config` written above every field (common in FastAPI schemas): after the last field.
    const before = preceding.length > 0 ? preceding : fields;
    const last = before[before.length - 1]?.stmt;
    const indent = last ? lineIndentAt(source, last.startIndex) : lineIndentAt(source, body.startIndex);
    const args = fieldArguments(p, p.model, quote);
    const ann = annotation(p, style, usesTypingGenerics(source));
    const head = `${p.field}: ${ann} = Field(`;
    let line = `${indent}${head}${args.join(', ')})`;
    const limit = p.maxLineLength ?? Math.max(88, ...source.split('\n').map((l) => l.length));
    if (line.length > limit) {
      line = `${indent}${head}\n${args.map((a) => `${indent}${indentUnit(source)}${a},`).join('\n')}\n${indent})`;
    }
    // Fields grouped under comments: a new group of its own, so that it never joins another group.
    // A comment after a field on the same line (`x: int = 0  # note`) is not a group heading.
    const grouped = body.namedChildren.some(
      (s, k) => s.type === 'comment' && body.namedChildren[k - 1]?.endPosition.row !== s.startPosition.row,
    );
    const edits: Edit[] = [];
    if (last) {
      const at = lineEnd(source, last.endIndex);
      edits.push({ start: at, end: at, text: `${grouped ? '\n' : ''}${line}\n` });
    } else if (config) {
      const at = source.lastIndexOf('\n', config.startIndex - 1) + 1;
      edits.push({ start: at, end: at, text: `${line}\n\n` });
    } else {
      const at = lineEnd(source, body.endIndex - 1);
      edits.push({ start: at, end: at, text: `\n${line}\n` });
    }
    const needs: ImportNeed[] = [{ module: 'pydantic', name: 'Field' }, ...typeImports(typeOf(p))];
    needs.push(...typingImports(ann));
    for (const e of enumNames(typeOf(p))) {
      const module = p.enumModules[e];
      if (module) needs.push({ module, name: e });
    }
    const imports = importEdits(source, root, needs);
    return finish(
      source,
      [...edits, ...imports.edits],
      [`${p.model}.${p.field}: ${ann} = Field(${args.join(', ')})`, ...imports.changes],
    );
  },
};
