import { parseFeatureSpec, SpecError, DEFAULT_PLAN } from '../../src/spec/feature-spec';
import { parseFieldType, formatFieldType } from '../../src/spec/field-type';

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

describe('field types', () => {
  it.each(['str', 'int', 'list[str]', 'dict[str, int]', 'list[dict[str, TaskStatus]]', 'TaskStatus', 'UUID'])(
    'round-trips %s',
    (text) => expect(formatFieldType(parseFieldType(text))).toBe(text),
  );
  it.each(['Optional[str]', 'list', 'dict[float, int]', 'str]', 'lowercase'])('refuses %s', (text) =>
    expect(() => parseFieldType(text)).toThrow(/unknown type/),
  );
});
