/**
 * The domain-model check of phase 1: import the model from the worktree and validate the new field
 * with a valid and an invalid value (through `validate_assignment`, so that other required fields do
 * not matter). Fails closed: a model that does not import, is imported from somewhere else, or is not
 * a Pydantic model is a failed check naming what was seen.
 */
import path from 'node:path';
import type { AnchorMap } from '../analysis/anchor-map';
import type { FeatureSpec, FieldChange } from '../spec/feature-spec';
import type { FieldType } from '../spec/field-type';
import type { PhaseEditResult } from './contract';
import { readImportPath } from '../python/project-config';
import { runProbe, type ProbeControl } from './python-probe';

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

const SCRIPT = String.raw`
import importlib
try:
    module = importlib.import_module(req["module"])
except BaseException as exc:
    emit({"error": f"could not import {req['module']}: {describe_error(exc)}"})
elsewhere = imported_from(module)
if elsewhere:
    emit({"error": f"{req['module']} was imported from {elsewhere}, not from the worktree"})
model = getattr(module, req["model"], None)
if model is None:
    emit({"error": f"{req['module']} has no {req['model']}"})
if not isinstance(model, type) or not hasattr(model, "model_fields") or not hasattr(model, "__pydantic_validator__"):
    import dataclasses
    kind = "a dataclass" if dataclasses.is_dataclass(model) else type(model).__name__ if not isinstance(model, type) else "a class"
    emit({"error": f"{req['module']}.{req['model']} is {kind}, not a Pydantic model"})
try:
    from pydantic import ValidationError
    out = {"has_field": req["field"] in model.model_fields}
    blank = model.model_construct()
    validator = model.__pydantic_validator__
    def attempt(value):
        try:
            validator.validate_assignment(blank, req["field"], value)
            return None
        except ValidationError as exc:
            return exc.errors()[0]["msg"] if exc.errors() else str(exc)
    if "valid" in req:
        out["valid_error"] = attempt(req["valid"])
    out["invalid_error"] = attempt(req["invalid"])
except BaseException as exc:
    emit({"error": f"could not validate {req['model']}.{req['field']}: {describe_error(exc)}"})
emit(out)
`;

interface ModelProbeOut {
  error?: string;
  has_field?: boolean;
  valid_error?: string | null;
  invalid_error?: string | null;
}

/**
 * The folders the worktree's code is imported from (absolute): the source root, then pytest's
 * `pythonpath` as the project's own configuration says (read by project-config's one parser).
 */
export async function worktreeSysPath(
  python: string,
  root: string,
  map: AnchorMap,
  signal?: AbortSignal,
): Promise<string[]> {
  return (await readImportPath(python, root, map.sourceRoot, signal)).map((p) => path.resolve(root, p));
}

export async function modelProbe(
  python: string,
  root: string,
  map: AnchorMap,
  i: number,
  change: FieldChange,
  control: ProbeControl = {},
): Promise<Check[]> {
  const a = map.changes[i]!;
  const name = `instantiate ${a.model}.${a.field}`;
  const enumValues = a.enums[0]?.members.map((m) => m.value) ?? [];
  const valid = validSample(change, a.type, enumValues);
  const request: Record<string, unknown> = {
    module: a.modelAnchor.module,
    model: a.model,
    field: a.field,
    invalid: invalidSample(change, a.type),
  };
  if (valid !== undefined) request.valid = valid;
  const run = await runProbe<ModelProbeOut>(python, SCRIPT, request, {
    sysPath: () => worktreeSysPath(python, root, map, control.signal),
    label: `the model check of ${a.model}`,
    ...control,
  });
  const importCheck = `import ${a.model} from ${a.modelAnchor.module}`;
  if (!run.ok) return [{ name: importCheck, passed: false, detail: run.reason }];
  const out = run.out;
  if (out.error !== undefined) return [{ name: importCheck, passed: false, detail: out.error }];
  const checks: Check[] = [
    {
      name: `${a.model} has field ${a.field}`,
      passed: out.has_field === true,
      ...(out.has_field ? {} : { detail: `${a.model}.model_fields has no ${a.field}` }),
    },
  ];
  if (valid !== undefined) {
    checks.push({
      name: `${name} with a valid value`,
      passed: out.valid_error === null,
      detail: `${JSON.stringify(valid)}${out.valid_error ? ` refused: ${out.valid_error}` : ' accepted'}`,
    });
  }
  checks.push({
    name: `${name} with an invalid value`,
    passed: typeof out.invalid_error === 'string',
    detail: `${JSON.stringify(request.invalid)}${out.invalid_error ? ` refused: ${out.invalid_error}` : ' was accepted'}`,
  });
  return checks;
}

export type { FeatureSpec };
