import { parseFeatureSpec, SpecError, DEFAULT_PLAN } from '../../src/spec/feature-spec';
import { spawnSync } from 'node:child_process';
import { parseFieldType, formatFieldType } from '../../src/spec/field-type';
import { isoDateTimeProblem } from '../../src/spec/iso-datetime';

const base = {
  feature: 'task-summary',
  data_models: {
    changes: [
      {
        model: 'Task',
        field: 'summary',
        type: 'str',
        nullable: true,
        default: null,
        constraints: { max_length: 200 },
      },
    ],
  },
};

function problems(spec: unknown): string[] {
  try {
    parseFeatureSpec(spec, 'spec.json');
  } catch (err) {
    if (err instanceof SpecError) return err.problems;
    throw err;
  }
  return [];
}

describe('feature spec', () => {
  it('accepts the task-summary spec and fills in the default plan', () => {
    const spec = parseFeatureSpec(base);
    expect(spec.implementation_plan.phases).toEqual(DEFAULT_PLAN);
    expect(spec.data_models.changes[0]?.nullable).toBe(true);
  });

  it('names the JSON path of a keyword used as field name', () => {
    const spec = structuredClone(base);
    spec.data_models.changes[0]!.field = 'class';
    expect(problems(spec)).toEqual(['data_models.changes[0].field: "class" is a Python keyword']);
  });

  it('refuses an SQL injection attempt in a table name', () => {
    const spec = structuredClone(base) as typeof base & { data_models: { changes: { table?: string }[] } };
    spec.data_models.changes[0]!.table = 'tasks; DROP TABLE tasks';
    expect(problems(spec)[0]).toMatch(/^data_models\.changes\[0\]\.table: .*not a safe SQL identifier/);
  });

  it('refuses an unknown type and a constraint that does not fit the type', () => {
    const spec = structuredClone(base);
    spec.data_models.changes[0]!.type = 'complex';
    expect(problems(spec)[0]).toMatch(/type: .*neither a known type nor an Enum/);
    spec.data_models.changes[0]!.type = 'int';
    expect(problems(spec)).toContain(
      'data_models.changes[0].constraints.max_length: max_length applies to str, list and dict fields, not int',
    );
  });

  it('refuses a prerequisite that is not a phase of the plan', () => {
    const spec = {
      ...base,
      implementation_plan: { phases: [{ name: 'service_layer', prerequisites: ['domain_model'] }] },
    };
    expect(problems(spec)).toEqual([
      'implementation_plan.phases[0].prerequisites[0]: prerequisite "domain_model" is not a phase of this plan',
    ]);
  });
});

describe('field names and defaults that would break the model', () => {
  const change = (patch: Record<string, unknown>) => ({
    ...base,
    data_models: { changes: [{ ...base.data_models.changes[0]!, constraints: {}, ...patch }] },
  });

  it.each([
    ['datetime', 'datetime'],
    ['UUID', 'UUID'],
    ['TaskStatus', 'list[TaskStatus]'],
  ])('refuses a field named %s like a type of its annotation %s', (field, type) => {
    expect(problems(change({ field, type }))).toContain(
      `data_models.changes[0].field: "${field}" is also the name of its own type ${field}: in the class body "${field}" would then mean the field, not the type, and the model would not import; choose another name`,
    );
  });

  it('refuses SQLite keywords SQLite rejects as a column, and BaseModel attributes', () => {
    expect(problems(change({ field: 'deferrable', type: 'bool', default: false }))[0]).toMatch(
      /^data_models\.changes\[0\]\.field: "deferrable" is an SQLite keyword/,
    );
    expect(problems(change({ field: 'model_dump' }))[0]).toMatch(/model_/);
    expect(problems(change({ field: 'schema_json' }))[0]).toMatch(/shadow a BaseModel attribute/);
  });

  it('refuses a datetime default that is not ISO 8601, naming it', () => {
    expect(problems(change({ field: 'not_before', type: 'datetime', default: 'January 1, 2024' }))).toEqual([
      'data_models.changes[0].default: "January 1, 2024" is not ISO 8601 (expected ISO 8601 as datetime.fromisoformat reads it, e.g. "2024-01-01", "2024-01-01T09:30:00" or "2024-01-01T09:30:00+00:00")',
    ]);
    expect(problems(change({ type: 'datetime', default: '2024-01-01T00:00:00Z' }))[0]).toMatch(
      /before Python 3\.11 rejects "Z"; write "\+00:00"/,
    );
    expect(problems(change({ type: 'datetime', default: '2023-02-29' }))[0]).toMatch(
      /day 29 is not a day of 2023-02/,
    );
    expect(problems(change({ type: 'datetime', default: 20240101 }))[0]).toMatch(/ISO 8601 string/);
  });
});

