/**
 * The baseline step of `implementFeature` (docs/durable-run.md, The baseline first): before any phase,
 * the project's own suite runs on the base commit. A base whose tests already fail stops the run at
 * once, waiting like a failed phase with the failing ids: the person fixes the base and
 * `retry --rebase`s (the run moves onto the repository's current HEAD), retries as is (pytest runs again,
 * past the cache), or accepts the failures (`retry --accept-failures`): phase 6 then fails only on new
 * ones. Deterministic workflow code; the activity `runBaselineTests` does the work.
 */
import { ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type { BaselineResult } from '../baseline/baseline-result';
import { BASELINE_FAILING, describeBaselineFailures } from '../baseline/baseline-message';
import type { FeatureSpec } from '../spec/feature-spec';
import { describeFailure, type FailureInfo } from './failure-info';
import type { Decision } from './person-decisions';
import type { RunTracker } from './run-tracker';
import type { AbortRequest, BaselineSummary, RetryRequest, RunProgress, StepName } from './run-types';

/** The `patched()` id: runs started before the step existed replay without it. */
export const BASELINE_PATCH = 'baseline-first';
export const BASELINE_STEP: StepName = 'baseline_tests';

export interface BaselineStepContext {
  tracker: RunTracker;
  publish: () => void;
  waitForPerson: (step: StepName, failure: FailureInfo) => Promise<Decision>;
  /** Runs the activity on the run's current base; `fresh` skips the cache. */
  measure: (fresh: boolean) => Promise<BaselineResult>;
  abort: (request: AbortRequest) => Promise<never>;
  setSpec: (spec: FeatureSpec) => void;
  /** Skip the cache on the first measurement too (the run was just moved by a person's `retry --rebase`). */
  fresh?: boolean;
}

/** `ready` with the accepted failing ids (empty for a green base), or `rebase`: move onto HEAD, then again. */
export type BaselineOutcome = { kind: 'ready'; accepted: string[] } | { kind: 'rebase' };

export function baselineSummary(result: BaselineResult, accepted: boolean): BaselineSummary {
  return {
    commit: result.commit,
    tree: result.tree,
    cached: result.cached,
    passed: result.passed,
    failed: result.failed,
    errors: result.errors,
    skipped: result.skipped,
    failing: result.failing,
    accepted,
  };
}

export async function runBaselineStep(ctx: BaselineStepContext): Promise<BaselineOutcome> {
  let fresh = ctx.fresh ?? false;
  for (;;) {
    const row = ctx.tracker.preStep(BASELINE_STEP);
    row.state = 'running';
    delete row.error;
    ctx.tracker.progress.currentStep = BASELINE_STEP;
    ctx.publish();
    let failure: FailureInfo;
    let measured: BaselineResult | undefined;
    try {
      measured = await ctx.measure(fresh);
      ctx.tracker.progress.baseline = baselineSummary(measured, false);
      if (measured.failing.length === 0) {
        row.state = 'completed';
        return { kind: 'ready', accepted: [] };
      }
      failure = { type: BASELINE_FAILING, message: describeBaselineFailures(measured) };
    } catch (err) {
      if (isCancellation(err)) throw err;
      failure = describeFailure(err);
    }
    row.state = 'failed';
    row.error = failure;
    const made = await ctx.waitForPerson(BASELINE_STEP, failure);
    if (made.kind === 'abort') return ctx.abort(made.request);
    if (made.kind === 'skip') {
      // Refused by the validator (skipRefusal); should one arrive anyway, nothing is accepted, so any
      // failure of the base still fails phase 6.
      row.state = 'skipped';
      return { kind: 'ready', accepted: [] };
    }
    if (made.request.spec) ctx.setSpec(made.request.spec);
    if (made.request.rebase) return { kind: 'rebase' };
    if (made.request.acceptBaselineFailures && measured && measured.failing.length > 0) {
      row.state = 'completed';
      ctx.tracker.progress.baseline = baselineSummary(measured, true);
      return { kind: 'ready', accepted: measured.failing };
    }
    // A plain retry: the person changed something the tree id may not show (the interpreter's packages).
    fresh = true;
  }
}

/**
 * Why the run refuses a `retry` with `rebase` or `acceptBaselineFailures`, or undefined. `--rebase` moves
 * the worktree (and so the branch) to the repository's HEAD: only while no phase stays committed —
 * before any phase, or with `--phase 1`, which re-runs them all — so no verified commit is dropped or
 * replayed onto code it was not checked against.
 */
export function baselineRetryRefusal(progress: RunProgress, request: RetryRequest): string | undefined {
  const step = progress.waiting?.step;
  if (request.acceptBaselineFailures) {
    if (step !== BASELINE_STEP || progress.waiting?.type !== BASELINE_FAILING)
      return '--accept-failures applies only while the run waits on tests already failing on the base';
    if (request.rebase) return '--accept-failures and --rebase exclude each other: choose one';
  }
  if (!request.rebase) return undefined;
  if (step === 'load_context' || step === 'prepare_workspace')
    return `--rebase needs the run's worktree; ${step} has not made it yet: retry without --rebase`;
  const kept = progress.phases.filter(
    (p) => p.state === 'completed' && (request.fromPhase === undefined || p.number < request.fromPhase),
  );
  if (kept.length > 0)
    return `--rebase moves the run onto the repository's HEAD only while no phase is committed; ${kept
      .map((p) => `${p.name} (phase ${p.number})`)
      .join(
        ', ',
      )} would stay: add --phase 1 to run every phase again on the new base, or abort and run again`;
  return undefined;
}

/** The ids phase 6 reported as new failures, read from its failure (TestsFailed details), if any. */
export function newFailuresOf(err: unknown): string[] | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current instanceof ApplicationFailure) {
      const details = current.details?.[0] as { result?: { newFailures?: unknown } } | undefined;
      const ids = details?.result?.newFailures;
      if (Array.isArray(ids) && ids.every((id) => typeof id === 'string')) return ids as string[];
    }
    current = current instanceof Error ? (current as Error & { cause?: unknown }).cause : undefined;
  }
  return undefined;
}
