/**
 * Issue 10 item 6, several workers: two `specialist worker` processes on one Temporal + PostgreSQL,
 * each with its own data folder and TMPDIR (as on two hosts; the repositories are at the same path for
 * both). A run's worktree is on the disk of the worker that prepared it, so every step on it goes to
 * that worker's own queue (docs/durable-run.md, Several workers):
 * (a) a run ends SUCCESS with a one-worker run's tree (a reference run on its own queue, as in the other
 *     fault tests), and every worktree step of it and of its sub-agents was scheduled on the preparing
 *     worker's queue and taken by that worker;
 * (b) the preparing worker is stopped while phase 3 runs: the run waits with the reason naming the
 *     lost queue (SPECIALIST_WORKER_TIMEOUT=10 s here), `specialist retry` starts it over on the other
 *     worker — a new worktree from the base, the lost one removed — and it ends SUCCESS with the same
 *     tree, one commit per phase.
 */
import { existsSync } from 'node:fs';
import { git } from '../../src/git/git';
import { progressQuery } from '../../src/workflows/definitions';
import type { RunProgress } from '../../src/workflows/run-types';
import { FaultStack, until, type RunOutcome, type WorkerProcess } from './harness';

const stack = new FaultStack('two-workers');
const REFERENCE = `${stack.taskQueue}-reference`;
/** The worktree steps: everything but the memory steps and the preparation (shared queue). */
const WORKTREE_STEPS =
  /^(analyzeCodebase|runBaselineTests|apply\w+Phase|runTestingValidationPhase|rebaseWorkspace|releaseWorkspace)$/;

interface Step {
  workflow: string;
  type: string;
  queue: string;
  /** The identity of the worker that took it (`pid@host`: one per worker process). */
  identity?: string;
  /** Scheduled after the given event id of the parent (children: 0). */
  eventId: number;
}

/** Every activity of the run and of its sub-agent children: where it was sent and who took it. */
async function steps(id: string): Promise<Step[]> {
  const out: Step[] = [];
  for (const workflow of [id, `${id}/domain-model`, `${id}/database-migration`]) {
    // A child started more than once (a retried phase) keeps only its last run's history here.
    const events = (await stack.client.workflow.getHandle(workflow).fetchHistory()).events ?? [];
    const byScheduled = new Map<number, Step>();
    for (const e of events) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled) {
        const step = {
          workflow,
          type: scheduled.activityType!.name!,
          queue: scheduled.taskQueue!.name!,
          eventId: workflow === id ? Number(e.eventId) : 0,
        };
        byScheduled.set(Number(e.eventId), step);
        out.push(step);
      }
      const started = e.activityTaskStartedEventAttributes;
      if (started)
        byScheduled.get(Number(started.scheduledEventId))!.identity = started.identity ?? undefined;
    }
  }
  return out;
}

const progress = (id: string) => stack.client.workflow.getHandle(id).query(progressQuery);

/** The worker process whose own queue is `queue` (from the line it prints when it starts). */
function holder(workers: WorkerProcess[], queue: string): WorkerProcess {
  const found = workers.find((w) => w.output().includes(`its own queue ${queue} `));
  if (!found) throw new Error(`no worker polls ${queue}:\n${workers.map((w) => w.output()).join('\n')}`);
  return found;
}

beforeAll(async () => {
  process.env.SPECIALIST_WORKER_TIMEOUT = '10';
  await stack.start();
}, 300_000);

afterAll(async () => {
  delete process.env.SPECIALIST_WORKER_TIMEOUT;
  await stack.stop();
}, 120_000);

it('two workers: each run’s worktree steps stay on the worker that prepared it; a lost worker is replaced on retry', async () => {
  const [repo, referenceRepo, lostRepo] = [await stack.sample(), await stack.sample(), await stack.sample()];
  const workers = await Promise.all([
    stack.startWorker(stack.taskQueue, 'a'),
    stack.startWorker(stack.taskQueue, 'b'),
    stack.startWorker(REFERENCE),
  ]);
  const [run, reference] = await Promise.all([
    stack.startRun(repo),
    stack.startRun(referenceRepo, undefined, REFERENCE),
  ]);

  // (a) The worktree steps of the run and of its sub-agents went to the preparing worker's queue and
  // were taken by it (one identity); the memory steps and the preparation to the shared queue.
  await stack.expectSucceeded(run);
  await stack.expectSucceeded(reference);
  expect(await stack.tree(run)).toBe(await stack.tree(reference));
  const held = (await progress(run.id)).worker!;
  expect(held).toMatch(new RegExp(`^${stack.taskQueue}/worker-[0-9a-f]{16}$`));
  const all = await steps(run.id);
  const onWorktree = all.filter((s) => WORKTREE_STEPS.test(s.type));
  expect(onWorktree.map((s) => s.type)).toEqual(
    expect.arrayContaining([
      'analyzeCodebase',
      'applyDomainModelPhase',
      'applyDatabaseMigrationPhase',
      'releaseWorkspace',
    ]),
  );
  expect(onWorktree.filter((s) => s.queue !== held)).toEqual([]);
  const prepare = all.find((s) => s.type === 'prepareWorkspace')!;
  expect(prepare.queue).toBe(stack.taskQueue);
  expect(new Set(onWorktree.map((s) => s.identity))).toEqual(new Set([prepare.identity]));
  expect(all.filter((s) => !WORKTREE_STEPS.test(s.type)).every((s) => s.queue === stack.taskQueue)).toBe(
    true,
  );

  // (b) The worker holding the next run's worktree stops while phase 3 runs.
  const lost: RunOutcome = await stack.startRun(lostRepo);
  await stack.waitForPhases(lostRepo, 2);
  const lostQueue = (await progress(lost.id)).worker!;
  const lostWorktree = (await progress(lost.id)).worktree!;
  await stack.stopWorker(holder(workers, lostQueue));
  const waiting = await until<RunProgress>(
    'the run to wait on its lost worker',
    async () => {
      const p = await progress(lost.id);
      return p.status === 'waiting' ? p : undefined;
    },
    120_000,
    500,
  );
  stack.note(`waiting: ${waiting.waiting?.message ?? ''}`);
  expect(waiting.waiting).toMatchObject({ type: 'WorkerLost' });
  expect(waiting.waiting!.message).toContain(`task queue ${lostQueue}`);
  expect(waiting.waiting!.message).toMatch(
    /within 10s: .*`retry` first asks that worker for 10s .*else it prepares a new worktree from the base/,
  );

  const retried = await stack.cli(['retry', lost.id, '--detach']);
  expect(retried.code).toBe(0);
  expect(retried.stderr).toMatch(/starting over on another worker: a new worktree from the base/);
  await stack.expectSucceeded(lost);
  expect(await stack.tree(lost)).toBe(await stack.tree(reference));
  const after = await progress(lost.id);
  expect(after.worker).not.toBe(lostQueue);
  // Every worktree step since the retry ran on the new worker; the lost worktree is gone.
  const lostSteps = await steps(lost.id);
  const retake = lostSteps.filter((s) => s.type === 'prepareWorkspace').at(-1)!;
  const since = lostSteps.filter(
    (s) => WORKTREE_STEPS.test(s.type) && (s.eventId === 0 || s.eventId > retake.eventId),
  );
  expect(since.filter((s) => s.queue !== after.worker)).toEqual([]);
  expect(existsSync(lostWorktree)).toBe(false);
  expect((await git(lostRepo, ['worktree', 'list', '--porcelain'])).match(/^worktree /gm)).toHaveLength(1);
  await stack.expectNothingLeft();
}, 1_500_000);