describe("ISO 8601 datetime defaults agree with Python's datetime.fromisoformat", () => {
  const ACCEPTED = [
    '2024-01-01',
    '2024-02-29',
    '2024-01-01T09',
    '2024-01-01T09:30',
    '2024-01-01 09:30:00',
    '2024-01-01T09:30:00.123',
    '2024-01-01T09:30:00.123456',
    '2024-01-01T09:30:00+00:00',
    '2024-12-31T23:59:59-05:30',
    '2024-01-01T09:30:00+05:30:15',
  ];
  const REFUSED = [
    'January 1, 2024',
    '01/02/2024',
    '2024-1-1',
    '2024-13-01',
    '2023-02-29',
    '2024-04-31',
    '2024-01-01T24:00:00',
    '2024-01-01T09:60',
    '2024-01-01T09:30:00+24:00',
    '2024-01-01T09:30:00.12',
    '2024-01-01T09:30:00Z',
    '20240101',
    '2024-W01-1',
    '2024-01',
    '',
    'now',
  ];
  // Python 3.11 widened fromisoformat (Z, compact and week dates, any fraction length); the rule keeps
  // to what every version reads, so only these refusals may be forms a new Python would take.
  const ONLY_NEW_PYTHON = new Set([
    '2024-01-01T09:30:00Z',
    '20240101',
    '2024-W01-1',
    '2024-01-01T09:30:00.12',
  ]);

  it('accepts what Python reads and refuses what it does not', () => {
    for (const text of ACCEPTED) expect([text, isoDateTimeProblem(text)]).toEqual([text, undefined]);
    for (const text of REFUSED)
      expect([text, isoDateTimeProblem(text)]).toEqual([text, expect.stringMatching(/ISO 8601/)]);
    const script =
      'import json, sys\nfrom datetime import datetime\nout = {}\nfor t in json.load(sys.stdin):\n    try:\n        datetime.fromisoformat(t); out[t] = True\n    except ValueError:\n        out[t] = False\nprint(json.dumps(out))';
    const result = spawnSync('python3', ['-c', script], {
      input: JSON.stringify([...ACCEPTED, ...REFUSED]),
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    const readByPython = JSON.parse(result.stdout) as Record<string, boolean>;
    expect(ACCEPTED.filter((t) => !readByPython[t])).toEqual([]);
    expect(REFUSED.filter((t) => readByPython[t] && !ONLY_NEW_PYTHON.has(t))).toEqual([]);
  });
});

describe('field types', () => {
  it.each(['str', 'int', 'list[str]', 'dict[str, int]', 'list[dict[str, TaskStatus]]', 'TaskStatus', 'UUID'])(
    'round-trips %s',
    (text) => expect(formatFieldType(parseFieldType(text))).toBe(text),
  );
  it.each(['Optional[str]', 'list', 'dict[float, int]', 'str]', 'lowercase'])('refuses %s', (text) =>
    expect(() => parseFieldType(text)).toThrow(/unknown type/),
  );
});
