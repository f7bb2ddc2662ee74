/**
 * The values a generated test uses for one new field: a valid value (never equal to the default, so a
 * round trip proves the value was stored), each constraint's boundary and one past it, a wrong-typed
 * value, the default, as Python expressions in the model's form and in the JSON form tools return.
 */
import type { EnumAnchor } from '../analysis/anchor-map';
import { SpecialistError, ERROR_TYPES } from '../errors';
import type { FieldChange } from '../spec/feature-spec';
import type { FieldType } from '../spec/field-type';
import { pyNumber, pyString, type ImportSet, type Quote } from './python-text';

/** One value: `py` builds the model / calls the service, `json` is what a tool takes and returns. */
export interface PyValue {
  py: string;
  json: string;
}

export interface FieldCase {
  /** Snake-case words for the test name: `at_max_length`, `over_max_length`. */
  label: string;
  py: string;
}

export interface FieldCases {
  valid: PyValue;
  /** Boundary values that must be accepted (and kept). */
  accepted: FieldCase[];
  /** Values that must raise ValidationError: one past each boundary, a wrong type. */
  rejected: FieldCase[];
  nullable: boolean;
  /** The default, when omitting the field is allowed: the assertion's right-hand side. */
  defaultCheck?: { words: string; assertion: (expr: string) => string; json: string };
  /** Python expression listing every member, for enum fields. */
  enumMembers?: string;
}

interface Ctx {
  quote: Quote;
  imports: ImportSet;
  enums: EnumAnchor[];
  field: string;
}

function enumOf(ctx: Ctx, name: string): EnumAnchor {
  const found = ctx.enums.find((e) => e.className === name);
  if (!found || found.members.length === 0) {
    throw new SpecialistError(
      ERROR_TYPES.anchorNotFound,
      `enum ${name} (type of ${ctx.field}) has no members`,
      {
        enum: name,
      },
    );
  }
  ctx.imports.name(found.module, found.className);
  return found;
}

function text(length: number, ctx: Ctx): string {
  const base = `test ${ctx.field.replace(/_/g, ' ')}`;
  return base.length >= length ? base.slice(0, length) : base + 'x'.repeat(length - base.length);
}

/** The k-th sample of a type (k = 0, 1, ...), honouring length/range constraints when given. */
function sample(type: FieldType, k: number, ctx: Ctx, change?: FieldChange): PyValue {
  const c = change?.constraints ?? {};
  switch (type.kind) {
    case 'str': {
      const min = c.min_length ?? 1;
      const max = c.max_length ?? Math.max(min, 40);
      const words = `test ${ctx.field.replace(/_/g, ' ')}${k > 0 ? ` ${k + 1}` : ''}`;
      let value = words.length > max ? words.slice(words.length - max) : words;
      if (value.length < min) value += 'x'.repeat(min - value.length);
      if (c.pattern !== undefined) value = matchingText(c.pattern, min, max, ctx);
      const lit = pyString(value, ctx.quote);
      return { py: lit, json: lit };
    }
    case 'int':
    case 'float': {
      const isFloat = type.kind === 'float';
      const step = isFloat ? 0.5 : 1;
      const low = c.ge ?? (c.gt !== undefined ? c.gt + step : undefined);
      const high = c.le ?? (c.lt !== undefined ? c.lt - step : undefined);
      let value: number;
      if (low !== undefined && high !== undefined) value = Math.min(high, low + step * (k + 1));
      else if (low !== undefined) value = low + step * (k + 1);
      else if (high !== undefined) value = high - step * (k + 1);
      else value = 7 + k;
      if (isFloat && low === undefined && high === undefined) value += 0.5;
      if (!isFloat) value = Math.round(value);
      const lit = pyNumber(value, isFloat);
      return { py: lit, json: lit };
    }
    case 'bool': {
      const lit = k % 2 === 0 ? 'True' : 'False';
      return { py: lit, json: lit };
    }
    case 'datetime': {
      ctx.imports.name('datetime', 'datetime').name('datetime', 'timezone');
      const day = 17 + k;
      return {
        py: `datetime(2024, 5, ${day}, 12, 30, tzinfo=timezone.utc)`,
        json: pyString(`2024-05-${day}T12:30:00+00:00`, ctx.quote),
      };
    }
    case 'UUID': {
      ctx.imports.name('uuid', 'UUID');
      const id = `0f0e0d0c-0b0a-4908-8706-05040302010${k % 10}`;
      return { py: `UUID(${pyString(id, ctx.quote)})`, json: pyString(id, ctx.quote) };
    }
    case 'enum': {
      const anchor = enumOf(ctx, type.name);
      const member = anchor.members[k % anchor.members.length]!;
      return { py: `${anchor.className}.${member.name}`, json: pyString(member.value, ctx.quote) };
    }
    case 'list': {
      const min = c.min_length ?? 0;
      const max = c.max_length ?? Math.max(min, 2);
      const count = Math.max(min, Math.min(max, 2));
      const items = Array.from({ length: count }, (_, i) => sample(type.item, k + i, ctx));
      return {
        py: `[${items.map((i) => i.py).join(', ')}]`,
        json: `[${items.map((i) => i.json).join(', ')}]`,
      };
    }
    case 'dict': {
      const key = sample(type.key, k, ctx);
      const keyJson = type.key.kind === 'str' ? key.json : pyString(`${k + 1}`, ctx.quote);
      const keyPy = type.key.kind === 'int' ? `${k + 1}` : key.py;
      const value = sample(type.value, k, ctx);
      return { py: `{${keyPy}: ${value.py}}`, json: `{${keyJson}: ${value.json}}` };
    }
  }
}

