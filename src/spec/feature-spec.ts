/**
 * The feature spec: what `specialist run` and `specialist plan` take. Its three keys
 * `architecture`, `data_models` and `implementation_plan` are what lands in memory.
 */
import { z } from 'zod';
import { FieldTypeError, parseFieldType, typeNames, type FieldType } from './field-type';
import {
  fieldNameProblem,
  ownTypeNameProblem,
  pythonIdentifierProblem,
  sqlIdentifierProblem,
} from './identifiers';
import { isoDateTimeProblem } from './iso-datetime';
import { invalidUnicodeProblems } from './unicode-text';

export const PHASE_NAMES = [
  'domain_model',
  'database_migration',
  'service_layer',
  'api_layer',
  'serialization',
  'testing_validation',
] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];

export const SUB_AGENTS = ['python-pydantic-model-specialist', 'sqlite-migration-specialist'] as const;
export type SubAgent = (typeof SUB_AGENTS)[number];

const pythonIdentifier = z.string().superRefine((value, ctx) => {
  const problem = pythonIdentifierProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
/** `method`, `Class.method` or `module.function` (a dotted module path): each part an identifier. */
const dottedPythonName = z.string().superRefine((value, ctx) => {
  for (const part of value.split('.')) {
    const problem = pythonIdentifierProblem(part);
    if (problem) ctx.addIssue({ code: 'custom', message: `"${value}": ${problem}` });
  }
});
const sqlIdentifier = z.string().superRefine((value, ctx) => {
  const problem = sqlIdentifierProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * A place named by file and function (`src/app/db.py:LinkDB.import_links`, `src/app/db.py:<module>` for
 * module-level code): stable when lines move.
 */
const HAND_EDIT_SITE = /^[^:\s][^:]*\.py:(?:[A-Za-z_]\w*(\.[A-Za-z_]\w*)?|<module>)$/;

const SQL_TYPE = /^(TEXT|INTEGER|REAL|NUMERIC|BLOB|BOOLEAN|TIMESTAMP|DATETIME|JSON|VARCHAR\(\d{1,5}\))$/i;

export const constraintsSchema = z
  .object({
    max_length: z.number().int().nonnegative(),
    min_length: z.number().int().nonnegative(),
    ge: z.number(),
    gt: z.number(),
    le: z.number(),
    lt: z.number(),
    multiple_of: z.number().positive(),
    pattern: z.string().refine(
      (value) => {
        try {
          new RegExp(value, 'u');
          return true;
        } catch {
          return false;
        }
      },
      { message: 'not a valid regular expression' },
    ),
  })
  .partial()
  .strict();
export type Constraints = z.infer<typeof constraintsSchema>;

export const fieldChangeSchema = z
  .object({
    model: pythonIdentifier.describe('Pydantic model class, e.g. "Task"'),
    field: z
      .string()
      .superRefine((value, ctx) => {
        const problem = fieldNameProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe('new field name, also the column name'),
    type: z
      .string()
      .superRefine((value, ctx) => {
        try {
          parseFieldType(value);
        } catch (err) {
          if (err instanceof FieldTypeError) ctx.addIssue({ code: 'custom', message: err.message });
          else throw err;
        }
      })
      .describe('str, int, float, bool, datetime, UUID, an Enum class, list[T], dict[K, V]'),
    nullable: z.boolean().default(false),
    default: z.unknown().optional().describe('JSON default; omitted means required unless nullable'),
    constraints: constraintsSchema.default({}),
    description: z.string().min(1).max(500).optional(),
    table: sqlIdentifier.optional(),
    sql_type: z
      .string()
      .regex(SQL_TYPE, 'expected an SQLite column type such as TEXT, INTEGER, REAL, BOOLEAN, TIMESTAMP')
      .optional(),
    service_method: dottedPythonName.optional(),
    api_tool: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'expected a tool name of letters, digits, _, . and -')
      .optional(),
    handled_by_hand: z
      .array(
        z
          .string()
          .regex(
            HAND_EDIT_SITE,
            'expected "<file>.py:<function>" or "<file>.py:<Class>.<method>", as the refusal names the place, e.g. "src/app/db.py:LinkDB.import_links"',
          ),
      )
      .optional()
      .describe(
        'places the engine refuses to edit (an INSERT or row mapper it cannot read) that a person edits by hand: the run skips them and lists them as left to be edited by hand',
      ),
  })
  .strict()
  .superRefine((change, ctx) => {
    let type: FieldType;
    try {
      type = parseFieldType(change.type);
    } catch {
      return; // reported on `type`
    }
    const isText = type.kind === 'str';
    const isCollection = type.kind === 'list' || type.kind === 'dict';
    const isNumber = type.kind === 'int' || type.kind === 'float';
    const c = change.constraints;
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const shadowsType = ownTypeNameProblem(change.field, typeNames(type));
    if (shadowsType) issue(['field'], shadowsType);
    for (const key of ['max_length', 'min_length'] as const) {
      if (c[key] !== undefined && !isText && !isCollection)
        issue(['constraints', key], `${key} applies to str, list and dict fields, not ${change.type}`);
    }
    if (c.pattern !== undefined && !isText)
      issue(['constraints', 'pattern'], `pattern applies to str fields, not ${change.type}`);
    for (const key of ['ge', 'gt', 'le', 'lt', 'multiple_of'] as const) {
      if (c[key] !== undefined && !isNumber)
        issue(['constraints', key], `${key} applies to int and float fields, not ${change.type}`);
    }
    if (c.min_length !== undefined && c.max_length !== undefined && c.min_length > c.max_length) {
      issue(
        ['constraints', 'min_length'],
        `min_length ${c.min_length} is greater than max_length ${c.max_length}`,
      );
    }
    const low = c.ge ?? c.gt;
    const high = c.le ?? c.lt;
    if (low !== undefined && high !== undefined && low > high)
      issue(['constraints'], `lower bound ${low} is above upper bound ${high}`);
    const marks = change.handled_by_hand ?? [];
    marks.forEach((m, k) => {
      if (marks.indexOf(m) !== k) issue(['handled_by_hand', k], `"${m}" is listed twice`);
    });
    if (change.default === null && !change.nullable)
      issue(['default'], 'default is null but the field is not nullable');
    if (change.default !== undefined && change.default !== null) {
      const problem = defaultProblem(type, change.default);
      if (problem) issue(['default'], problem);
    }
  });
export type FieldChange = z.infer<typeof fieldChangeSchema>;

function defaultProblem(type: FieldType, value: unknown): string | undefined {
  switch (type.kind) {
    case 'datetime':
      return typeof value === 'string'
        ? isoDateTimeProblem(value)
        : 'default must be an ISO 8601 string for datetime';
    case 'str':
    case 'UUID':
    case 'enum':
      return typeof value === 'string'
        ? undefined
        : `default must be a string for ${type.kind === 'enum' ? type.name : type.kind}`;
    case 'int':
      return Number.isInteger(value) ? undefined : 'default must be an integer';
    case 'float':
      return typeof value === 'number' ? undefined : 'default must be a number';
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'default must be true or false';
    case 'list':
      return Array.isArray(value) ? undefined : 'default must be a JSON array';
    case 'dict':
      return typeof value === 'object' && !Array.isArray(value) ? undefined : 'default must be a JSON object';
  }
}

export const planEntrySchema = z
  .object({
    name: z.enum(PHASE_NAMES),
    prerequisites: z.array(z.enum(PHASE_NAMES)).default([]),
    delegate_to: z.enum(SUB_AGENTS).optional(),
  })
  .strict();
export type PlanEntry = z.infer<typeof planEntrySchema>;

/** The reference document's six phases with their prerequisites and sub-agents. */
export const DEFAULT_PLAN: PlanEntry[] = [
  { name: 'domain_model', prerequisites: [], delegate_to: 'python-pydantic-model-specialist' },
  { name: 'database_migration', prerequisites: ['domain_model'], delegate_to: 'sqlite-migration-specialist' },
  { name: 'service_layer', prerequisites: ['database_migration'] },
  { name: 'api_layer', prerequisites: ['service_layer'] },
  { name: 'serialization', prerequisites: ['api_layer'] },
  { name: 'testing_validation', prerequisites: ['serialization'] },
];

export const implementationPlanSchema = z
  .object({ phases: z.array(planEntrySchema).min(1) })
  .strict()
  .superRefine((plan, ctx) => {
    const names = plan.phases.map((p) => p.name);
    plan.phases.forEach((phase, index) => {
      if (names.indexOf(phase.name) !== index)
        ctx.addIssue({
          code: 'custom',
          path: ['phases', index, 'name'],
          message: `phase "${phase.name}" appears twice`,
        });
      phase.prerequisites.forEach((pre, j) => {
        if (!names.includes(pre))
          ctx.addIssue({
            code: 'custom',
            path: ['phases', index, 'prerequisites', j],
            message: `prerequisite "${pre}" is not a phase of this plan`,
          });
      });
    });
  });
export type ImplementationPlan = z.infer<typeof implementationPlanSchema>;

/** Path hints; every entry is optional and relative to the workspace root. */
export const architectureSchema = z
  .object({
    package: pythonIdentifier.optional(),
    domain_models: z.string().optional(),
    database: z.string().optional(),
    migrations: z
      .string()
      .optional()
      .describe(
        'file of the migration code (PRAGMA table_info + ADD COLUMN), when several functions look like one',
      ),
    service: z.string().optional(),
    api: z.string().optional(),
    tests: z.string().optional(),
    python: z
      .string()
      .optional()
      .describe('interpreter to run the project with, relative to the workspace or absolute'),
    fixtures: z
      .record(pythonIdentifier, pythonIdentifier)
      .optional()
      .describe(
        'conftest fixture the generated tests use for objects of a class they cannot build: {"LinkService": "links"}',
      ),
    factories: z
      .record(
        pythonIdentifier,
        z
          .string()
          .regex(
            /^[A-Za-z_][\w.]*:[A-Za-z_]\w*$/,
            'expected "module:function", e.g. "linkbox.wiring:make_service"',
          ),
      )
      .optional()
      .describe(
        'function the generated tests call to build a class ("module:function"; its parameters are built like a constructor\'s): {"LinkService": "linkbox.wiring:make_service"}',
      ),
  })
  .catchall(z.unknown());
export type Architecture = z.infer<typeof architectureSchema>;

export const dataModelsSchema = z
  .object({ changes: z.array(fieldChangeSchema).min(1, 'at least one field change is needed') })
  .strict()
  .superRefine((models, ctx) => {
    const seen = new Set<string>();
    models.changes.forEach((change, index) => {
      const key = `${change.model}.${change.field}`;
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['changes', index, 'field'],
          message: `${key} is changed twice`,
        });
      seen.add(key);
    });
  });
export type DataModels = z.infer<typeof dataModelsSchema>;

export const featureSpecSchema = z
  .object({
    feature: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{0,62}$/,
        'expected a short kebab-case name such as "task-summary" (it names the branch and the workflow)',
      ),
    title: z.string().min(1).max(200).optional(),
    architecture: architectureSchema.default({}),
    data_models: dataModelsSchema,
    implementation_plan: implementationPlanSchema.default({ phases: DEFAULT_PLAN }),
  })
  .strict();
export type FeatureSpec = z.infer<typeof featureSpecSchema>;

/** One line per problem, each naming its JSON path, e.g. `data_models.changes[0].field: "class" is a Python keyword`. */
export function formatSpecIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, part) =>
        typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
      '',
    );
    return `${path || '(root)'}: ${issue.message}`;
  });
}

export class SpecError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: invalid feature spec\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SpecError';
  }
}

/** Validates parsed JSON as a feature spec; throws SpecError listing every problem with its path. */
export function parseFeatureSpec(json: unknown, source = 'spec'): FeatureSpec {
  // Unpaired surrogates first: no database or source file can hold them (see unicode-text.ts).
  const unicode = invalidUnicodeProblems(json).map((p) =>
    formatSpecIssues(new z.ZodError([{ code: 'custom', path: p.path, message: p.message }])).join(''),
  );
  const result = featureSpecSchema.safeParse(json);
  if (!result.success || unicode.length > 0)
    throw new SpecError(source, [...unicode, ...(result.success ? [] : formatSpecIssues(result.error))]);
  return result.data;
}
