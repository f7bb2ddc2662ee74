/**
 * The field types a feature spec may name, parsed from their Python spelling:
 * `str`, `int`, `float`, `bool`, `datetime`, `UUID`, an Enum class of the codebase (any other
 * identifier), `list[T]` and `dict[K, V]`.
 */
export type FieldType =
  | { kind: 'str' | 'int' | 'float' | 'bool' | 'datetime' | 'UUID' }
  | { kind: 'enum'; name: string }
  | { kind: 'list'; item: FieldType }
  | { kind: 'dict'; key: FieldType; value: FieldType };

const SCALARS = new Set(['str', 'int', 'float', 'bool', 'datetime', 'UUID']);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class FieldTypeError extends Error {}

/** Parses `list[dict[str, int]]` and friends; throws FieldTypeError naming what was expected. */
export function parseFieldType(text: string): FieldType {
  const source = text.trim();
  let pos = 0;
  const fail = (what: string): never => {
    throw new FieldTypeError(
      `unknown type "${text}": ${what} (expected str, int, float, bool, datetime, UUID, an Enum class name, list[T] or dict[K, V])`,
    );
  };
  const skipSpaces = () => {
    while (source[pos] === ' ') pos++;
  };
  const parse = (): FieldType => {
    skipSpaces();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(pos));
    if (!match) return fail(`expected a type name at position ${pos}`);
    const name = match[0];
    pos += name.length;
    skipSpaces();
    if (name === 'list' || name === 'dict') {
      if (source[pos] !== '[')
        return fail(`${name} needs type arguments, e.g. ${name === 'list' ? 'list[str]' : 'dict[str, int]'}`);
      pos++;
      const first = parse();
      let result: FieldType;
      if (name === 'dict') {
        skipSpaces();
        if (source[pos] !== ',') return fail('dict needs a key and a value type');
        pos++;
        const value = parse();
        if (first.kind !== 'str' && first.kind !== 'int' && first.kind !== 'enum') {
          return fail('dict keys must be str, int or an Enum (JSON object keys)');
        }
        result = { kind: 'dict', key: first, value };
      } else {
        result = { kind: 'list', item: first };
      }
      skipSpaces();
      if (source[pos] !== ']') return fail(`expected "]" at position ${pos}`);
      pos++;
      skipSpaces();
      return result;
    }
    if (SCALARS.has(name)) return { kind: name as 'str' };
    if (
      ['Optional', 'Union', 'None', 'Any', 'object', 'bytes', 'tuple', 'set', 'List', 'Dict'].includes(name)
    ) {
      return fail(
        `"${name}" is not supported; use "nullable": true for optional fields, list[...] / dict[...] for collections`,
      );
    }
    if (!IDENTIFIER.test(name) || name[0] !== name[0]!.toUpperCase()) {
      return fail(
        `"${name}" is neither a known type nor an Enum class name (Enum classes start with a capital letter)`,
      );
    }
    return { kind: 'enum', name };
  };
  const result = parse();
  if (pos !== source.length) fail(`unexpected "${source.slice(pos)}"`);
  return result;
}

/** The Python spelling of a type, e.g. `list[str]`. */
export function formatFieldType(type: FieldType): string {
  switch (type.kind) {
    case 'enum':
      return type.name;
    case 'list':
      return `list[${formatFieldType(type.item)}]`;
    case 'dict':
      return `dict[${formatFieldType(type.key)}, ${formatFieldType(type.value)}]`;
    default:
      return type.kind;
  }
}

/** Enum class names a type refers to (they must exist in the codebase). */
export function enumNames(type: FieldType): string[] {
  switch (type.kind) {
    case 'enum':
      return [type.name];
    case 'list':
      return enumNames(type.item);
    case 'dict':
      return [...enumNames(type.key), ...enumNames(type.value)];
    default:
      return [];
  }
}

/** Every Python name the annotation of a type spells, e.g. `list[TaskStatus]` → list, TaskStatus. */
export function typeNames(type: FieldType): string[] {
  switch (type.kind) {
    case 'enum':
      return [type.name];
    case 'list':
      return ['list', ...typeNames(type.item)];
    case 'dict':
      return ['dict', ...typeNames(type.key), ...typeNames(type.value)];
    default:
      return [type.kind];
  }
}
