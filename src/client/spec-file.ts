/**
 * Reading a feature spec file for `run`, `retry --spec` and `plan`: every problem named by its JSON
 * path, as one CliError (exit 2).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { orderPlan } from '../dag/plan-dag';
import { SpecialistError } from '../errors';
import { parseFeatureSpec, SpecError, type FeatureSpec } from '../spec/feature-spec';
import { CliError } from './cli-error';

export function readSpecFile(file: string): FeatureSpec {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the spec ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    const spec = parseFeatureSpec(json, file);
    orderPlan(spec.implementation_plan.phases);
    return spec;
  } catch (err) {
    if (err instanceof SpecError || err instanceof SpecialistError) throw new CliError(err.message);
    throw err;
  }
}
