/** Storing a spec's three keys in memory the way the reference document reads them. */
import { createMemoryPool, migrateMemoryDatabase, MemoryStore } from '../../memory';
import type { FeatureSpec } from '../../spec/feature-spec';
import { requireReachableDatabase } from '../../stack/database-reachable';
import {
  readTechnicalSpecs,
  TECH_SPEC_KEYS,
  technicalSpecsNamespace,
} from '../../activities/context-activities';

/** The three keys under `task:{id}:technical_specs` (a new version when they exist: retry --spec). */
export async function storeTechnicalSpecs(
  databaseUrl: string,
  techSpecTaskId: string,
  spec: FeatureSpec,
  actor = 'specialist-cli',
): Promise<void> {
  await requireReachableDatabase(databaseUrl);
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
    // All three keys or none: a failed write must not leave a half-written tech spec behind.
    await store.transaction(async (tx) => {
      for (const key of TECH_SPEC_KEYS) {
        const existing = await tx.get({ namespace, key }).catch(() => undefined);
        if (existing) await tx.update({ namespace, key, value: values[key], updatedBy: actor });
        else await tx.add({ namespace, key, value: values[key], memoryType: 'semantic', createdBy: actor });
      }
    });
  } finally {
    await pool.end();
  }
}

/** Removes (soft-deletes) the three keys a start stored when the start itself was refused. */
export async function forgetTechnicalSpecs(
  databaseUrl: string,
  techSpecTaskId: string,
  actor = 'specialist-cli',
): Promise<void> {
  const pool = createMemoryPool({ connectionString: databaseUrl, max: 2 });
  try {
    const store = new MemoryStore(pool);
    const namespace = technicalSpecsNamespace(techSpecTaskId);
    await store.transaction(async (tx) => {
      for (const key of TECH_SPEC_KEYS) await tx.delete({ namespace, key, deletedBy: actor });
    });
  } finally {
    await pool.end();
  }
}

/** The spec an open run reads (latest versions under its tech-spec task id). */
export async function loadTechnicalSpecs(
  databaseUrl: string,
  techSpecTaskId: string,
  feature: string,
): Promise<FeatureSpec> {
  const pool = createMemoryPool({ connectionString: databaseUrl, max: 2 });
  try {
    return await readTechnicalSpecs(new MemoryStore(pool), techSpecTaskId, feature);
  } finally {
    await pool.end();
  }
}