/** A string the pattern accepts, from a few plain candidates (a regex cannot be inverted in general). */
function matchingText(pattern: string, min: number, max: number, ctx: Ctx): string {
  const re = new RegExp(pattern, 'u');
  const candidates = [
    text(Math.max(min, 8), ctx),
    'test',
    'abc',
    'ABC',
    'abc-123',
    'a1',
    '1234567890',
    'x',
    'A',
    // Short codes (a language, a country: `^[a-z]{2}$`, `^[A-Z]{3}$`).
    'xy',
    'XY',
    'xyz',
    'XYZ',
    '12',
  ];
  const found = candidates.find((s) => re.test(s) && s.length >= min && s.length <= max);
  if (found === undefined) {
    throw new SpecialistError(
      ERROR_TYPES.codemodFailed,
      `cannot find a value of ${ctx.field} that matches the pattern ${pattern}: give the field a default in the spec`,
      { field: ctx.field, pattern },
    );
  }
  return found;
}

/** The spec's JSON default as a Python value of the field's type. */
function defaultValue(type: FieldType, value: unknown, ctx: Ctx): PyValue {
  if (value === null) return { py: 'None', json: 'None' };
  switch (type.kind) {
    case 'str': {
      const lit = pyString(String(value), ctx.quote);
      return { py: lit, json: lit };
    }
    case 'int':
    case 'float': {
      const lit = pyNumber(Number(value), type.kind === 'float');
      return { py: lit, json: lit };
    }
    case 'bool': {
      const lit = value ? 'True' : 'False';
      return { py: lit, json: lit };
    }
    case 'datetime':
      ctx.imports.name('datetime', 'datetime');
      return {
        py: `datetime.fromisoformat(${pyString(String(value), ctx.quote)})`,
        json: pyString(String(value), ctx.quote),
      };
    case 'UUID':
      ctx.imports.name('uuid', 'UUID');
      return { py: `UUID(${pyString(String(value), ctx.quote)})`, json: pyString(String(value), ctx.quote) };
    case 'enum': {
      const anchor = enumOf(ctx, type.name);
      const member = anchor.members.find((m) => m.value === value || m.name === value);
      if (!member) {
        throw new SpecialistError(
          ERROR_TYPES.specInvalid,
          `default ${String(value)} is not a member of ${type.name}`,
        );
      }
      return { py: `${anchor.className}.${member.name}`, json: pyString(member.value, ctx.quote) };
    }
    case 'list': {
      const items = (value as unknown[]).map((v) => defaultValue(type.item, v, ctx));
      return {
        py: `[${items.map((i) => i.py).join(', ')}]`,
        json: `[${items.map((i) => i.json).join(', ')}]`,
      };
    }
    case 'dict': {
      const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => {
        const item = defaultValue(type.value, v, ctx);
        const key = pyString(k, ctx.quote);
        return { py: `${key}: ${item.py}`, json: `${key}: ${item.json}` };
      });
      return {
        py: `{${entries.map((e) => e.py).join(', ')}}`,
        json: `{${entries.map((e) => e.json).join(', ')}}`,
      };
    }
  }
}

