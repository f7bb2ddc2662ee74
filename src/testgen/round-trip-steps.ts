/**
 * The statements of one round trip through the project's layers — the service stores the new field
 * and it reads back, the tool handler takes it, a serializer writes it — shared by the generated
 * integration tests (which end each with `assert <ok>`) and the round-trip check of phases 3–5
 * (`src/phases/round-trip-probe.ts`, which reports `<seen>` when `<ok>` is false). One source for
 * both, so the check after an edit runs what phase 6 will test.
 */
import type { SerializerAnchor } from '../analysis/anchor-map';
import type { FieldCases } from './field-cases';
import type { Wiring } from './project-wiring';
import { pyString, type ImportSet } from './python-text';
import { snakeModel } from './unit-tests';

export interface RoundTrip {
  /** Statements that lead to the value under test (may contain `assert` lines). */
  lines: string[];
  /** The condition the value must meet. */
  ok: string;
  /** The value under test (a Python expression), reported by the check. */
  seen: string;
  /** What `seen` is, in words. */
  what: string;
}

/** Which value a step passes for the new field: the spec's valid sample, or none (the default). */
export type Given = 'valid' | 'default';

/** The helper the tool steps use: every value stored under a key in a tool response. */
export const VALUES_OF = (q3: string) => `def _values_of(data: object, key: str) -> list[object]:
    ${q3}Every value stored under \`key\` in a tool response, however deeply nested.${q3}
    if isinstance(data, dict):
        found = [data[key]] if key in data else []
        return found + [v for value in data.values() for v in _values_of(value, key)]
    if isinstance(data, list):
        return [v for item in data for v in _values_of(item, key)]
    return []`;

/** `Model(required=..., field=value)`. */
export function makeModel(w: Wiring, field: string, value?: string): string {
  return `${w.model.name}(${[...w.model.kwargs, ...(value !== undefined ? [`${field}=${value}`] : [])].join(', ')})`;
}

/** The stored value's condition: the valid sample, or the default when the field was omitted. */
export function storedCheck(
  field: string,
  cases: FieldCases,
  given: Given,
): { ok: string; seen: string; what: string } {
  const seen = `stored.${field}`;
  const what = `the stored ${field} read back`;
  return given === 'valid'
    ? { ok: `${seen} == ${cases.valid.py}`, seen, what }
    : { ok: cases.defaultCheck!.assertion(seen), seen, what };
}

/** Reads the stored row back through the project's getter into `stored`. */
export function readBack(w: Wiring, getter: string, idExpr: string): string[] {
  return [
    `stored = await ${getter}.${w.getter.method}(${idExpr})`,
    ...(w.getter.nullable ? ['assert stored is not None'] : []),
  ];
}

/** The service call that creates a record, and the expression of its id. */
export function serviceCreate(
  w: Wiring,
  field: string,
  cases: FieldCases,
  service: string,
  given: Given,
): { lines: string[]; id: string } {
  const modelVar = snakeModel(w.model.name);
  const value = given === 'valid' ? cases.valid.py : undefined;
  // A service receiving the model built: the model is built with the value (as its tool builds it).
  const receives = w.service.receives;
  if (receives) {
    const built = `new_${modelVar}`;
    const call = `await ${w.service.call(service, [...w.service.args, `${receives}=${built}`].join(', '))}`;
    const make = `${built} = ${makeModel(w, field, value)}`;
    if (w.service.returns === 'model')
      return { lines: [make, `${modelVar} = ${call}`], id: `${modelVar}.id` };
    if (w.service.returns === 'id') return { lines: [make, `created_id = ${call}`], id: 'created_id' };
    return { lines: [make, call], id: `${built}.id` };
  }
  const args = [...w.service.args, ...(value !== undefined ? [`${field}=${value}`] : [])].join(', ');
  const call = `await ${w.service.call(service, args)}`;
  return w.service.returns === 'model'
    ? { lines: [`${modelVar} = ${call}`], id: `${modelVar}.id` }
    : { lines: [`created_id = ${call}`], id: 'created_id' };
}

/** The service stores the field (or its default) and the getter reads it back. */
export function serviceRoundTrip(
  w: Wiring,
  field: string,
  cases: FieldCases,
  owners: { service: string; getter: string },
  given: Given,
): RoundTrip {
  const created = serviceCreate(w, field, cases, owners.service, given);
  return {
    lines: [...created.lines, ...readBack(w, owners.getter, created.id)],
    ...storedCheck(field, cases, given),
  };
}

/** The tool's JSON arguments, with the new field when `given` is valid. */
export function toolArguments(
  w: Wiring,
  field: string,
  cases: FieldCases,
  given: Given,
  jsonArgs: string[] = w.tool!.jsonArgs,
): string {
  const extra = given === 'valid' ? [`${pyString(field, w.quote)}: ${cases.valid.json}`] : [];
  return `{${[...jsonArgs, ...extra].join(', ')}}`;
}

/** The tool handler's response carries the field (needs `VALUES_OF`). */
export function toolRoundTrip(
  w: Wiring,
  field: string,
  cases: FieldCases,
  server: string,
  given: Given,
  /** How to call the tool with its arguments dict, when not through `w.tool`. */
  call: (args: string) => string = (args) => w.tool!.call(server, args),
  jsonArgs?: string[],
): RoundTrip {
  const expected = given === 'valid' ? cases.valid.json : cases.defaultCheck!.json;
  const seen = `_values_of(result, ${pyString(field, w.quote)})`;
  return {
    lines: [`result = ${call(toolArguments(w, field, cases, given, jsonArgs))}`],
    ok: `${seen} == [${expected}]`,
    seen,
    what: `the response's values of ${field}`,
  };
}

/**
 * How a serializer is called on a model without building anything else: a module-level function or
 * a static method (importing it); undefined for an instance method.
 */
export function serializerCallee(w: Wiring, s: SerializerAnchor, imports: ImportSet): string | undefined {
  if (!s.className) {
    imports.name(s.module, s.function);
    return s.function;
  }
  if (w.classes[`${s.module}:${s.className}`]?.methods[s.function]?.static) {
    imports.name(s.module, s.className);
    return `${s.className}.${s.function}`;
  }
  return undefined;
}

/** The serializer's output of a model holding the valid sample carries it, in JSON form. */
export function serializerRoundTrip(w: Wiring, field: string, cases: FieldCases, callee: string): RoundTrip {
  const key = pyString(field, w.quote);
  return {
    lines: [`data = ${callee}(${makeModel(w, field, cases.valid.py)})`],
    ok: `data[${key}] == ${cases.valid.json}`,
    seen: `(data.get(${key}, ${pyString('<no such key>', w.quote)}) if isinstance(data, dict) else data)`,
    what: `its output's ${field}`,
  };
}
