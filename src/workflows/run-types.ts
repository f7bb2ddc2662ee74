/**
 * The shapes that cross the workflow boundary: workflow inputs, activity inputs/results, the
 * `progress` query and the person's decisions. Types only (no runtime code), so both the workflow
 * bundle and the activities import them without pulling anything into the other side.
 */
import type { BaselineResult } from '../baseline/baseline-result';
import type { TestingResult } from '../phases/contract';
import type { FeatureSpec, PhaseName, SubAgent } from '../spec/feature-spec';

/** Input of the parent workflow `implementFeature`. */
export interface ImplementFeatureInput {
  /** Memory task id under which `architecture`, `data_models`, `implementation_plan` were stored. */
  techSpecTaskId: string;
  /** Memory task id for this implementation (`task:{taskId}:implementation`); defaults to the workflow id. */
  taskId?: string;
  /** Absolute path of the target git repository on the worker's disk. */
  workspace: string;
  /** Feature name (branch `feature/<name>`); the spec's own name wins when the context is loaded. */
  feature: string;
  /** Run delegated plan entries as child workflows (default true); false = self-execution pattern. */
  delegate?: boolean;
  /** Upsert the Specialist* search attributes (default true; they must be registered on the namespace). */
  searchAttributes?: boolean;
  /**
   * How long a step on the run's worktree may wait for the worker that holds it (a Temporal duration,
   * e.g. `5 minutes`, `10s`; default 5 minutes): past it, the worker counts as gone and the run waits
   * for a person (docs/durable-run.md, Several workers).
   */
  workerTimeout?: string;
}

export type StepName =
  'load_context' | 'prepare_workspace' | 'analyze_codebase' | 'baseline_tests' | PhaseName | 'record_summary';

export type StepState = 'pending' | 'running' | 'completed' | 'failed' | 'skipped' | 'blocked';

/** One row of the phase table. */
export interface PhaseProgress {
  /** 1..6 in the reference order. */
  number: number;
  name: PhaseName;
  state: StepState;
  /** `python-backend-specialist` or the sub-agent that ran it. */
  executedBy: string;
  childWorkflowId?: string;
  attempts: number;
  commit?: string;
  /** Files the phase touched (paths relative to the repo). */
  files?: string[];
  /** Failure message a person can act on. */
  error?: { type: string; message: string };
  /** For a blocked phase: the failed prerequisites it waits on. */
  blockedBy?: string[];
}

export type RunStatus =
  | 'starting'
  | 'running'
  | 'waiting'
  | 'completed'
  | 'aborted'
  | 'failed'
  /** Cancelled (`specialist cancel`, `abort` of a running run, the UI): cleaning up, then done. */
  | 'cancelling'
  | 'cancelled';

/** What the clean-up of a cancelled run did (docs/durable-run.md, Cancelling a run). */
export interface CancelledRun {
  /** The step that was running (or waiting for a person) when the cancel came. */
  step?: StepName;
  /** The run's branch; it keeps the phases completed before the cancel (absent before the worktree). */
  branch?: string;
  /** No phase had completed: the empty branch was removed. */
  branchRemoved: boolean;
  /** Where the branch points now: the last phase completed before the cancel, or the base. */
  headCommit?: string;
  worktreeRemoved: boolean;
  /** `changes_summary` with status CANCELLED was written to memory. */
  noteWritten: boolean;
  /** Clean-up steps that failed (the run still ends cancelled), each with its error. */
  problems: string[];
}

/** What the `progress` query returns; the client renders it live. */
export interface RunProgress {
  workflowId: string;
  feature: string;
  status: RunStatus;
  delegate: boolean;
  branch?: string;
  worktree?: string;
  baseCommit?: string;
  /** The task queue of the worker whose disk holds the worktree (absent: any worker, one-worker runs). */
  worker?: string;
  /** The step running now, or the one that waits for a person. */
  currentStep?: StepName;
  /** Set while the run waits: which step failed and why. */
  waiting?: { step: StepName; type: string; message: string; phaseNumber?: number };
  preSteps: { name: StepName; state: StepState; error?: { type: string; message: string } }[];
  phases: PhaseProgress[];
  /** Set once a cancelled run has cleaned up. */
  cancelled?: CancelledRun;
  /** The project's own suite on the base commit (runs that have the baseline step). */
  baseline?: BaselineSummary;
}

