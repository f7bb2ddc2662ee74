/**
 * Memory steps of a run: step 0a loads the technical context the reference document reads
 * (`task:{tech_spec_task_id}:technical_specs`: architecture, data_models, implementation_plan), step 7
 * records `changes_summary` in `task:{task_id}:implementation`.
 */
import type { Pool } from 'pg';
import { Context } from '@temporalio/activity';
import { ERROR_TYPES, SpecialistError } from '../errors';
import { MemoryStore } from '../memory';
import { parseFeatureSpec, type FeatureSpec } from '../spec/feature-spec';
import type { LoadContextInput, RecordSummaryInput } from '../workflows/run-types';
import { asActivity } from './activity-errors';

export const AGENT_NAME = 'python-backend-specialist';
export const TECH_SPEC_KEYS = ['architecture', 'data_models', 'implementation_plan'] as const;

export function technicalSpecsNamespace(techSpecTaskId: string): string {
  return `task:${techSpecTaskId}:technical_specs`;
}

export function implementationNamespace(taskId: string): string {
  return `task:${taskId}:implementation`;
}

/** Memory task ids become namespace segments: keep the characters a segment allows. */
export function memoryTaskId(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

/**
 * The spec stored under `task:{techSpecTaskId}:technical_specs` (latest versions), as the run reads it.
 * Also used by the CLI to compare a new `run` with the open run of the same feature.
 */
export async function readTechnicalSpecs(
  store: MemoryStore,
  techSpecTaskId: string,
  feature: string,
): Promise<FeatureSpec> {
  const namespace = technicalSpecsNamespace(techSpecTaskId);
  const values: Record<string, unknown> = {};
  for (const key of TECH_SPEC_KEYS) {
    try {
      values[key] = (await store.get({ namespace, key })).value;
    } catch (err) {
      // The plan may be left out: the spec schema supplies the six default phases.
      if (
        key === 'implementation_plan' &&
        err instanceof SpecialistError &&
        err.type === ERROR_TYPES.memoryNotFound
      )
        continue;
      if (err instanceof SpecialistError && err.type === ERROR_TYPES.memoryNotFound)
        throw new SpecialistError(
          ERROR_TYPES.memoryNotFound,
          `no ${key} in memory under ${namespace}: store the technical specs first (specialist run stores them from a spec file)`,
          { namespace, key },
        );
      throw err;
    }
  }
  const {
    feature: storedFeature,
    title,
    ...architecture
  } = (values.architecture ?? {}) as Record<string, unknown>;
  return parseFeatureSpec(
    {
      feature: typeof storedFeature === 'string' ? storedFeature : feature,
      ...(typeof title === 'string' ? { title } : {}),
      architecture,
      data_models: values.data_models,
      ...(values.implementation_plan ? { implementation_plan: values.implementation_plan } : {}),
    },
    namespace,
  );
}

export function createContextActivities(deps: { pool: Pool }) {
  const store = new MemoryStore(deps.pool);
  return {
    async loadTechnicalContext(input: LoadContextInput): Promise<FeatureSpec> {
      return asActivity(() => readTechnicalSpecs(store, input.techSpecTaskId, input.feature));
    },

    /** Adds `changes_summary`, or a new version when a person re-ran the task; a retry adds nothing. */
    async recordImplementationSummary(input: RecordSummaryInput): Promise<{ version: number }> {
      return asActivity(async () => {
        const { activityType, workflowExecution } = Context.current().info;
        // The run id too: runs of one feature on one repository share the workflow id (one open at a
        // time), and each must record its own summary; a retried attempt of one run adds nothing.
        const entry = {
          namespace: implementationNamespace(memoryTaskId(input.taskId)),
          key: 'changes_summary',
          value: input.value,
          idempotencyKey: `${memoryTaskId(input.workflowId)}:${workflowExecution?.runId ?? ''}:${activityType}${input.idempotencySuffix ? `:${memoryTaskId(input.idempotencySuffix)}` : ''}`,
          taskId: memoryTaskId(input.taskId),
        };
        try {
          const written = await store.add({ ...entry, memoryType: 'episodic', createdBy: AGENT_NAME });
          return { version: written.version };
        } catch (err) {
          if (!(err instanceof SpecialistError) || err.type !== ERROR_TYPES.memoryConflict) throw err;
          const written = await store.update({ ...entry, updatedBy: AGENT_NAME });
          return { version: written.version };
        }
      });
    },
  };
}
