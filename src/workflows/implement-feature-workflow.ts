/**
 * `implementFeature`: the parent workflow (docs/durable-run.md: the run, failures, watching). Loads the technical context, prepares
 * the run's worktree, analyses the codebase, then runs the `implementation_plan` DAG one entry at a time
 * (they share one worktree, and each phase starts from the commit of the last settled one). Delegated
 * entries run as child workflows, the rest as activities. A failed step does not fail the run: it waits
 * for a person's `retry` / `skip` / `abort` Update. Returns the deliverable (FAILED when a phase was
 * skipped); `abort` fails the run with the partial one and removes the branch if no phase completed.
 * A cancelled run cleans up first (cancel-cleanup.ts) and ends CANCELLED.
 */
import {
  ApplicationFailure,
  executeChild,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { orderPlan, readyEntries, type EntryState } from '../dag/plan-dag';
import { buildDeliverable, type Deliverable } from '../deliverable';
import { SpecialistError } from '../errors';
import type { FeatureSpec, PhaseName, PlanEntry } from '../spec/feature-spec';
import { CancelCleanup } from './cancel-cleanup';
import { BASELINE_PATCH, BASELINE_STEP, newFailuresOf, runBaselineStep } from './baseline-step';
import { PHASES, RUN_ABORTED, SUB_AGENT_WORKFLOWS, progressQuery } from './definitions';
import { describeFailure, type FailureInfo } from './failure-info';
import { installDecisionHandlers, publisher, type Decision } from './person-decisions';
import { RunTracker } from './run-tracker';
import type {
  AbortRequest,
  ImplementFeatureInput,
  PhaseActivityInput,
  PhaseActivityResult,
  PreparedWorkspace,
  StepName,
  SubAgentResult,
} from './run-types';
import {
  askWorkerBack,
  DEFAULT_WORKER_TIMEOUT,
  isWorkerLost,
  onWorker,
  releaseWorktree,
  SHARED,
  WORKER_LOST,
  WORKER_QUEUE_PATCH,
  workerLostFailure,
  type Proxies,
} from './worktree-worker';

const { quick } = SHARED;

export async function implementFeatureWorkflow(input: ImplementFeatureInput): Promise<Deliverable> {
  const cleanup = new CancelCleanup();
  try {
    return await implementFeature(input, cleanup);
  } catch (err) {
    throw await cleanup.afterFailure(err);
  }
}

async function implementFeature(input: ImplementFeatureInput, cleanup: CancelCleanup): Promise<Deliverable> {
  const info = workflowInfo();
  const workflowId = info.workflowId;
  const delegate = input.delegate ?? true;
  const taskId = input.taskId ?? workflowId;
  const commitDate = info.startTime.toISOString();
  const tracker = new RunTracker(workflowId, input.feature, delegate);

  // Runs started before the baseline step existed replay without it (docs/durable-run.md, Determinism).
  const baselineFirst = patched(BASELINE_PATCH);
  if (baselineFirst) tracker.addPreStep(BASELINE_STEP);
  // Runs started before own queues existed replay with every step on the shared queue (Several workers).
  const ownQueues = patched(WORKER_QUEUE_PATCH);
  const workerTimeout = input.workerTimeout ?? DEFAULT_WORKER_TIMEOUT;
  /** The worker holding the worktree did not take a step in time: the run starts over on another. */
  let workerLost = false;
  setHandler(progressQuery, () => tracker.snapshot());
  const publish = publisher(tracker, input.searchAttributes ?? true);
  const waitForPerson = installDecisionHandlers(tracker, publish);

  let spec: FeatureSpec | undefined;
  // Assigned once, but read earlier by `abort` (a TDZ error if it were a later const).
  // eslint-disable-next-line prefer-const
  let workspace: PreparedWorkspace | undefined;
  const states: Record<string, EntryState> = {};
  const results: Partial<Record<PhaseName, PhaseActivityResult>> = {};
  /** Settled phases in run order; the last one with a commit is the base of the next phase. */
  let settled: { name: PhaseName; commit?: string }[] = [];
  cleanup.watch(tracker, publish, () => ({
    workflowId,
    taskId,
    workspace: input.workspace,
    prepared: workspace,
    settled,
    workerTimeout,
    workerLost,
  }));
  /** Tests already failing on the base that a person accepted: phase 6 judges only new failures. */
  let acceptedFailures: string[] = [];
  /** A `retry --rebase` asked to move the worktree onto the repository's HEAD before the next analysis. */
  let pendingRebase = false;
  /** New failures phase 6 reported when it failed (its result is then missing). */
  let failedTestingNewFailures: string[] | undefined;

  const deliverable = (outcome: 'completed' | 'aborted', branchRemoved = false): Deliverable | undefined =>
    spec && workspace
      ? buildDeliverable({
          spec,
          workflowId,
          techSpecTaskId: input.techSpecTaskId,
          taskId,
          branch: workspace.branch,
          baseCommit: workspace.baseCommit,
          delegate,
          outcome,
          phases: tracker.progress.phases,
          results,
          branchRemoved,
          baseline: tracker.progress.baseline,
          failedTestingNewFailures,
        })
      : undefined;

  const abort = async (request: AbortRequest, step: StepName): Promise<never> => {
    tracker.progress.status = 'aborted';
    publish();
    let branchRemoved = false;
    if (workspace) {
      // With no completed phase the branch holds nothing, yet it would block the next run of the
      // feature: the activity removes it (only if it still points at the base commit).
      const nothingCompleted = !tracker.progress.phases.some((p) => p.state === 'completed');
      const released = await releaseWorktree(
        workspace,
        {
          workspace: input.workspace,
          worktree: workspace.worktree,
          ...(nothingCompleted
            ? { removeEmptyBranch: { branch: workspace.branch, baseCommit: workspace.baseCommit } }
            : {}),
        },
        undefined,
        workerTimeout,
        workerLost,
      );
      // Histories recorded before this returned anything give undefined.
      branchRemoved = released?.branchRemoved === true;
    }
    const partial = deliverable('aborted', branchRemoved);
    const branchNote = !workspace
      ? ''
      : branchRemoved
        ? `; no phase had completed, so the empty branch ${workspace.branch} was removed`
        : `; ${workspace.branch} keeps the completed phases`;
    throw ApplicationFailure.create({
      type: RUN_ABORTED,
      nonRetryable: true,
      message: `aborted by a person while ${step} waited${request.reason ? `: ${request.reason}` : ''}${branchNote}`,
      details: partial ? [partial] : [],
    });
  };

  /**
   * A step on the worktree, on the worker that holds it; when that worker does not take it in time,
   * a `WorkerLost` failure the run waits on (`decide` then starts the run over on `retry`).
   */
  const onWorktree = async <T>(step: string, call: (on: Proxies) => Promise<T>): Promise<T> => {
    const held = workspace?.taskQueue;
    try {
      return await call(onWorker(held, workerTimeout));
    } catch (err) {
      if (!held || !workspace || !isWorkerLost(err)) throw err;
      workerLost = true;
      throw workerLostFailure(step, workspace, workerTimeout);
    }
  };

  /** Waits for a person; a `retry` of a run whose worker is gone first starts it over on another worker. */
  const decide = async (step: StepName, failure: FailureInfo, phaseNumber?: number): Promise<Decision> => {
    const made = await waitForPerson(step, failure, phaseNumber);
    if (made.kind === 'retry' && failure.type === WORKER_LOST && !(await workerBack())) await startOver();
    return made;
  };

  /**
   * Whether the worker that held the worktree is back (restarted on the same data folder): it then
   * answers on its own queue with the worktree it still holds, and the failed step is simply retried
   * there — nothing is done again. Silence, or any failure, means it is gone for good.
   */
  const workerBack = async (): Promise<boolean> => {
    const held = workspace;
    if (!held?.taskQueue) return false;
    try {
      const again = await askWorkerBack(held.taskQueue, workerTimeout).prepareWorkspace.executeWithOptions(
        { summary: `is the worker ${held.taskQueue} back?` },
        [{ workflowId, workspace: input.workspace, feature: spec!.feature }],
      );
      const back = again.taskQueue === held.taskQueue && again.worktree === held.worktree;
      if (back) workerLost = false;
      return back;
    } catch (err) {
      if (isCancellation(err)) throw err;
      return false;
    }
  };

  /** Runs a step until it succeeds or a person skips it (undefined) or aborts the run (throws). */
  const preStep = async <T>(name: StepName, work: () => Promise<T>): Promise<T | undefined> => {
    for (;;) {
      const row = tracker.preStep(name);
      row.state = 'running';
      delete row.error;
      tracker.progress.currentStep = name;
      publish();
      try {
        const result = await work();
        row.state = 'completed';
        return result;
      } catch (err) {
        if (isCancellation(err)) throw err;
        const failure = describeFailure(err);
        row.state = 'failed';
        row.error = failure;
        const made = await decide(name, failure);
        if (made.kind === 'abort') return abort(made.request, name);
        if (made.kind === 'skip') {
          row.state = 'skipped';
          return undefined;
        }
        if (made.request.spec) spec = made.request.spec;
        if (made.request.rebase) pendingRebase = true;
      }
    }
  };

  tracker.progress.status = 'running';
  spec = await preStep('load_context', () =>
    quick.loadTechnicalContext.executeWithOptions(
      { summary: `load technical context (task ${input.techSpecTaskId})` },
      [{ techSpecTaskId: input.techSpecTaskId, feature: input.feature }],
    ),
  );
  let plan = planOf(spec!);
  tracker.progress.feature = spec!.feature;
  tracker.setPlan(plan, delegate);

  workspace = await preStep('prepare_workspace', () =>
    quick.prepareWorkspace.executeWithOptions({ summary: `git worktree on feature/${spec!.feature}` }, [
      { workflowId, workspace: input.workspace, feature: spec!.feature },
    ]),
  );
  const prepared = workspace!;
  if (!ownQueues) delete prepared.taskQueue;
  const showWorkspace = () => {
    tracker.progress.branch = prepared.branch;
    tracker.progress.worktree = prepared.worktree;
    tracker.progress.baseCommit = prepared.baseCommit;
    if (prepared.taskQueue) tracker.progress.worker = prepared.taskQueue;
  };
  showWorkspace();

  /**
   * After a person's `retry` of a run whose worker is gone: a new worktree from the base on whatever
   * worker takes it from the shared queue (the branch moves back to the base), and every phase pending
   * again — the lost worktree's commits are not reachable from here (docs/durable-run.md, Several workers).
   */
  async function startOver(): Promise<void> {
    const lost = { ...prepared };
    const next = await preStep('prepare_workspace', () =>
      quick.prepareWorkspace.executeWithOptions(
        {
          summary: `a new worktree from ${lost.baseCommit.slice(0, 12)} (the worker ${lost.taskQueue ?? ''} is gone)`,
        },
        [{ workflowId, workspace: input.workspace, feature: spec!.feature, takeOver: lost }],
      ),
    );
    // prepare_workspace cannot be skipped (skipRefusal): a result or an abort.
    Object.assign(prepared, next);
    if (!next!.taskQueue) delete prepared.taskQueue;
    workerLost = false;
    showWorkspace();
    for (const name of Object.keys(states)) states[name] = 'pending';
    for (const name of Object.keys(results)) delete results[name as PhaseName];
    for (const row of tracker.progress.phases) {
      row.state = 'pending';
      delete row.commit;
      delete row.files;
      delete row.error;
      delete row.blockedBy;
    }
    settled = [];
    failedTestingNewFailures = undefined;
    publish();
  }

  // A person's `retry --rebase` runs the base's tests for real, past the cache.
  let rebased = false;
  /** Moves the worktree onto the repository's HEAD (asked by `retry --rebase`; no phase is committed). */
  const rebase = async () => {
    const moved = await onWorktree('the rebase', (on) =>
      on.quick.rebaseWorkspace.executeWithOptions(
        { summary: "move the worktree onto the repository's HEAD" },
        [{ workspace: input.workspace, worktree: prepared.worktree, baseCommit: prepared.baseCommit }],
      ),
    );
    prepared.baseCommit = moved.baseCommit;
    tracker.progress.baseCommit = moved.baseCommit;
    delete tracker.progress.baseline;
    acceptedFailures = [];
    pendingRebase = false;
    rebased = true;
  };

  /** The analysis, then the project's own suite on the base; again from the analysis after a rebase. */
  const analyzeAndBaseline = async () => {
    for (;;) {
      await preStep('analyze_codebase', async () => {
        // Inside the step: a rebase that fails waits like the analysis would.
        if (pendingRebase) await rebase();
        return onWorktree('analyze_codebase', (on) =>
          on.codemod.analyzeCodebase.executeWithOptions(
            { summary: `analyse the codebase for ${describeChanges(spec!)}` },
            [{ workflowId, workspace: input.workspace, worktree: prepared.worktree, spec: spec! }],
          ),
        );
      });
      if (!baselineFirst) return;
      const outcome = await runBaselineStep({
        tracker,
        publish,
        waitForPerson: (step, failure) => decide(step, failure),
        measure: (fresh) =>
          onWorktree(BASELINE_STEP, (on) =>
            on.testing.runBaselineTests.executeWithOptions(
              { summary: `the project's own tests on the base ${prepared.baseCommit.slice(0, 12)}` },
              [
                {
                  workflowId,
                  workspace: input.workspace,
                  worktree: prepared.worktree,
                  baseCommit: prepared.baseCommit,
                  spec: spec!,
                  ...(fresh ? { fresh } : {}),
                },
              ],
            ),
          ),
        abort: (request) => abort(request, BASELINE_STEP),
        setSpec: (corrected) => (spec = corrected),
        fresh: rebased,
      });
      rebased = false;
      if (outcome.kind === 'ready') {
        acceptedFailures = outcome.accepted;
        return;
      }
      pendingRebase = true;
    }
  };
  await analyzeAndBaseline();

  // A corrected spec sent with a retry of the analysis may change the plan.
  plan = planOf(spec!);
  tracker.setPlan(plan, delegate);

  const runEntry = async (entry: PlanEntry): Promise<void> => {
    const row = tracker.phase(entry.name);
    const meta = PHASES[entry.name];
    const agent = delegate ? entry.delegate_to : undefined;
    row.state = 'running';
    row.attempts += 1;
    delete row.error;
    states[entry.name] = 'running';
    tracker.progress.currentStep = entry.name;
    publish();
    const phaseInput: PhaseActivityInput = {
      workflowId,
      workspace: input.workspace,
      worktree: prepared.worktree,
      branch: prepared.branch,
      spec: spec!,
      phase: entry.name,
      phaseNumber: meta.number,
      baseCommit: [...settled].reverse().find((s) => s.commit)?.commit ?? prepared.baseCommit,
      commitDate,
      touchedFiles: touchedFiles(settled, results),
      executedBy: agent ?? 'python-backend-specialist',
      ...(entry.name === 'testing_validation' && acceptedFailures.length > 0
        ? { knownFailures: acceptedFailures }
        : {}),
    };
    const summary = `phase ${meta.number}/6: ${meta.title} — ${describeChanges(spec!)}`;
    try {
      let result: PhaseActivityResult;
      if (agent) {
        const childId = `${workflowId}/${entry.name.replace(/_/g, '-')}`;
        row.childWorkflowId = childId;
        publish();
        // The child's phase activity goes to the worker that holds the worktree, like the parent's steps.
        const held = prepared.taskQueue ? { workerQueue: prepared.taskQueue, workerTimeout } : {};
        const child = await onWorktree(entry.name, () =>
          executeChild<(i: typeof phaseInput & { agent: typeof agent }) => Promise<SubAgentResult>>(
            SUB_AGENT_WORKFLOWS[agent],
            {
              workflowId: childId,
              args: [{ ...phaseInput, agent, ...held }],
              staticSummary: `${agent}: ${summary}`,
              // A retried phase starts the child again under the same id.
              workflowIdReusePolicy: 'ALLOW_DUPLICATE',
            },
          ),
        );
        result = child.result;
      } else {
        const preset = entry.name === 'testing_validation' ? 'testing' : 'codemod';
        result = await onWorktree(entry.name, (on) =>
          on[preset][meta.activity].executeWithOptions({ summary }, [phaseInput]),
        );
      }
      results[entry.name] = result;
      states[entry.name] = 'completed';
      settled.push({ name: entry.name, commit: result.commit });
      row.state = 'completed';
      row.commit = result.commit;
      row.files = [...result.filesModified, ...result.filesCreated];
    } catch (err) {
      if (isCancellation(err)) throw err;
      const failure = describeFailure(err);
      if (entry.name === 'testing_validation') failedTestingNewFailures = newFailuresOf(err);
      states[entry.name] = 'failed';
      row.state = 'failed';
      row.error = failure;
      tracker.refreshBlocked(plan, states);
      const made = await decide(entry.name, failure, meta.number);
      if (made.kind === 'abort') return abort(made.request, entry.name);
      if (made.kind === 'skip') {
        states[entry.name] = 'skipped';
        row.state = 'skipped';
        settled.push({ name: entry.name });
      } else {
        states[entry.name] = 'pending';
        row.state = 'pending';
        if (made.request.spec) {
          spec = made.request.spec;
          plan = planOf(spec);
          tracker.setPlan(plan, delegate);
        }
        if (made.request.fromPhase !== undefined) rewind(made.request.fromPhase);
        // No phase stays committed (the validator checked): the analysis and the baseline run again on HEAD.
        if (made.request.rebase) pendingRebase = true;
      }
      tracker.refreshBlocked(plan, states);
    }
  };

  /** Re-opens every settled phase from `fromPhase` on (in run order); the next one starts from the commit before. */
  const rewind = (fromPhase: number) => {
    const index = settled.findIndex((s) => PHASES[s.name].number === fromPhase);
    if (index < 0) return;
    for (const s of settled.slice(index)) {
      states[s.name] = 'pending';
      delete results[s.name];
      const row = tracker.phase(s.name);
      row.state = 'pending';
      delete row.commit;
      delete row.files;
    }
    settled = settled.slice(0, index);
  };

  for (;;) {
    if (pendingRebase) {
      await analyzeAndBaseline();
      plan = planOf(spec!);
      tracker.setPlan(plan, delegate);
    }
    const next = readyEntries(plan, states)[0];
    if (!next) break;
    await runEntry(next);
  }

  tracker.progress.currentStep = 'record_summary';
  const result = deliverable('completed')!;
  for (;;) {
    try {
      await quick.recordImplementationSummary.executeWithOptions(
        { summary: `changes_summary in task:${taskId}:implementation` },
        [{ workflowId, taskId, value: changesSummary(result) }],
      );
      break;
    } catch (err) {
      if (isCancellation(err)) throw err;
      const made = await decide('record_summary', describeFailure(err));
      if (made.kind === 'abort') return abort(made.request, 'record_summary');
      if (made.kind === 'skip') break;
    }
  }
  await releaseWorktree(
    prepared,
    { workspace: input.workspace, worktree: prepared.worktree },
    'remove the worktree (the branch stays)',
    workerTimeout,
    workerLost,
  );
  // A run that completed with skipped phases is FAILED: the UI, `list` and SpecialistStatus say so too.
  tracker.progress.status = result.execution_status.status === 'SUCCESS' ? 'completed' : 'failed';
  delete tracker.progress.currentStep;
  publish();
  return result;
}

/** The plan in run order; a cycle is a spec error, which must surface as an ApplicationFailure. */
function planOf(spec: FeatureSpec): PlanEntry[] {
  try {
    return orderPlan(spec.implementation_plan.phases);
  } catch (err) {
    if (err instanceof SpecialistError)
      throw ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: true });
    throw err;
  }
}