/** The baseline as the progress query and the deliverable show it. */
export interface BaselineSummary {
  commit: string;
  tree: string;
  cached: boolean;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  /** Ids of the tests already failing on the base. */
  failing: string[];
  /** True once a person accepted them (`retry --accept-failures`): phase 6 then judges only new failures. */
  accepted: boolean;
}

/** Decisions a person sends while the run waits (Temporal Updates). */
export interface RetryRequest {
  /** Re-run from this phase number (1..6) instead of the failed step; must not be after it. */
  fromPhase?: number;
  /** A corrected feature spec (already validated by the client). */
  spec?: FeatureSpec;
  /**
   * Move the run's worktree onto the repository's current HEAD first (then the analysis and the
   * baseline run again). Only while no phase stays committed: before any phase, or with `fromPhase: 1`.
   */
  rebase?: boolean;
  /** While the base's own tests fail: go on with them accepted (phase 6 then fails only on new ones). */
  acceptBaselineFailures?: boolean;
}
export interface SkipRequest {
  reason?: string;
}
export interface AbortRequest {
  reason?: string;
}

/** Input shared by every phase activity (and the sub-agent children). */
export interface PhaseActivityInput {
  /** Parent workflow id: names the worktree and the idempotency keys. */
  workflowId: string;
  /** The user's repository (interpreter resolution looks for its venv). */
  workspace: string;
  worktree: string;
  branch: string;
  spec: FeatureSpec;
  phase: PhaseName;
  phaseNumber: number;
  /** Commit of the last completed phase (or the base): the worktree is reset to it first. */
  baseCommit: string;
  /** ISO time used as author/committer date, so a retried phase produces the same commit. */
  commitDate: string;
  /** Files earlier phases touched (phase 6 compiles and measures them). */
  touchedFiles: string[];
  /** Who runs the phase, recorded in the commit message trailer. */
  executedBy: string;
  /** Phase 6: ids of tests already failing on the base that a person accepted (not new failures). */
  knownFailures?: string[];
}

/** What a phase activity returns: small, never file contents. */
export interface PhaseActivityResult {
  phase: PhaseName;
  phaseNumber: number;
  commit: string;
  /** False when the phase found everything already in place (the commit is then empty). */
  changed: boolean;
  filesModified: string[];
  filesCreated: string[];
  changes: { file: string; codemod: string; description: string }[];
  checks: { name: string; passed: boolean; detail?: string }[];
  /** Phase 6 only. */
  testing?: TestingSummary;
}

/** The numbers of phase 6 the workflow keeps (the full `TestingResult` stays in the activity). */
export type TestingSummary = Pick<
  TestingResult,
  | 'passed'
  | 'failed'
  | 'errors'
  | 'skipped'
  | 'unitTestsPassed'
  | 'integrationTestsPassed'
  | 'migrationTestsPassed'
  | 'coveragePercentage'
> & {
  mypy: { configured: boolean; passed?: boolean };
  /** Failing tests not already failing on the base (empty when phase 6 passed). */
  newFailures?: string[];
  /** Accepted base failures that still fail on the branch. */
  baseFailures?: string[];
};

/** Input of the two sub-agent child workflows. */
export type SubAgentInput = PhaseActivityInput & {
  agent: SubAgent;
  /** The queue of the worker that holds the worktree: the child's phase activity goes there. */
  workerQueue?: string;
  /** How long that activity waits for the worker (ImplementFeatureInput.workerTimeout). */
  workerTimeout?: string;
};

/** The sub-agent's own small deliverable, folded into the parent's. */
export interface SubAgentResult {
  agent: SubAgent;
  status: 'SUCCESS';
  result: PhaseActivityResult;
}

export interface PreparedWorkspace {
  worktree: string;
  branch: string;
  baseCommit: string;
  /**
   * The own task queue of the worker that prepared the worktree (on its disk): every later step on the
   * worktree is sent there. Absent from workers without one (and from runs recorded before).
   */
  taskQueue?: string;
}

