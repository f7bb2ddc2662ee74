/**
 * Steps on a run's worktree go to the worker that holds it (docs/durable-run.md, Several workers):
 * `prepareWorkspace` runs on the shared task queue and returns the own queue of the worker that ran
 * it; every later activity on the worktree is scheduled there, with a schedule-to-start timeout.
 * Temporal does not retry that timeout (the task would only go back to the same queue): it surfaces at
 * once as "the worker is gone", and the run waits for a person, whose `retry` starts the run over on
 * another worker. Memory-only activities stay on the shared queue. Deterministic: workflow code only.
 */
import {
  ApplicationFailure,
  proxyActivities,
  TimeoutFailure,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { ACTIVITY_PRESETS, type ActivityPreset } from './activity-presets';
import type { PreparedWorkspace, ReleasedWorkspace, ReleaseWorkspaceInput, RunActivities } from './run-types';

/** The `patched()` id: runs recorded before own queues existed replay with every step on the shared queue. */
export const WORKER_QUEUE_PATCH = 'worker-task-queues';
/** The waiting reason's type when the worktree's worker did not take a step in time. */
export const WORKER_LOST = 'WorkerLost';
/** How long a step waits for the worktree's worker when the run's input does not say. */
export const DEFAULT_WORKER_TIMEOUT = '5 minutes';
/**
 * On `retry` after a lost worker, how long the run asks that worker's queue whether it is back (the
 * same data folder restarted: the common case of one machine whose CLI or worker was down for a while)
 * — or the run's worker timeout, when that is shorter.
 */
export const WORKER_BACK_TIMEOUT = '30 seconds';

/** The shorter of WORKER_BACK_TIMEOUT and a worker timeout given in seconds (`SPECIALIST_WORKER_TIMEOUT`). */
export function workerBackTimeout(workerTimeout: string): string {
  const seconds = /^(\d+)s$/.exec(workerTimeout)?.[1];
  return seconds !== undefined && Number(seconds) < 30 ? workerTimeout : WORKER_BACK_TIMEOUT;
}

/**
 * The worktree's own worker, asked once with a short wait: `prepareWorkspace` there is idempotent and
 * answers with the worktree it still holds. No retries: any failure means "not back".
 */
export function askWorkerBack(queue: string, workerTimeout: string): Proxies['quick'] {
  return proxyActivities<RunActivities>({
    ...ACTIVITY_PRESETS.quick,
    taskQueue: queue,
    scheduleToStartTimeout: workerBackTimeout(workerTimeout) as Duration,
    retry: { ...ACTIVITY_PRESETS.quick.retry, maximumAttempts: 1 },
  });
}

export type Proxies = Record<ActivityPreset, ReturnType<typeof proxyActivities<RunActivities>>>;

function proxies(extra: Partial<ActivityOptions>): Proxies {
  return {
    quick: proxyActivities<RunActivities>({ ...ACTIVITY_PRESETS.quick, ...extra }),
    codemod: proxyActivities<RunActivities>({ ...ACTIVITY_PRESETS.codemod, ...extra }),
    testing: proxyActivities<RunActivities>({ ...ACTIVITY_PRESETS.testing, ...extra }),
  };
}

/** Any worker: memory steps, preparing a worktree, and every step of runs without an own queue. */
export const SHARED: Proxies = proxies({});

/** The activities of the worker that holds `queue`'s worktree (the shared queue when there is none). */
export function onWorker(queue: string | undefined, timeout: string): Proxies {
  return queue ? proxies({ taskQueue: queue, scheduleToStartTimeout: timeout as Duration }) : SHARED;
}

/** True when `err` (an activity's or a child workflow's failure) is a schedule-to-start timeout. */
export function isWorkerLost(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current instanceof TimeoutFailure && current.timeoutType === 'SCHEDULE_TO_START') return true;
    current = current instanceof Error ? (current as Error & { cause?: unknown }).cause : undefined;
  }
  return false;
}

/** The failure the run waits on when the worktree's worker is gone: names it and what `retry` does. */
export function workerLostFailure(
  step: string,
  prepared: PreparedWorkspace,
  timeout: string,
): ApplicationFailure {
  return ApplicationFailure.create({
    type: WORKER_LOST,
    nonRetryable: true,
    message:
      `the worker holding this run's worktree (task queue ${prepared.taskQueue}) did not take ${step} within ${timeout}: ` +
      `it is stopped or cannot reach Temporal. \`retry\` first asks that worker for ${workerBackTimeout(timeout)} ` +
      `(back on the same data folder, it retries ${step} in its worktree); else it prepares a new worktree from the base ` +
      `${prepared.baseCommit.slice(0, 12)} on any worker and runs every phase again from phase 1 ` +
      `(${prepared.branch} moves back to the base; the commits made in the lost worktree are dropped); ` +
      `\`abort\` ends the run`,
  });
}

/**
 * Removes the run's worktree on the worker that holds it; when that worker is gone (known already,
 * or found by the timeout), any worker unregisters the worktree from the repository and does the
 * branch steps (the folder itself is removed only where it is on that worker's disk).
 */
export async function releaseWorktree(
  prepared: PreparedWorkspace,
  input: ReleaseWorkspaceInput,
  summary: string | undefined,
  timeout: string,
  lost: boolean,
): Promise<ReleasedWorkspace> {
  const release = (on: Proxies, text: string | undefined) =>
    text === undefined
      ? on.quick.releaseWorkspace(input)
      : on.quick.releaseWorkspace.executeWithOptions({ summary: text }, [input]);
  if (!prepared.taskQueue) return release(SHARED, summary);
  if (!lost) {
    try {
      return await release(onWorker(prepared.taskQueue, timeout), summary);
    } catch (err) {
      if (!isWorkerLost(err)) throw err;
    }
  }
  return release(
    SHARED,
    `${summary ?? 'remove the worktree'} (its worker ${prepared.taskQueue} is gone: from any worker)`,
  );
}
