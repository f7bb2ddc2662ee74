/**
 * Names that are API: workflow types, the `progress` query and the person's decisions. The client
 * imports these definitions (they are plain descriptors, safe outside the workflow sandbox).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PhaseName, SubAgent } from '../spec/feature-spec';
import type { AbortRequest, RetryRequest, RunProgress, SkipRequest, StepName } from './run-types';

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
/** Mark the failed step skipped and go on (its dependents run); the run then ends FAILED. */
export const skipUpdate = defineUpdate<string, [SkipRequest]>('skip');
/** Stop the run; the branch keeps the completed phases (an empty branch is removed). */
export const abortUpdate = defineUpdate<string, [AbortRequest]>('abort');

/**
 * Why a failed step cannot be skipped, or undefined when it can (every phase, and the memory write at
 * the end). Nothing can run without the technical context, the worktree or the analysis: skipping
 * them could only fail later, further from the cause. The client prints `skip` only where this is
 * undefined; the Update's validator refuses it with this text.
 */
export function skipRefusal(step: StepName): string | undefined {
  switch (step) {
    case 'load_context':
      return 'load_context cannot be skipped: the run has no spec without it; retry or abort';
    case 'prepare_workspace':
      return 'prepare_workspace cannot be skipped: every phase works in its worktree; retry or abort';
    case 'baseline_tests':
      return 'baseline_tests cannot be skipped: fix the base and retry --rebase, accept the failing tests with retry --accept-failures, or abort';
    case 'analyze_codebase':
      return 'analyze_codebase cannot be skipped: every phase edits what the analysis finds, so nothing could run; fix the cause and retry (with --spec fixed.json when the spec is wrong), or abort';
    default:
      return undefined;
  }
}

/** ApplicationFailure type of a run a person aborted. */
export const RUN_ABORTED = 'RunAborted';