export interface CodebaseSummary {
  /** Files the analysis found, by role (relative paths). */
  files: Record<string, string>;
  /** Lines a person reads, e.g. `Task in src/taskqueue/domain/models.py`. */
  notes: string[];
}

export interface LoadContextInput {
  techSpecTaskId: string;
  /** Used when the stored context has no name of its own. */
  feature: string;
}

export interface PrepareWorkspaceInput {
  workflowId: string;
  workspace: string;
  feature: string;
  /**
   * The worker that held the run's worktree is gone (docs/durable-run.md, Several workers): start
   * over on this worker with a new worktree at the run's base; the run's branch moves back to it.
   */
  takeOver?: PreparedWorkspace;
}

export interface AnalyzeInput {
  workflowId: string;
  workspace: string;
  worktree: string;
  spec: FeatureSpec;
}

export interface BaselineInput {
  workflowId: string;
  workspace: string;
  worktree: string;
  /** The commit the worktree stands on (no phase committed yet). */
  baseCommit: string;
  spec: FeatureSpec;
  /** Ignore the cache: a person retried after changing something the tree id does not show. */
  fresh?: boolean;
}

export type { BaselineResult };

export interface RebaseInput {
  workspace: string;
  worktree: string;
  /** The base the run stands on now. */
  baseCommit: string;
}

export interface RebasedWorkspace {
  /** The repository's HEAD the worktree now stands on. */
  baseCommit: string;
  /** False when HEAD had not moved. */
  moved: boolean;
}

export interface RecordSummaryInput {
  workflowId: string;
  taskId: string;
  value: Record<string, unknown>;
  /** Makes this write distinct from the run's final summary (e.g. `cancelled`), for its idempotency key. */
  idempotencySuffix?: string;
}

export interface ReleaseWorkspaceInput {
  workspace: string;
  worktree: string;
  /** Also delete this branch, if it still points at `baseCommit` (a run aborted before any phase). */
  removeEmptyBranch?: { branch: string; baseCommit: string };
  /**
   * First move this branch back to `commit` when a phase committed on it after `commit` (a commit that
   * raced a cancel): only forward commits of this run (`Workflow-Id: workflowId`) are dropped.
   */
  resetBranch?: { branch: string; commit: string; workflowId: string };
}

export interface ReleasedWorkspace {
  /** True when `removeEmptyBranch` was asked and the branch is gone. */
  branchRemoved: boolean;
  /** Commits dropped by `resetBranch` (none when the branch was already there). */
  commitsDropped?: number;
}

/**
 * Every activity the workflows call, by registered name. The worker's `createActivities(deps)` returns
 * an object that satisfies this; tests register mocks with the same names.
 */
export interface RunActivities {
  loadTechnicalContext(input: LoadContextInput): Promise<FeatureSpec>;
  prepareWorkspace(input: PrepareWorkspaceInput): Promise<PreparedWorkspace>;
  analyzeCodebase(input: AnalyzeInput): Promise<CodebaseSummary>;
  applyDomainModelPhase(input: PhaseActivityInput): Promise<PhaseActivityResult>;
  applyDatabaseMigrationPhase(input: PhaseActivityInput): Promise<PhaseActivityResult>;
  applyServiceLayerPhase(input: PhaseActivityInput): Promise<PhaseActivityResult>;
  applyApiLayerPhase(input: PhaseActivityInput): Promise<PhaseActivityResult>;
  applySerializationPhase(input: PhaseActivityInput): Promise<PhaseActivityResult>;
  runTestingValidationPhase(input: PhaseActivityInput): Promise<PhaseActivityResult>;
  runBaselineTests(input: BaselineInput): Promise<BaselineResult>;
  rebaseWorkspace(input: RebaseInput): Promise<RebasedWorkspace>;
  recordImplementationSummary(input: RecordSummaryInput): Promise<{ version: number }>;
  releaseWorkspace(input: ReleaseWorkspaceInput): Promise<ReleasedWorkspace>;
}
