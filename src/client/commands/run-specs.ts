/** Storing a spec's three keys in memory the way the reference document reads them. */
import { createMemoryPool, migrateMemoryDatabase, MemoryStore } from '../../memory';
import type { FeatureSpec } from '../../spec/feature-spec';
import { requireReachableDatabase } from '../../stack/database-reachable';
import { TECH_SPEC_KEYS, technicalSpecsNamespace } from '../../activities/context-activities';

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
