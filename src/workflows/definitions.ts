/**
 * Names that are API: workflow types, the `progress` query and the person's decisions. The client
 * imports these definitions (they are plain descriptors, safe outside the workflow sandbox).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PhaseName, SubAgent } from '../spec/feature-spec';
import type { AbortRequest, RetryRequest, RunProgress, SkipRequest } from './run-types';

/** Registered workflow type names (index.ts exports the functions under these names). */
export const WORKFLOW_TYPES = {
  implementFeature: 'implementFeature',
  pythonPydanticModelSpecialist: 'pythonPydanticModelSpecialist',
  sqliteMigrationSpecialist: 'sqliteMigrationSpecialist',
} as const;

/** Sub-agent → the child workflow type that plays it. */
export const SUB_AGENT_WORKFLOWS: Record<SubAgent, string> = {
  'python-pydantic-model-specialist': WORKFLOW_TYPES.pythonPydanticModelSpecialist,
  'sqlite-migration-specialist': WORKFLOW_TYPES.sqliteMigrationSpecialist,
};

/** Phase → its number in the reference order and the activity that applies it. */
export const PHASES: Record<PhaseName, { number: number; activity: PhaseActivityName; title: string }> = {
  domain_model: { number: 1, activity: 'applyDomainModelPhase', title: 'domain model' },
  database_migration: { number: 2, activity: 'applyDatabaseMigrationPhase', title: 'database migration' },
  service_layer: { number: 3, activity: 'applyServiceLayerPhase', title: 'service layer' },
  api_layer: { number: 4, activity: 'applyApiLayerPhase', title: 'MCP API layer' },
  serialization: { number: 5, activity: 'applySerializationPhase', title: 'serialization' },
  testing_validation: { number: 6, activity: 'runTestingValidationPhase', title: 'testing and validation' },
};

export type PhaseActivityName =
  | 'applyDomainModelPhase'
  | 'applyDatabaseMigrationPhase'
  | 'applyServiceLayerPhase'
  | 'applyApiLayerPhase'
  | 'applySerializationPhase'
  | 'runTestingValidationPhase';

/** The run's phase table, steps and waiting reason. */
export const progressQuery = defineQuery<RunProgress>('progress');
/** Retry the failed step (or re-run from an earlier phase), optionally with a corrected spec. */
export const retryUpdate = defineUpdate<string, [RetryRequest]>('retry');
/** Mark the failed step skipped and go on (its dependents run). */
export const skipUpdate = defineUpdate<string, [SkipRequest]>('skip');
/** Stop the run; the branch keeps the completed phases. */
export const abortUpdate = defineUpdate<string, [AbortRequest]>('abort');

/** ApplicationFailure type of a run a person aborted. */
export const RUN_ABORTED = 'RunAborted';
