/**
 * A run's phase table without a worker. The `progress` query is answered by a worker (the run's own
 * code), and a read-only command must not start one: a worker would pick up the run's next task and
 * move it. So when no worker answers, `status` and `result` rebuild the table from what the server
 * keeps — the run's search attributes (status, current step) and its event history (each step's
 * activity or child workflow, its result or failure) — and say that the run does not move meanwhile.
 */
import type { WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { SPECIALIST_FEATURE, SPECIALIST_PHASE, SPECIALIST_STATUS } from '../../stack/search-attributes';
import type { BaselineResult } from '../../baseline/baseline-result';
import { BASELINE_FAILING, describeBaselineFailures } from '../../baseline/baseline-message';
import { PHASES } from '../../workflows/definitions';
import type { PhaseName } from '../../spec/feature-spec';
import type { BaselineSummary, RunProgress, RunStatus, StepName } from '../../workflows/run-types';
import { queryProgress, type Session } from './run-session';

type Failure = temporal.api.failure.v1.IFailure;

const PRE_STEP_OF: Record<string, StepName> = {
  loadTechnicalContext: 'load_context',
  prepareWorkspace: 'prepare_workspace',
  analyzeCodebase: 'analyze_codebase',
  runBaselineTests: 'baseline_tests',
};

function decode(payloads: { payloads?: Payload[] | null } | null | undefined): unknown {
  const first = payloads?.payloads?.[0];
  if (!first) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(first);
  } catch {
    return undefined;
  }
}

/** The baseline as the run's table shows it (the workflow's `baselineSummary`). */
function summary(r: BaselineResult, accepted: boolean): BaselineSummary {
  const { commit, tree, cached, passed, failed, errors, skipped, failing } = r;
  return { commit, tree, cached, passed, failed, errors, skipped, failing, accepted };
}

/** The innermost failure of a chain (child → activity → application): the cause a person acts on. */
function rootCause(failure: Failure | null | undefined): { type: string; message: string } {
  let f = failure;
  while (f?.cause) f = f.cause;
  return {
    type: f?.applicationFailureInfo?.type ?? 'Failure',
    message: f?.message ?? 'failed',
  };
}

const STATUSES: readonly RunStatus[] = [
  'starting',
  'running',
  'waiting',
  'completed',
  'aborted',
  'failed',
  'cancelling',
  'cancelled',
];

/**
 * The run's progress for a read-only command: the live `progress` query where a worker may answer it,
 * else (a stack this command started has no worker, and must not start one) the history's account.
 */
export async function readProgress(
  session: Session,
  handle: WorkflowHandle,
  description: WorkflowExecutionDescription,
): Promise<{ progress: RunProgress; live: boolean }> {
  const live = session.stack.source === 'started' ? undefined : await queryProgress(handle, 5_000);
  return { progress: live ?? (await progressFromHistory(handle, description)), live: Boolean(live) };
}

/**
 * The progress of a run as its history and search attributes tell it (no worker needed). Phases
 * not reached yet are not listed: the plan lives in the run's memory, not in the server.
 */
