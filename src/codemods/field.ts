/**
 * The new field as the codemods see it (a subset of the spec's `FieldChange`, plus the enum members
 * the analysis found) and the Python/SQL/JSON spellings every layer needs.
 */
import { z } from 'zod';
import { constraintsSchema, type FieldChange } from '../spec/feature-spec';
import { parseFieldType, formatFieldType, type FieldType } from '../spec/field-type';
import { pythonString } from '../python-syntax/escape-text';
import { CodemodRefusal } from './codemod';

export const enumMembersSchema = z.record(
  z.string(),
  z.array(z.object({ name: z.string(), value: z.string() })),
);

export const fieldOptionsSchema = z.object({
  field: z.string(),
  type: z.string(),
  nullable: z.boolean().default(false),
  default: z.unknown().optional(),
  constraints: constraintsSchema.default({}),
  description: z.string().optional(),
  /** Members of the enums the type names (name and value), as found in the codebase. */
  enums: enumMembersSchema.default({}),
});
export type FieldOptions = z.infer<typeof fieldOptionsSchema>;

/** The codemods' field options of a spec change, with the enum members the analysis found. */
export function fieldOptionsOf(
  change: FieldChange,
  enums: readonly { className: string; members: unknown }[],
): Record<string, unknown> {
  return {
    field: change.field,
    type: change.type,
    nullable: change.nullable,
    default: change.default,
    constraints: change.constraints,
    description: change.description,
    enums: Object.fromEntries(enums.map((e) => [e.className, e.members])),
  };
}

export const typeOf = (f: FieldOptions): FieldType => parseFieldType(f.type);
export const hasDefault = (f: FieldOptions): boolean => f.default !== undefined;

/** Python string literal in the file's quote style (the one escaping rule: python-syntax/escape-text). */
export function pyString(value: string, quote: '"' | "'" = '"'): string {
  return pythonString(value, quote);
}

/** Raw string literal for a regex (falls back to an escaped literal when a raw one cannot hold it). */
export function pyPattern(pattern: string, quote: '"' | "'"): string {
  // A raw literal cannot escape anything: control characters (a newline among them) need pyString.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(pattern)) return pyString(pattern, quote);
  if (!pattern.includes(quote) && !pattern.endsWith('\\')) return `r${quote}${pattern}${quote}`;
  const other = quote === '"' ? "'" : '"';
  if (!pattern.includes(other) && !pattern.endsWith('\\')) return `r${other}${pattern}${other}`;
  return pyString(pattern, quote);
}

/** The enum member for a default given as a member value or name. */
export function enumMember(f: FieldOptions, enumName: string, value: unknown): string {
  const members = f.enums[enumName];
  if (!members) throw new CodemodRefusal(`enum ${enumName} was not found in the codebase`);
  const member = members.find((m) => m.value === value) ?? members.find((m) => m.name === value);
  if (!member) {
    throw new CodemodRefusal(
      `default ${JSON.stringify(value)} is not a member of ${enumName} (members: ${members.map((m) => `${m.name}=${JSON.stringify(m.value)}`).join(', ')})`,
    );
  }
  return member.name;
}

/** The stored value of an enum member given by value or name. */
export function enumValue(f: FieldOptions, enumName: string, value: unknown): string {
  const members = f.enums[enumName] ?? [];
  const member = members.find((m) => m.value === value) ?? members.find((m) => m.name === value);
  return member?.value ?? String(value);
}

/** A JSON value as a Python expression of the given type. */
export function pyLiteral(f: FieldOptions, type: FieldType, value: unknown, quote: '"' | "'"): string {
  if (value === null || value === undefined) return 'None';
  switch (type.kind) {
    case 'str':
      return pyString(String(value), quote);
    case 'int':
    case 'float':
      return String(value);
    case 'bool':
      return value ? 'True' : 'False';
    case 'datetime':
      return `datetime.fromisoformat(${pyString(String(value), quote)})`;
    case 'UUID':
      return `UUID(${pyString(String(value), quote)})`;
    case 'enum':
      return `${type.name}.${enumMember(f, type.name, value)}`;
    case 'list':
      return `[${(value as unknown[]).map((v) => pyLiteral(f, type.item, v, quote)).join(', ')}]`;
    case 'dict':
      return `{${Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `${pyLiteral(f, type.key, k, quote)}: ${pyLiteral(f, type.value, v, quote)}`)
        .join(', ')}}`;
  }
}

