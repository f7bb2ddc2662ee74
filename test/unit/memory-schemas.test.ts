import { SpecialistError } from '../../src/errors';
import {
  AddInputSchema,
  NamespaceSchema,
  SearchInputSchema,
  encodeJsonObject,
  parseMemoryInput,
} from '../../src/memory/memory-schemas';
import { likePrefix } from '../../src/memory/memory-sql';

function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SpecialistError);
    expect((err as SpecialistError).type).toBe('MemoryInvalid');
    return (err as SpecialistError).message;
  }
  throw new Error('expected MemoryInvalid');
}

const add = {
  namespace: 'task:abc123:technical_specs',
  key: 'data_models',
  value: { changes: [] },
  memoryType: 'semantic',
  createdBy: 'python-backend-specialist',
};

describe('memory input schemas', () => {
  it.each(['task', 'task:abc123:technical_specs', 'a.b-c_d:E9'])('accepts the namespace %s', (ns) => {
    expect(NamespaceSchema.safeParse(ns).success).toBe(true);
  });

  it.each(['', ':task', 'task:', 'task::x', 'task x', 'task;x', "task'", 'tâche', 'a'.repeat(256)])(
    'rejects the namespace %j',
    (ns) => {
      expect(NamespaceSchema.safeParse(ns).success).toBe(false);
    },
  );

  it('names the operation, the entry, the field, what was expected and what came', () => {
    expect(invalid(() => parseMemoryInput(AddInputSchema, { ...add, memoryType: 'working' }, 'add'))).toBe(
      'memory add "task:abc123:technical_specs"/"data_models": memoryType must be one of semantic, episodic, procedural, got "working"',
    );
  });

  it('lists every bad field at once', () => {
    const message = invalid(() =>
      parseMemoryInput(AddInputSchema, { ...add, key: 'a b', value: [1], createdBy: '' }, 'add'),
    );
    expect(message).toContain('key must be letters, digits');
    expect(message).toContain('value must be a JSON object');
    expect(message).toContain('createdBy must be');
  });

  it('reports missing and unknown fields', () => {
    expect(invalid(() => parseMemoryInput(AddInputSchema, { namespace: 'task:x' }, 'add'))).toContain(
      'key must be',
    );
    expect(invalid(() => parseMemoryInput(AddInputSchema, { ...add, colour: 'red' }, 'add'))).toContain(
      'unknown field(s) colour',
    );
  });

  it('bounds the search limit', () => {
    expect(invalid(() => parseMemoryInput(SearchInputSchema, { limit: 5000 }, 'search'))).toContain(
      'limit must be 1 to 1000',
    );
  });
});

describe('encodeJsonObject', () => {
  it('returns the JSON text within the limit', () => {
    expect(encodeJsonObject({ a: 'é' }, 'value', 'memory add x/y', 11)).toBe('{"a":"é"}');
  });

  it('counts UTF-8 bytes, not characters, against the limit', () => {
    expect(invalid(() => encodeJsonObject({ a: 'é' }, 'value', 'memory add x/y', 9))).toBe(
      'memory add x/y: value is 10 bytes as JSON, more than the limit of 9 bytes; store a summary or split it',
    );
  });

  it('refuses what JSON or PostgreSQL cannot hold', () => {
    expect(invalid(() => encodeJsonObject({ n: BigInt(1) }, 'value', 'w', 100))).toContain(
      'JSON-serialisable',
    );
    expect(invalid(() => encodeJsonObject({ s: '\u0000' }, 'metadata', 'w', 100))).toContain(
      'metadata must not contain NUL',
    );
  });
});

describe('likePrefix', () => {
  it('escapes LIKE wildcards and the escape character so the prefix matches literally', () => {
    expect(likePrefix('task:a_b')).toBe('task:a\\_b%');
    expect(likePrefix('100%')).toBe('100\\%%');
    expect(likePrefix('a\\b')).toBe('a\\\\b%');
    expect(likePrefix('')).toBe('%');
  });
});