const WRONG_TYPE: Record<FieldType['kind'], string> = {
  str: '12345',
  int: 'not a number',
  float: 'not a number',
  bool: 'not a bool',
  datetime: 'not a datetime',
  UUID: 'not a uuid',
  enum: 'not a member',
  list: 'not a list',
  dict: 'not a dict',
};

/** A value that is not `value` of the same type (for a valid value different from the default). */
function differentFrom(type: FieldType, avoid: string | undefined, ctx: Ctx, change: FieldChange): PyValue {
  for (let k = 0; k < 4; k++) {
    const candidate = sample(type, k, ctx, change);
    if (candidate.py !== avoid) return candidate;
  }
  return sample(type, 0, ctx, change);
}

export function fieldCases(
  change: FieldChange,
  type: FieldType,
  enums: EnumAnchor[],
  quote: Quote,
  imports: ImportSet,
): FieldCases {
  const ctx: Ctx = { quote, imports, enums, field: change.field };
  const c = change.constraints ?? {};
  const hasDefault = change.default !== undefined || change.nullable;
  const def = hasDefault ? defaultValue(type, change.default ?? null, ctx) : undefined;
  const valid = differentFrom(type, def?.py, ctx, change);
  const accepted: FieldCase[] = [];
  const rejected: FieldCase[] = [];
  const lengthValue = (n: number) =>
    type.kind === 'str'
      ? `${pyString('x', quote)} * ${n}`
      : type.kind === 'list'
        ? `[${sample(type.item, 0, ctx).py}] * ${n}`
        : undefined;
  if (c.max_length !== undefined && lengthValue(0) && c.pattern === undefined) {
    accepted.push({ label: 'at_max_length', py: lengthValue(c.max_length)! });
    rejected.push({ label: 'over_max_length', py: lengthValue(c.max_length + 1)! });
  }
  if (c.min_length !== undefined && c.min_length > 0 && lengthValue(0) && c.pattern === undefined) {
    accepted.push({ label: 'at_min_length', py: lengthValue(c.min_length)! });
    rejected.push({ label: 'under_min_length', py: lengthValue(c.min_length - 1)! });
  }
  const isFloat = type.kind === 'float';
  const num = (n: number) => pyNumber(n, isFloat);
  const step = isFloat ? 0.5 : 1;
  if (c.ge !== undefined) {
    accepted.push({ label: 'at_minimum', py: num(c.ge) });
    rejected.push({ label: 'below_minimum', py: num(c.ge - step) });
  }
  if (c.gt !== undefined) {
    accepted.push({ label: 'just_above_exclusive_minimum', py: num(c.gt + step) });
    rejected.push({ label: 'at_exclusive_minimum', py: num(c.gt) });
  }
  if (c.le !== undefined) {
    accepted.push({ label: 'at_maximum', py: num(c.le) });
    rejected.push({ label: 'above_maximum', py: num(c.le + step) });
  }
  if (c.lt !== undefined) {
    accepted.push({ label: 'just_below_exclusive_maximum', py: num(c.lt - step) });
    rejected.push({ label: 'at_exclusive_maximum', py: num(c.lt) });
  }
  rejected.push({
    label: 'wrong_type',
    py: WRONG_TYPE[type.kind] === '12345' ? '12345' : pyString(WRONG_TYPE[type.kind], quote),
  });
  let defaultCheck: FieldCases['defaultCheck'];
  if (def) {
    const identity = def.py === 'None' || def.py === 'True' || def.py === 'False' || type.kind === 'enum';
    const words = def.py === 'None' ? 'none' : type.kind === 'bool' ? def.py.toLowerCase() : 'default';
    defaultCheck = {
      words,
      assertion: (expr) => `${expr} ${identity ? 'is' : '=='} ${def.py}`,
      json: def.json,
    };
  }
  let enumMembers: string | undefined;
  if (type.kind === 'enum') enumMembers = `list(${enumOf(ctx, type.name).className})`;
  return {
    valid,
    accepted,
    rejected,
    nullable: change.nullable,
    ...(defaultCheck ? { defaultCheck } : {}),
    ...(enumMembers ? { enumMembers } : {}),
  };
}