/** `str | None` or `Optional[str]`. */
export function annotation(f: FieldOptions, style: 'pipe' | 'optional', typingGenerics = false): string {
  let base = formatFieldType(typeOf(f));
  if (typingGenerics) base = base.replace(/\blist\[/g, 'List[').replace(/\bdict\[/g, 'Dict[');
  if (!f.nullable) return base;
  return style === 'optional' ? `Optional[${base}]` : `${base} | None`;
}

/** Whether a file spells collections the pre-3.9 way (`List[str]` from typing). */
export function usesTypingGenerics(source: string): boolean {
  return /^from typing import .*\b(List|Dict)\b/m.test(source) && /\b(List|Dict)\[/.test(source);
}

/** The typing imports an annotation needs (`Optional`, `List`, `Dict`). */
export function typingImports(text: string): { module: string; name: string }[] {
  return ['Optional', 'List', 'Dict']
    .filter((name) => new RegExp(`\\b${name}\\[`).test(text))
    .map((name) => ({ module: 'typing', name }));
}

/** The generated description when the spec gives none: the field name in words. */
export function describeField(f: FieldOptions, model: string): string {
  if (f.description) return f.description;
  const words = f.field.split('_').filter(Boolean).join(' ');
  const text = `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
  return `${text} of the ${model.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}${f.nullable ? ' (optional)' : ''}`;
}

/** The arguments of `Field(...)`: default, declarative constraints, description. */
export function fieldArguments(f: FieldOptions, model: string, quote: '"' | "'"): string[] {
  const type = typeOf(f);
  const args: string[] = [];
  if (f.default === undefined) {
    if (f.nullable) args.push('default=None');
  } else if (f.default === null) {
    args.push('default=None');
  } else if (type.kind === 'list' || type.kind === 'dict') {
    const empty =
      type.kind === 'list'
        ? (f.default as unknown[]).length === 0
        : Object.keys(f.default as object).length === 0;
    args.push(
      empty
        ? `default_factory=${type.kind}`
        : `default_factory=lambda: ${pyLiteral(f, type, f.default, quote)}`,
    );
  } else {
    args.push(`default=${pyLiteral(f, type, f.default, quote)}`);
  }
  const c = f.constraints;
  if (c.min_length !== undefined) args.push(`min_length=${c.min_length}`);
  if (c.max_length !== undefined) args.push(`max_length=${c.max_length}`);
  if (c.pattern !== undefined) args.push(`pattern=${pyPattern(c.pattern, quote)}`);
  for (const key of ['gt', 'ge', 'lt', 'le', 'multiple_of'] as const) {
    if (c[key] !== undefined) args.push(`${key}=${c[key]}`);
  }
  args.push(`description=${pyString(describeField(f, model), quote)}`);
  return args;
}

/** SQLite column type for the field, following the types the table already uses. */
export function sqlType(type: FieldType, tableTypes: string[]): string {
  const uses = (t: string) => tableTypes.some((x) => x.toUpperCase() === t);
  switch (type.kind) {
    case 'int':
      return 'INTEGER';
    case 'float':
      return 'REAL';
    case 'bool':
      return uses('BOOLEAN') ? 'BOOLEAN' : 'INTEGER';
    case 'datetime':
      return uses('TIMESTAMP') ? 'TIMESTAMP' : uses('DATETIME') ? 'DATETIME' : 'TEXT';
    default:
      return 'TEXT';
  }
}

/** The default as an SQL constant (what `DEFAULT` takes), or undefined when there is none. */
export function sqlDefault(f: FieldOptions): string | undefined {
  if (f.default === undefined || f.default === null) return undefined;
  const type = typeOf(f);
  const text = (s: string) => `'${s.replace(/'/g, "''")}'`;
  switch (type.kind) {
    case 'int':
    case 'float':
      return String(f.default);
    case 'bool':
      return f.default ? '1' : '0';
    case 'list':
    case 'dict':
      return text(JSON.stringify(f.default));
    case 'enum':
      return text(enumValue(f, type.name, f.default));
    default:
      return text(String(f.default));
  }
}

/**
 * The column definition for CREATE TABLE and ALTER TABLE ADD COLUMN. SQLite's ADD COLUMN rules hold
 * by construction: never PRIMARY KEY/UNIQUE/REFERENCES, NOT NULL only with a constant default, and
 * defaults are literals (never CURRENT_*).
 */
export function columnDefinition(f: FieldOptions, sql: string): string {
  const def = sqlDefault(f);
  if (!f.nullable && def === undefined) {
    throw new CodemodRefusal(
      `${f.field} is NOT NULL without a default: SQLite cannot add it to existing rows (give it a default or make it nullable)`,
    );
  }
  const parts = [f.field, sql];
  if (!f.nullable) parts.push('NOT NULL');
  if (def !== undefined) parts.push(`DEFAULT ${def}`);
  return parts.join(' ');
}

/** A JSON-ready expression of `expr` (an expression of the field's type, never None). */
export function jsonable(type: FieldType, expr: string, v = 'v'): string {
  switch (type.kind) {
    case 'datetime':
      return `${expr}.isoformat()`;
    case 'UUID':
      return `str(${expr})`;
    case 'enum':
      return `${expr}.value`;
    case 'list': {
      const inner = jsonable(type.item, v, `${v}${v}`);
      return inner === v ? expr : `[${inner} for ${v} in ${expr}]`;
    }
    case 'dict': {
      const k = `k${v}`;
      const key = jsonable(type.key, k, `${v}${v}`);
      const value = jsonable(type.value, v, `${v}${v}`);
      return key === k && value === v ? expr : `{${key}: ${value} for ${k}, ${v} in ${expr}.items()}`;
    }
    default:
      return expr;
  }
}

/** Wraps a conversion so that None stays None: `conv if x else None` (`is not None` for falsy-valid values). */
export function noneSafe(type: FieldType, expr: string, converted: string): string {
  if (converted === expr) return expr;
  const test = type.kind === 'list' || type.kind === 'dict' ? `${expr} is not None` : expr;
  return `${converted} if ${test} else None`;
}

/** The value written to the database for `expr` (the model attribute or parameter). */
export function toDatabase(f: FieldOptions, expr: string): string {
  const type = typeOf(f);
  let converted = jsonable(type, expr);
  if (type.kind === 'list' || type.kind === 'dict') converted = `json.dumps(${converted})`;
  return f.nullable ? noneSafe(type, expr, converted) : converted;
}

/** `raw` (text) parsed into a datetime, UUID or enum member; undefined for other types. */
function parsedFromText(type: FieldType, raw: string): string | undefined {
  switch (type.kind) {
    case 'datetime':
      return `datetime.fromisoformat(${raw})`;
    case 'UUID':
      return `UUID(${raw})`;
    case 'enum':
      return `${type.name}(${raw})`;
    default:
      return undefined;
  }
}

/** The model value read back from a column expression `raw` (e.g. `row["x"]`). */
export function fromDatabase(f: FieldOptions, raw: string): string {
  const type = typeOf(f);
  let converted = parsedFromText(type, raw);
  if (type.kind === 'bool') converted = `bool(${raw})`;
  if (type.kind === 'list' || type.kind === 'dict') converted = `json.loads(${raw})`;
  if (converted === undefined) return raw;
  return f.nullable ? `${converted} if ${raw} is not None else None` : converted;
}

/**
 * The value a handler passes on for a raw JSON argument: `raw` reads it (`x` or `arguments.get("x")`),
 * `test` is the expression that says whether it was given.
 */
export function fromArgument(f: FieldOptions, raw: string, test = raw): string {
  const converted = parsedFromText(typeOf(f), raw);
  if (converted === undefined) return raw;
  return f.nullable || f.default === undefined ? `${converted} if ${test} else None` : converted;
}

/** A JSON value as a Python literal (strings quoted, true → True, null → None). */
export function pyJson(value: unknown, quote: '"' | "'"): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return pyString(value, quote);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => pyJson(v, quote)).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${pyString(k, quote)}: ${pyJson(v, quote)}`)
    .join(', ')}}`;
}