function describeChanges(spec: FeatureSpec): string {
  return spec.data_models.changes.map((c) => `${c.model}.${c.field}`).join(', ');
}

function touchedFiles(
  settled: { name: PhaseName }[],
  results: Partial<Record<PhaseName, PhaseActivityResult>>,
): string[] {
  const files = new Set<string>();
  for (const s of settled) {
    const r = results[s.name];
    r?.filesModified.forEach((f) => files.add(f));
    r?.filesCreated.forEach((f) => files.add(f));
  }
  return [...files].sort();
}

/** The memory entry of the reference document's "Memory Integration", filled from the deliverable. */
function changesSummary(d: Deliverable): Record<string, unknown> {
  return {
    feature: d.run.feature,
    status: d.execution_status.status,
    files_modified: d.deliverables.files_modified,
    files_created: d.deliverables.files_created,
    test_coverage: d.deliverables.test_results.coverage_percentage,
    tests_passed: d.deliverables.test_results.tests_passed,
    already_failing_on_base: d.deliverables.test_results.already_failing_on_base,
    new_failures: d.deliverables.test_results.new_failures,
    left_to_edit_by_hand: d.deliverables.left_to_edit_by_hand,
    backward_compatible: d.orchestration_context.backward_compatible,
    branch: d.run.branch,
    commits: d.run.phases.filter((p) => p.commit).map((p) => ({ phase: p.name, commit: p.commit })),
    workflow_id: d.run.workflow_id,
  };
}