export async function progressFromHistory(
  handle: WorkflowHandle,
  description: WorkflowExecutionDescription,
): Promise<RunProgress> {
  const sa = description.typedSearchAttributes;
  const saStatus = sa.get(SPECIALIST_STATUS);
  const status: RunStatus = STATUSES.includes(saStatus as RunStatus) ? (saStatus as RunStatus) : 'running';
  const progress: RunProgress = {
    workflowId: handle.workflowId,
    feature: sa.get(SPECIALIST_FEATURE) ?? handle.workflowId,
    status,
    delegate: true,
    preSteps: (['load_context', 'prepare_workspace', 'analyze_codebase'] as StepName[]).map((name) => ({
      name,
      state: 'pending',
    })),
    phases: [],
  };
  const current = sa.get(SPECIALIST_PHASE) as StepName | undefined;
  if (current) progress.currentStep = current;

  /** Scheduled step by event id: a pre-step name or a phase. */
  const scheduled = new Map<string, { preStep?: StepName; phase?: PhaseName; agent?: string }>();
  let lastFailure: { type: string; message: string } | undefined;
  const setPhase = (phase: PhaseName, change: Partial<RunProgress['phases'][number]>) => {
    let row = progress.phases.find((p) => p.name === phase);
    if (!row) {
      row = {
        number: PHASES[phase].number,
        name: phase,
        state: 'pending',
        executedBy: 'python-backend-specialist',
        attempts: 0,
      };
      progress.phases.push(row);
    }
    Object.assign(row, change);
  };
  const setPreStep = (
    name: StepName,
    state: RunProgress['preSteps'][number]['state'],
    error?: { type: string; message: string },
  ) => {
    let row = progress.preSteps.find((s) => s.name === name);
    // The baseline is a pre-step only runs started since it exists have: listed once it was scheduled.
    if (!row) progress.preSteps.push((row = { name, state }));
    row.state = state;
    if (error) row.error = error;
    else delete row.error;
  };
  /** The baseline's result while a person decides: failing tests accepted once a phase was scheduled. */
  let baselineWaiting: BaselineResult | undefined;
  // After the run's cancel, a step that ends (cancelled, or failed by the cancel) is shown as the
  // step the cancel stopped (left `running` here: progress-view's `withCancelledStep`), not as a failure.
  let cancelRequested = false;
  const acceptBaseline = () => {
    if (!baselineWaiting) return;
    // A phase after a failing base: a person accepted its failures (`retry --accept-failures`).
    progress.baseline = summary(baselineWaiting, true);
    setPreStep('baseline_tests', 'completed');
    baselineWaiting = undefined;
  };

  const history = await handle.fetchHistory();
  for (const event of history.events ?? []) {
    const id = String(event.eventId);
    if (event.workflowExecutionCancelRequestedEventAttributes) {
      cancelRequested = true;
      continue;
    }
    const s = event.activityTaskScheduledEventAttributes;
    if (s) {
      const name = s.activityType?.name ?? '';
      const input = decode(s.input) as { phase?: PhaseName; executedBy?: string } | undefined;
      const preStep = PRE_STEP_OF[name];
      if (preStep) {
        scheduled.set(id, { preStep });
        setPreStep(preStep, 'running');
      } else if (input?.phase && PHASES[input.phase]) {
        acceptBaseline();
        scheduled.set(id, { phase: input.phase });
        const row = progress.phases.find((p) => p.name === input.phase);
        setPhase(input.phase, {
          state: 'running',
          attempts: (row?.attempts ?? 0) + 1,
          executedBy: input.executedBy ?? 'python-backend-specialist',
        });
      }
      continue;
    }
    const c = event.startChildWorkflowExecutionInitiatedEventAttributes;
    if (c) {
      const input = decode(c.input) as { phase?: PhaseName; agent?: string } | undefined;
      if (input?.phase && PHASES[input.phase]) {
        acceptBaseline();
        scheduled.set(id, { phase: input.phase });
        const row = progress.phases.find((p) => p.name === input.phase);
        setPhase(input.phase, {
          state: 'running',
          attempts: (row?.attempts ?? 0) + 1,
          executedBy: input.agent ?? 'python-backend-specialist',
          ...(c.workflowId ? { childWorkflowId: c.workflowId } : {}),
        });
      }
      continue;
    }
    const done = event.activityTaskCompletedEventAttributes;
    const childDone = event.childWorkflowExecutionCompletedEventAttributes;
    if (done || childDone) {
      const step = scheduled.get(String(done ? done.scheduledEventId : childDone!.initiatedEventId));
      const result = decode(done ? done.result : childDone!.result) as
        | {
            commit?: string;
            result?: { commit?: string };
            branch?: string;
            worktree?: string;
            baseCommit?: string;
          }
        | undefined;
      if (step?.preStep === 'baseline_tests') {
        const measured = result as BaselineResult | undefined;
        if (measured) progress.baseline = summary(measured, false);
        // A base with failing tests waits for a person (the workflow's baseline step).
        if (measured && measured.failing.length > 0) {
          baselineWaiting = measured;
          setPreStep('baseline_tests', 'failed', {
            type: BASELINE_FAILING,
            message: describeBaselineFailures(measured),
          });
        } else setPreStep('baseline_tests', 'completed');
      } else if (step?.preStep) {
        setPreStep(step.preStep, 'completed');
        if (step.preStep === 'prepare_workspace' && result?.branch) {
          progress.branch = result.branch;
          if (result.baseCommit) progress.baseCommit = result.baseCommit;
        }
      } else if (step?.phase) {
        const commit = result?.commit ?? result?.result?.commit;
        setPhase(step.phase, { state: 'completed', ...(commit ? { commit } : {}) });
      }
      continue;
    }
    const failed = event.activityTaskFailedEventAttributes;
    const childFailed = event.childWorkflowExecutionFailedEventAttributes;
    if ((failed || childFailed) && cancelRequested) continue;
    if (failed || childFailed) {
      const step = scheduled.get(String(failed ? failed.scheduledEventId : childFailed!.initiatedEventId));
      lastFailure = rootCause(failed ? failed.failure : childFailed!.failure);
      if (step?.preStep) setPreStep(step.preStep, 'failed', lastFailure);
      else if (step?.phase) setPhase(step.phase, { state: 'failed', error: lastFailure });
    }
  }
  progress.phases.sort((a, b) => a.number - b.number);
  if (status === 'waiting' && current === 'baseline_tests' && baselineWaiting)
    lastFailure = { type: BASELINE_FAILING, message: describeBaselineFailures(baselineWaiting) };
  if (status === 'waiting' && current) {
    const phaseNumber = (PHASES as Record<string, { number: number } | undefined>)[current]?.number;
    progress.waiting = {
      step: current,
      ...(lastFailure ?? { type: 'Failure', message: 'see the run in the Temporal UI' }),
      ...(phaseNumber ? { phaseNumber } : {}),
    };
  }
  return progress;
}

/** The line `status` adds when the table comes from the history: nothing serves the run right now. */
export function noWorkerNote(workflowId: string, running: boolean): string {
  return running
    ? `no worker answered (the table comes from the run's history): the run does not move until a worker serves it — \`specialist follow ${workflowId}\` brings one up and follows it to its end`
    : "(the table comes from the run's history)";
}