/** The value a serializer returns for `expr` (a model attribute). */
export function toJson(f: FieldOptions, expr: string): string {
  const type = typeOf(f);
  const converted = jsonable(type, expr);
  return f.nullable ? noneSafe(type, expr, converted) : converted;
}

/** The imports the converted expressions of a type need: `datetime`, `UUID`, the enums, `json`. */
export function typeImports(type: FieldType): { module: string; name: string }[] {
  switch (type.kind) {
    case 'datetime':
      return [{ module: 'datetime', name: 'datetime' }];
    case 'UUID':
      return [{ module: 'uuid', name: 'UUID' }];
    case 'list':
      return typeImports(type.item);
    case 'dict':
      return [...typeImports(type.key), ...typeImports(type.value)];
    default:
      return [];
  }
}

/** JSON schema of the field for a tool's `inputSchema`, constraints matching the Pydantic ones. */
export function jsonSchema(f: FieldOptions, model: string): Record<string, unknown> {
  const schemaOf = (type: FieldType): Record<string, unknown> => {
    switch (type.kind) {
      case 'str':
        return { type: 'string' };
      case 'int':
        return { type: 'integer' };
      case 'float':
        return { type: 'number' };
      case 'bool':
        return { type: 'boolean' };
      case 'datetime':
        return { type: 'string', format: 'date-time' };
      case 'UUID':
        return { type: 'string', format: 'uuid' };
      case 'enum':
        return { type: 'string', enum: (f.enums[type.name] ?? []).map((m) => m.value) };
      case 'list':
        return { type: 'array', items: schemaOf(type.item) };
      case 'dict':
        return { type: 'object', additionalProperties: schemaOf(type.value) };
    }
  };
  const type = typeOf(f);
  const schema = schemaOf(type);
  if (f.nullable) schema.type = [schema.type, 'null'];
  const c = f.constraints;
  const lengthKey = (k: 'min' | 'max') =>
    type.kind === 'list' ? `${k}Items` : type.kind === 'dict' ? `${k}Properties` : `${k}Length`;
  if (c.min_length !== undefined) schema[lengthKey('min')] = c.min_length;
  if (c.max_length !== undefined) schema[lengthKey('max')] = c.max_length;
  if (c.pattern !== undefined) schema.pattern = c.pattern;
  if (c.ge !== undefined) schema.minimum = c.ge;
  if (c.gt !== undefined) schema.exclusiveMinimum = c.gt;
  if (c.le !== undefined) schema.maximum = c.le;
  if (c.lt !== undefined) schema.exclusiveMaximum = c.lt;
  if (c.multiple_of !== undefined) schema.multipleOf = c.multiple_of;
  if (f.default !== undefined && f.default !== null) {
    schema.default = type.kind === 'enum' ? enumValue(f, type.name, f.default) : f.default;
  }
  schema.description = describeField(f, model);
  return schema;
}
