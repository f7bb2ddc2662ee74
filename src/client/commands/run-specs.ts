/**
 * Reading a spec file for `run` / `retry --spec` (every problem named by its JSON path, exit 2) and
 * storing its three keys in memory the way the reference document reads them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createMemoryPool, migrateMemoryDatabase, MemoryStore } from '../../memory';
import { orderPlan } from '../../dag/plan-dag';
import { SpecialistError } from '../../errors';
import { parseFeatureSpec, SpecError, type FeatureSpec } from '../../spec/feature-spec';
import { TECH_SPEC_KEYS, technicalSpecsNamespace } from '../../activities/context-activities';
import { CliError } from '../cli-error';

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

/** The three keys under `task:{id}:technical_specs` (a new version when they exist: retry --spec). */
export async function storeTechnicalSpecs(
  databaseUrl: string,
  techSpecTaskId: string,
  spec: FeatureSpec,
  actor = 'specialist-cli',
): Promise<void> {
  const pool = createMemoryPool({ connectionString: databaseUrl, max: 2 });
  try {
    await migrateMemoryDatabase(pool);
    const store = new MemoryStore(pool);
    const namespace = technicalSpecsNamespace(techSpecTaskId);
    // The feature's name and title ride along in `architecture` (the loader strips them again).
    const values: Record<(typeof TECH_SPEC_KEYS)[number], Record<string, unknown>> = {
      architecture: {
        ...spec.architecture,
        feature: spec.feature,
        ...(spec.title ? { title: spec.title } : {}),
      },
      data_models: spec.data_models,
      implementation_plan: spec.implementation_plan,
    };
    for (const key of TECH_SPEC_KEYS) {
      const existing = await store.get({ namespace, key }).catch(() => undefined);
      if (existing) await store.update({ namespace, key, value: values[key], updatedBy: actor });
      else await store.add({ namespace, key, value: values[key], memoryType: 'semantic', createdBy: actor });
    }
  } finally {
    await pool.end();
  }
}
