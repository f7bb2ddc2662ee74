/**
 * What a memory operation accepts, as zod schemas, and the turning of a zod failure into one
 * `MemoryInvalid` error that names the operation, the entry and each bad field with what was expected.
 */
import { z } from 'zod';
import { ERROR_TYPES, SpecialistError } from '../errors';
import { invalidUnicodeProblems } from '../spec/unicode-text';

export const MEMORY_TYPES = ['semantic', 'episodic', 'procedural'] as const;
export type MemoryType = (typeof MEMORY_TYPES)[number];

/** 1 MiB: the default limit on a value (and on metadata), as UTF-8 JSON. */
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;

const SEGMENT = '[A-Za-z0-9_.-]+';

export const NamespaceSchema = z
  .string()
  .max(255, 'at most 255 characters')
  .regex(
    new RegExp(`^${SEGMENT}(:${SEGMENT})*$`),
    'segments of letters, digits, "_", "." or "-" separated by ":" (e.g. task:abc123:technical_specs)',
  );

export const KeySchema = z
  .string()
  .max(255, 'at most 255 characters')
  .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." or "-" (e.g. data_models)');

/** Who wrote: an agent or user name (`python-backend-specialist`, `cli:alice`). */
export const ActorSchema = z
  .string()
  .max(200, 'at most 200 characters')
  .regex(/^[A-Za-z0-9_.:@/-]+$/, 'letters, digits and "_.:@/-" (e.g. python-backend-specialist)');

export const TaskIdSchema = ActorSchema;

/** Workflow id + activity or phase; activities hash anything outside this alphabet. */
export const IdempotencyKeySchema = z
  .string()
  .max(512, 'at most 512 characters')
  .regex(/^[A-Za-z0-9_.:@/=+-]+$/, 'letters, digits and "_.:@/=+-"');

export const MemoryTypeSchema = z.enum(MEMORY_TYPES, 'one of semantic, episodic, procedural');

/** A JSON object (not an array, not null); size and content are checked by `encodeJsonObject`. */
export const JsonObjectSchema = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  'a JSON object ({...}), not an array, string, number or null',
);

const VersionSchema = z.number().int('a whole number').min(1, 'a version number, 1 or more');

const writeFields = {
  taskId: TaskIdSchema.optional(),
  idempotencyKey: IdempotencyKeySchema.optional(),
};

export const AddInputSchema = z.strictObject({
  namespace: NamespaceSchema,
  key: KeySchema,
  value: JsonObjectSchema,
  memoryType: MemoryTypeSchema,
  metadata: JsonObjectSchema.optional(),
  createdBy: ActorSchema,
  ...writeFields,
});
export type MemoryAddInput = z.input<typeof AddInputSchema>;

export const UpdateInputSchema = z.strictObject({
  namespace: NamespaceSchema,
  key: KeySchema,
  value: JsonObjectSchema,
  /** Omitted: keep the entry's type. */
  memoryType: MemoryTypeSchema.optional(),
  /** Omitted: keep the entry's metadata. */
  metadata: JsonObjectSchema.optional(),
  updatedBy: ActorSchema,
  ...writeFields,
});
export type MemoryUpdateInput = z.input<typeof UpdateInputSchema>;

export const DeleteInputSchema = z.strictObject({
  namespace: NamespaceSchema,
  key: KeySchema,
  deletedBy: ActorSchema,
  ...writeFields,
});
export type MemoryDeleteInput = z.input<typeof DeleteInputSchema>;

export const GetInputSchema = z.strictObject({
  namespace: NamespaceSchema,
  key: KeySchema,
  /** Omitted: the latest version (of an entry that is not deleted). */
  version: VersionSchema.optional(),
});
export type MemoryGetInput = z.input<typeof GetInputSchema>;

export const EntryRefSchema = z.strictObject({ namespace: NamespaceSchema, key: KeySchema });
export type MemoryEntryRef = z.input<typeof EntryRefSchema>;

/** A literal prefix: `%`, `_` and `\` in it match themselves. */
const PrefixSchema = z
  .string()
  .max(255, 'at most 255 characters')
  .refine((s) => !s.includes('\0'), 'no NUL characters');

export const SearchInputSchema = z.strictObject({
  /** Namespace prefix (plain string prefix: `task:1` also matches `task:12:x`). Omitted: every namespace. */
  prefix: PrefixSchema.optional(),
  memoryType: MemoryTypeSchema.optional(),
  limit: z.number().int('a whole number').min(1, '1 to 1000').max(1000, '1 to 1000').optional(),
});
export type MemorySearchInput = z.input<typeof SearchInputSchema>;

export const NamespacesInputSchema = z.strictObject({ prefix: PrefixSchema.optional() });
export type MemoryNamespacesInput = z.input<typeof NamespacesInputSchema>;

/** Parses `input` or throws `MemoryInvalid` naming `operation`, the entry, and every bad field. */
export function parseMemoryInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  operation: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const target = describeTarget(input);
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'input';
    const got = valueAt(input, issue.path);
    const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 80);
    return issue.code === 'unrecognized_keys'
      ? `unknown field(s) ${issue.keys.join(', ')}`
      : `${field} must be ${issue.message}, got ${shown}`;
  });
  throw new SpecialistError(
    ERROR_TYPES.memoryInvalid,
    `memory ${operation}${target}: ${problems.join('; ')}`,
    {
      operation,
      problems,
    },
  );
}

/**
 * The JSON text of `value` for a `jsonb` parameter, or `MemoryInvalid` when it is too large or holds
 * what PostgreSQL cannot store (NUL characters) or JSON cannot express (BigInt, cycles).
 */
export function encodeJsonObject(
  value: Record<string, unknown>,
  field: 'value' | 'metadata',
  where: string,
  maxBytes: number,
): string {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new SpecialistError(
      ERROR_TYPES.memoryInvalid,
      `${where}: ${field} must be JSON-serialisable (${(err as Error).message})`,
      { field },
    );
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes)
    throw new SpecialistError(
      ERROR_TYPES.memoryInvalid,
      `${where}: ${field} is ${bytes} bytes as JSON, more than the limit of ${maxBytes} bytes; store a summary or split it`,
      { field, bytes, maxBytes },
    );
  // JSON.stringify writes an unpaired surrogate as a `\udXXX` escape, which jsonb refuses.
  const badUnicode = /\\ud[89a-f]/i.test(text) ? invalidUnicodeProblems(value)[0] : undefined;
  if (badUnicode) {
    const at = badUnicode.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
    throw new SpecialistError(ERROR_TYPES.memoryInvalid, `${where}: ${field}${at}: ${badUnicode.message}`, {
      field,
      path: badUnicode.path,
    });
  }
  if (text.includes('\\u0000'))
    throw new SpecialistError(
      ERROR_TYPES.memoryInvalid,
      `${where}: ${field} must not contain NUL (\\u0000) characters (PostgreSQL jsonb cannot store them)`,
      { field },
    );
  return text;
}

function describeTarget(input: unknown): string {
  if (typeof input !== 'object' || input === null) return '';
  const { namespace, key } = input as { namespace?: unknown; key?: unknown };
  if (typeof namespace !== 'string') return '';
  return typeof key === 'string'
    ? ` ${JSON.stringify(namespace)}/${JSON.stringify(key)}`
    : ` ${JSON.stringify(namespace)}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}
