/**
 * What a cancelled run does before it ends CANCELLED (docs/durable-run.md, Cancelling a run). The
 * activities are scheduled with `WAIT_CANCELLATION_COMPLETED`, so by the time the cancellation reaches
 * the workflow's code the running step has ended (its process group killed, no commit made after the
 * cancel reached it). Then, in a non-cancellable scope: the worktree is removed, the branch keeps the
 * phases completed before the cancel (a commit that raced the cancel is dropped; an empty branch is
 * removed), a `changes_summary` with status CANCELLED goes to memory, and the run shows `cancelled` in
 * its progress, the UI details and `SpecialistStatus`. Deterministic: workflow code only.
 */
import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { PhaseName } from '../spec/feature-spec';
import { describeFailure } from './failure-info';
import type { RunTracker } from './run-tracker';
import type { CancelledRun, PreparedWorkspace, StepName } from './run-types';
import { DEFAULT_WORKER_TIMEOUT, releaseWorktree, SHARED } from './worktree-worker';

const { quick } = SHARED;

/** The run's state the clean-up needs, read when the cancel arrives and again when it runs. */
export interface CancelState {
  workflowId: string;
  taskId: string;
  /** The user's repository. */
  workspace: string;
  prepared?: PreparedWorkspace;
  /** Settled phases in run order; those with a commit are on the branch. */
  settled: readonly { name: PhaseName; commit?: string }[];
  /** How long the worktree's worker may take to pick the release up (worktree-worker.ts). */
  workerTimeout?: string;
  /** That worker is known to be gone: the release goes to any worker at once. */
  workerLost?: boolean;
}

interface AtCancel {
  settled: { name: PhaseName; commit?: string }[];
  step?: StepName;
}

export class CancelCleanup {
  private state?: () => CancelState;
  private tracker?: RunTracker;
  private publish?: () => void;
  private atCancel?: AtCancel;

  /**
   * Called once the run has its tracker: remembers what had settled when the cancel arrived — a phase
   * whose result comes in after it (its commit raced the cancel) does not count as completed.
   */
  watch(tracker: RunTracker, publish: () => void, state: () => CancelState): void {
    this.tracker = tracker;
    this.publish = publish;
    this.state = state;
    CancellationScope.current().cancelRequested.catch(() => {
      this.atCancel ??= { settled: [...state().settled], step: tracker.progress.currentStep };
    });
  }

  /** For the workflow's outermost catch: cleans up after a cancellation; returns the error to rethrow. */
  async afterFailure(err: unknown): Promise<unknown> {
    if (!isCancellation(err) || !this.state || !this.tracker) return err;
    await CancellationScope.nonCancellable(() => this.cleanUp());
    return err;
  }

  private async cleanUp(): Promise<void> {
    const tracker = this.tracker!;
    const publish = this.publish!;
    const now = this.state!();
    const at = this.atCancel ?? { settled: [...now.settled], step: tracker.progress.currentStep };
    const progress = tracker.progress;
    progress.status = 'cancelling';
    delete progress.waiting;
    // The phase table says what the branch will hold: only what completed before the cancel.
    const kept = new Set(at.settled.filter((s) => s.commit).map((s) => s.name));
    for (const row of progress.phases) {
      if (row.state === 'running' || (row.state === 'completed' && !kept.has(row.name))) {
        row.state = 'pending';
        delete row.commit;
        delete row.files;
      }
    }
    for (const step of progress.preSteps) if (step.state === 'running') step.state = 'pending';
    publish();

    const problems: string[] = [];
    const prepared = now.prepared;
    const headCommit = prepared
      ? ([...at.settled].reverse().find((s) => s.commit)?.commit ?? prepared.baseCommit)
      : undefined;
    let worktreeRemoved = false;
    let branchRemoved = false;
    if (prepared) {
      try {
        const released = await releaseWorktree(
          prepared,
          {
            workspace: now.workspace,
            worktree: prepared.worktree,
            resetBranch: { branch: prepared.branch, commit: headCommit!, workflowId: now.workflowId },
            ...(kept.size === 0
              ? { removeEmptyBranch: { branch: prepared.branch, baseCommit: prepared.baseCommit } }
              : {}),
          },
          'cancelled: remove the worktree, keep the phases completed before the cancel',
          now.workerTimeout ?? DEFAULT_WORKER_TIMEOUT,
          now.workerLost ?? false,
        );
        worktreeRemoved = true;
        branchRemoved = released.branchRemoved;
      } catch (err) {
        problems.push(`releaseWorkspace: ${describeFailure(err).message}`);
      }
    }

    const completed = progress.phases.filter((p) => p.state === 'completed');
    let noteWritten = false;
    try {
      await quick.recordImplementationSummary.executeWithOptions(
        { summary: `cancelled: changes_summary in task:${now.taskId}:implementation` },
        [
          {
            workflowId: now.workflowId,
            taskId: now.taskId,
            idempotencySuffix: 'cancelled',
            value: {
              feature: progress.feature,
              status: 'CANCELLED',
              cancelled_during: at.step ?? null,
              phases_completed: completed.map((p) => p.name),
              commits: completed.filter((p) => p.commit).map((p) => ({ phase: p.name, commit: p.commit })),
              branch: prepared && !branchRemoved ? prepared.branch : null,
              head_commit: prepared && !branchRemoved ? headCommit : null,
              worktree_removed: worktreeRemoved,
              next_recommended_action: nextAction(prepared, branchRemoved, completed.length),
              workflow_id: now.workflowId,
            },
          },
        ],
      );
      noteWritten = true;
    } catch (err) {
      problems.push(`recordImplementationSummary: ${describeFailure(err).message}`);
    }

    const cancelled: CancelledRun = {
      ...(at.step ? { step: at.step } : {}),
      ...(prepared ? { branch: prepared.branch } : {}),
      branchRemoved,
      ...(headCommit && !branchRemoved ? { headCommit } : {}),
      worktreeRemoved,
      noteWritten,
      problems,
    };
    progress.cancelled = cancelled;
    progress.status = 'cancelled';
    delete progress.currentStep;
    publish();
  }
}

function nextAction(prepared: PreparedWorkspace | undefined, branchRemoved: boolean, completed: number) {
  if (!prepared)
    return 'Run cancelled before its worktree existed: nothing to clean up; run the feature again';
  if (branchRemoved)
    return `Run cancelled before any phase completed; the empty branch ${prepared.branch} was removed: run the feature again when ready`;
  return `Run cancelled; ${prepared.branch} holds the ${completed} phase(s) completed before the cancel (incomplete: do not merge it as it is)`;
}
