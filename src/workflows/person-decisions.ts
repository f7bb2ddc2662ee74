/**
 * The person in the loop (docs/durable-run.md, Failures): the `retry` / `skip` / `abort` Update handlers with their
 * validators, and `wait()`, which parks the run until one of them arrives. Also `publisher`, which
 * shows the run's state in the UI (current details) and in the search attributes.
 */
import { condition, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { SPECIALIST_FEATURE, SPECIALIST_PHASE, SPECIALIST_STATUS } from '../stack/search-attributes';
import { baselineRetryRefusal } from './baseline-step';
import { abortUpdate, retryUpdate, skipRefusal, skipUpdate } from './definitions';
import type { FailureInfo } from './failure-info';
import type { RunTracker } from './run-tracker';
import type { AbortRequest, RetryRequest, StepName } from './run-types';
import { WORKER_LOST } from './worktree-worker';

export type Decision =
  { kind: 'retry'; request: RetryRequest } | { kind: 'skip' } | { kind: 'abort'; request: AbortRequest };

/** Shows the tracker's state: markdown details in the UI, and the Specialist* search attributes. */
export function publisher(tracker: RunTracker, useSearchAttributes: boolean): () => void {
  return () => {
    setCurrentDetails(tracker.currentDetails());
    if (!useSearchAttributes) return;
    upsertSearchAttributes([
      { key: SPECIALIST_FEATURE, value: tracker.progress.feature },
      { key: SPECIALIST_STATUS, value: tracker.progress.status },
      ...(tracker.progress.currentStep
        ? [{ key: SPECIALIST_PHASE, value: tracker.progress.currentStep }]
        : []),
    ]);
  };
}

/**
 * Installs the three Update handlers and returns `wait(step, failure, phaseNumber?)`: it marks the run
 * waiting (visible in the `progress` query, the UI and `SpecialistStatus`) and resolves with the
 * person's decision. Validators refuse a decision while the run is not waiting, a skip of a step that
 * cannot be skipped (`skipRefusal`), and a `fromPhase` after the failed phase.
 */
export function installDecisionHandlers(tracker: RunTracker, publish: () => void) {
  let decision: Decision | undefined;
  const mustBeWaiting = () => {
    if (tracker.progress.status !== 'waiting')
      throw new Error(`the run is not waiting for a person (status: ${tracker.progress.status})`);
  };
  setHandler(
    retryUpdate,
    (request) => {
      decision = { kind: 'retry', request };
      // Visible to the next query at once: a client watching after its Update must not see "waiting".
      const step = tracker.progress.waiting?.step;
      const lost = tracker.progress.waiting?.type === WORKER_LOST;
      tracker.clearWaiting();
      if (lost)
        return `asking the worker ${tracker.progress.worker ?? ''} whether it is back: if it is back, ${step ?? 'the failed step'} is retried in its worktree; else starting over on another worker: a new worktree from the base ${tracker.progress.baseCommit?.slice(0, 12) ?? ''}, then every phase from phase 1`;
      const from = request.fromPhase ? ` from phase ${request.fromPhase}` : '';
      if (request.acceptBaselineFailures)
        return 'going on with the tests already failing on the base accepted: phase 6 fails only on new failures';
      const rebase = request.rebase ? ' on the repository HEAD' : '';
      return `retrying ${step ?? 'the failed step'}${from}${rebase}${request.spec ? ' with the corrected spec' : ''}`;
    },
    {
      validator: (request) => {
        mustBeWaiting();
        const baselineRefusal = baselineRetryRefusal(tracker.progress, request);
        if (baselineRefusal) throw new Error(baselineRefusal);
        if (request.fromPhase === undefined) return;
        const waitingNumber = tracker.progress.waiting?.phaseNumber;
        if (waitingNumber === undefined)
          throw new Error('--phase applies only when a phase failed; this run waits on a preparation step');
        const known = tracker.progress.phases.some((p) => p.number === request.fromPhase);
        if (!known || request.fromPhase > waitingNumber)
          throw new Error(
            `--phase must name a phase of the plan up to the failed one (${waitingNumber}); got ${request.fromPhase}`,
          );
      },
    },
  );
  setHandler(
    skipUpdate,
    (_request) => {
      decision = { kind: 'skip' };
      const step = tracker.progress.waiting?.step;
      tracker.clearWaiting();
      return step === 'record_summary'
        ? 'skipping record_summary: the changes summary is not stored in memory'
        : `skipping ${step}: the run goes on and will end FAILED (${step} not done)`;
    },
    {
      validator: (_request) => {
        mustBeWaiting();
        // Not run on replay: histories recorded when the analysis could still be skipped replay as they were.
        const step = tracker.progress.waiting?.step;
        const refusal = step ? skipRefusal(step) : undefined;
        if (refusal) throw new Error(refusal);
        // Every later step needs the worktree on the same gone worker: skipping would only wait again.
        if (tracker.progress.waiting?.type === WORKER_LOST)
          throw new Error(
            `${step} cannot be skipped while the worker holding the worktree is gone: retry (a new worktree on another worker, every phase again) or abort`,
          );
      },
    },
  );
  setHandler(
    abortUpdate,
    (request) => {
      decision = { kind: 'abort', request };
      return 'aborting the run';
    },
    { validator: (_request) => mustBeWaiting() },
  );

  /** Parks the run until a person decides; the failure stays visible in the query and the UI. */
  return async (step: StepName, failure: FailureInfo, phaseNumber?: number): Promise<Decision> => {
    tracker.markWaiting(step, failure, phaseNumber);
    publish();
    decision = undefined;
    await condition(() => decision !== undefined);
    const made = decision!;
    decision = undefined;
    tracker.clearWaiting();
    publish();
    return made;
  };
}
