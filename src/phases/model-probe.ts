/**
 * The domain-model check of phase 1: import the model and validate the new field with a valid and an
 * invalid value (through `validate_assignment`, so that other required fields do not matter).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { AnchorMap } from '../analysis/anchor-map';
import type { FeatureSpec, FieldChange } from '../spec/feature-spec';
import type { FieldType } from '../spec/field-type';
import type { PhaseEditResult } from './contract';

type Check = PhaseEditResult['checks'][number];

/** A value the field must accept, or undefined when none can be derived (e.g. a pattern). */
export function validSample(change: FieldChange, type: FieldType, enumValues: string[]): unknown {
  const c = change.constraints;
  switch (type.kind) {
    case 'str':
      if (c.pattern !== undefined) return change.default ?? undefined;
      return 'x'.repeat(Math.max(1, c.min_length ?? 1));
    case 'int':
    case 'float': {
      let v = c.ge ?? (c.gt !== undefined ? c.gt + 1 : (c.le ?? (c.lt !== undefined ? c.lt - 1 : 1)));
      if (c.multiple_of) v = Math.ceil(v / c.multiple_of) * c.multiple_of;
      return type.kind === 'int' ? Math.round(v) : v;
    }
    case 'bool':
      return true;
    case 'datetime':
      return '2024-01-02T03:04:05+00:00';
    case 'UUID':
      return '12345678-1234-5678-1234-567812345678';
    case 'enum':
      return enumValues[0];
    case 'list':
      return [];
    case 'dict':
      return {};
  }
}

/** A value the field must refuse. */
export function invalidSample(change: FieldChange, type: FieldType): unknown {
  const c = change.constraints;
  switch (type.kind) {
    case 'str':
      if (c.max_length !== undefined) return 'x'.repeat(c.max_length + 1);
      return { not: 'a string' };
    case 'int':
    case 'float':
      if (c.le !== undefined) return c.le + 1;
      if (c.lt !== undefined) return c.lt;
      if (c.ge !== undefined) return c.ge - 1;
      if (c.gt !== undefined) return c.gt;
      return 'not a number';
    case 'bool':
      return 'not a boolean';
    case 'datetime':
      return 'not a date';
    case 'UUID':
      return 'not-a-uuid';
    case 'enum':
      return '__not_a_member__';
    case 'list':
      return 'not a list';
    case 'dict':
      return 'not a dict';
  }
}

const SCRIPT = `
import importlib, json, sys
spec = json.loads(sys.argv[1])
try:
    module = importlib.import_module(spec["module"])
    model = getattr(module, spec["model"])
except Exception as exc:
    print(json.dumps({"imported": False, "error": f"{type(exc).__name__}: {exc}"}))
    sys.exit(0)
from pydantic import ValidationError
out = {"imported": True}
blank = model.model_construct()
validator = model.__pydantic_validator__
def attempt(value):
    try:
        validator.validate_assignment(blank, spec["field"], value)
        return None
    except ValidationError as exc:
        return exc.errors()[0]["msg"] if exc.errors() else str(exc)
if "valid" in spec:
    out["valid_error"] = attempt(spec["valid"])
out["invalid_error"] = attempt(spec["invalid"])
out["has_field"] = spec["field"] in model.model_fields
print(json.dumps(out))
`;

export function modelProbe(
  python: string,
  root: string,
  map: AnchorMap,
  i: number,
  change: FieldChange,
): Check[] {
  const a = map.changes[i]!;
  const name = `instantiate ${a.model}.${a.field}`;
  const enumValues = a.enums[0]?.members.map((m) => m.value) ?? [];
  const valid = validSample(change, a.type, enumValues);
  const probe: Record<string, unknown> = {
    module: a.modelAnchor.module,
    model: a.model,
    field: a.field,
    invalid: invalidSample(change, a.type),
  };
  if (valid !== undefined) probe.valid = valid;
  const pythonPath = [map.sourceRoot, ...map.tests.pythonPath].map((p) => path.join(root, p));
  const run = spawnSync(python, ['-c', SCRIPT, JSON.stringify(probe)], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      PYTHONPATH: [...new Set(pythonPath)].join(path.delimiter),
      PYTHONDONTWRITEBYTECODE: '1',
    },
  });
  if (run.error || run.status !== 0) {
    return [
      {
        name: `${name} (skipped)`,
        passed: true,
        detail: `could not run the probe: ${run.error?.message ?? run.stderr.trim().slice(0, 500)}`,
      },
    ];
  }
  let out: {
    imported: boolean;
    error?: string;
    valid_error?: string | null;
    invalid_error?: string | null;
    has_field?: boolean;
  };
  try {
    out = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
  } catch {
    return [
      {
        name: `${name} (skipped)`,
        passed: true,
        detail: `unreadable probe output: ${run.stdout.slice(0, 300)}`,
      },
    ];
  }
  if (!out.imported)
    return [{ name: `${name} (skipped)`, passed: true, detail: `the model does not import: ${out.error}` }];
  const checks: Check[] = [{ name: `${a.model} has field ${a.field}`, passed: !!out.has_field }];
  if (valid !== undefined) {
    checks.push({
      name: `${name} with a valid value`,
      passed: out.valid_error === null,
      detail: `${JSON.stringify(valid)}${out.valid_error ? ` refused: ${out.valid_error}` : ' accepted'}`,
    });
  }
  checks.push({
    name: `${name} with an invalid value`,
    passed: out.invalid_error !== null,
    detail: `${JSON.stringify(probe.invalid)}${out.invalid_error ? ` refused: ${out.invalid_error}` : ' was accepted'}`,
  });
  return checks;
}

export type { FeatureSpec };
