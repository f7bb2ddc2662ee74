/**
 * The baseline first (docs/durable-run.md), with real activities: real Temporal, real PostgreSQL, real
 * pytest on a temp git copy of examples/taskqueue whose own suite has one test failing on the base.
 * The run stops before phase 1 naming that test ("already failing on the base"); after the test is
 * fixed on the base branch, `retry --rebase` moves the run onto HEAD and it ends SUCCESS. Accepting the
 * failure instead ends SUCCESS with the base failure listed and no new failure; a second run on the same
 * tree reads the cached baseline (proved by the project's own pytest session marker, not by timing).
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createActivities } from '../../src/activities';
import { main } from '../../src/client/cli';
import { copySample } from '../../src/client/demo';
import { storeTechnicalSpecs } from '../../src/client/commands/run-specs';
import { readSpecFile } from '../../src/client/spec-file';
import { deliverableSchema, type Deliverable } from '../../src/deliverable';
import { git } from '../../src/git/git';
import { createMemoryPool, migrateMemoryDatabase } from '../../src/memory';
import { PROJECT_ROOT } from '../../src/python/interpreter';
import type { FeatureSpec } from '../../src/spec/feature-spec';
import { progressQuery, retryUpdate } from '../../src/workflows/definitions';
import type { ImplementFeatureInput, RunProgress } from '../../src/workflows/run-types';
import { startTestPostgres } from '../helpers/postgres';
import { PROJECT_SEARCH_ATTRIBUTES, startTestTemporal } from '../helpers/temporal';

jest.setTimeout(900_000);

const TASKQUEUE = path.join(PROJECT_ROOT, 'examples/taskqueue');
const SPECS = path.join(PROJECT_ROOT, 'examples/specs');
const BROKEN_ID = 'tests/test_base_broken.py::test_broken_on_base';
const identity = ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false'];

describe('the baseline first (real Temporal, PostgreSQL, pytest, git)', () => {
  let env: TestWorkflowEnvironment;
  let pg: Awaited<ReturnType<typeof startTestPostgres>>;
  let pool: Pool;
  let worker: Worker;
  let running: Promise<void>;
  let scratch: string;
  const repos: string[] = [];
  const taskQueue = 'baseline-run';
  let counter = 0;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'specialist-baseline-'));
    [env, pg] = await Promise.all([startTestTemporal(PROJECT_SEARCH_ATTRIBUTES), startTestPostgres()]);
    pool = createMemoryPool({ connectionString: pg.url, max: 4 });
    await migrateMemoryDatabase(pool);
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../../src/workflows'),
      activities: createActivities({
        pool,
        worktreesDir: path.join(scratch, 'worktrees'),
        baselineCacheDir: path.join(scratch, 'baselines'),
      }),
    });
    running = worker.run();
  }, 180_000);

  afterAll(async () => {
    worker?.shutdown();
    await running?.catch(() => undefined);
    await pool?.end();
    await Promise.all([env?.teardown(), pg?.stop()]);
    for (const repo of repos) rmSync(repo, { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  /**
   * The sample with one test of its own failing on the base, and a conftest hook that appends a line
   * to `marker` at every pytest session: the count says how many times pytest really ran.
   */
  const brokenSample = async () => {
    const repo = await copySample(TASKQUEUE);
    repos.push(repo);
    const marker = path.join(scratch, `sessions-${++counter}.txt`);
    writeFileSync(
      path.join(repo, 'tests/test_base_broken.py'),
      'def test_broken_on_base() -> None:\n    assert 1 + 1 == 3, "broken on the base on purpose"\n',
    );
    appendFileSync(
      path.join(repo, 'tests/conftest.py'),
      [
        '',
        '',
        'def pytest_sessionstart(session: pytest.Session) -> None:',
        `    with open(${JSON.stringify(marker)}, "a", encoding="utf-8") as f:`,
        '        f.write("session\\n")',
        '',
      ].join('\n'),
    );
    await git(repo, [...identity, 'add', '-A']);
    await git(repo, [...identity, 'commit', '--quiet', '-m', 'a test that fails on the base']);
    return { repo, sessions: () => readFileSync(marker, 'utf8').split('\n').filter(Boolean).length };
  };

  const start = async (spec: FeatureSpec, workspace: string) => {
    const id = `${spec.feature}-${++counter}`;
    await storeTechnicalSpecs(pg.url, `spec-${id}`, spec);
    const input: ImplementFeatureInput = {
      techSpecTaskId: `spec-${id}`,
      workspace,
      feature: spec.feature,
      delegate: false,
    };
    return env.client.workflow.start('implementFeature', {
      taskQueue,
      workflowId: `feature-${id}`,
      args: [input],
    });
  };

  const waitUntil = async (handle: WorkflowHandle, predicate: (p: RunProgress) => boolean) => {
    for (let i = 0; i < 2400; i++) {
      const progress = await handle.query(progressQuery).catch(() => undefined);
      if (progress && predicate(progress)) return progress;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out; progress: ${JSON.stringify(await handle.query(progressQuery))}`);
  };

  /** Runs `fn` with `cli(...args)`: the real CLI on this test's Temporal, worker and PostgreSQL. */
  const withCli = async (
    fn: (cli: (...args: string[]) => Promise<number>, out: string[], err: string[]) => Promise<void>,
  ) => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: pg.url,
    });
    const out: string[] = [];
    const err: string[] = [];
    const spies = [
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        out.push(String(chunk));
        return true;
      }),
      jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        err.push(String(chunk));
        return true;
      }),
    ];
    const consoleError = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      err.push(`${args.map(String).join(' ')}\n`);
    });
    const cli = async (...args: string[]) => {
      process.exitCode = undefined;
      out.length = 0;
      err.length = 0;
      await main(['node', 'specialist', ...args]);
      return process.exitCode ?? 0;
    };
    try {
      await fn(cli, out, err);
    } finally {
      spies.forEach((s) => s.mockRestore());
      consoleError.mockRestore();
      process.env = saved;
      process.exitCode = undefined;
    }
  };

  it('stops before phase 1 naming the test already failing on the base; after the fix on the base branch, retry --rebase ends SUCCESS', async () => {
    const { repo } = await brokenSample();
    await withCli(async (cli, out, err) => {
      expect(await cli('run', path.join(SPECS, 'task-summary.json'), '--workspace', repo, '--json')).toBe(3);
      const waiting = (JSON.parse(out.join('')) as { progress: RunProgress }).progress;
      const id = waiting.workflowId;
      expect(waiting.waiting).toMatchObject({ step: 'baseline_tests', type: 'BaselineFailing' });
      expect(waiting.waiting!.message).toMatch(/already failing on the base/);
      expect(waiting.waiting!.message).toContain(
        `${BROKEN_ID}: AssertionError: broken on the base on purpose`,
      );
      expect(waiting.waiting!.message).not.toContain("repository's HEAD is now");
      // Before any phase: nothing ran, nothing is committed on the branch.
      expect(waiting.phases.every((p) => p.state === 'pending')).toBe(true);
      expect(await git(repo, ['log', '--format=%s', 'main..feature/task-summary'])).toBe('');
      expect(err.join('')).toContain(`specialist retry ${id} --rebase`);
      expect(err.join('')).toContain(`specialist retry ${id} --accept-failures`);
      expect(err.join('')).not.toContain(`specialist skip ${id}`);

      // The person fixes the test on the base branch. A plain retry stays on the run's base, so it
      // fails the same way (pytest really runs again), and now says where HEAD is and how to move.
      writeFileSync(
        path.join(repo, 'tests/test_base_broken.py'),
        'def test_broken_on_base() -> None:\n    assert 1 + 1 == 2\n',
      );
      await git(repo, [...identity, 'commit', '--quiet', '-am', 'fix the broken test']);
      const fixed = await git(repo, ['rev-parse', 'HEAD']);
      expect(await cli('retry', id, '--json')).toBe(3);
      const again = (JSON.parse(out.join('')) as { progress: RunProgress }).progress;
      expect(again.waiting!.step).toBe('baseline_tests');
      expect(again.baseline).toMatchObject({ cached: false, failing: [BROKEN_ID] });
      expect(again.waiting!.message).toContain(
        `The repository's HEAD is now ${fixed.slice(0, 12)}: \`retry --rebase\` moves the run onto it.`,
      );

      // Then moves the run onto the fixed base.
      expect(await cli('retry', id, '--rebase', '--json')).toBe(0);
      const d = deliverableSchema.parse(JSON.parse(out.join(''))) as Deliverable;
      expect(d.execution_status).toMatchObject({ status: 'SUCCESS', phases_completed: 6 });
      expect(d.run.base_commit).toBe(fixed);
      expect(d.deliverables.test_results.already_failing_on_base).toEqual([]);
      expect(d.deliverables.test_results.new_failures).toEqual([]);
      expect(d.deliverables.test_results.tests_failed).toBe(0);
      expect(d.run.baseline).toMatchObject({ commit: fixed, tests_failed: 0, failures_accepted: false });
      // The branch sits on the fixed base: its first phase's parent is the new HEAD.
      expect(await git(repo, ['rev-parse', 'feature/task-summary~6'])).toBe(fixed);
    });
  });

  it('with the failure accepted ends SUCCESS listing it and no new failure; a second run on the same tree reads the cached baseline', async () => {
    const { repo, sessions } = await brokenSample();
    const first = await start(readSpecFile(path.join(SPECS, 'task-summary.json')), repo);
    const waiting = await waitUntil(first, (p) => p.status === 'waiting');
    expect(waiting.waiting!.step).toBe('baseline_tests');
    expect(waiting.baseline).toMatchObject({ cached: false, failing: [BROKEN_ID] });
    expect(sessions()).toBe(1);
    await first.executeUpdate(retryUpdate, { args: [{ acceptBaselineFailures: true }] });
    const d = deliverableSchema.parse(await first.result()) as Deliverable;
    expect(d.execution_status).toMatchObject({ status: 'SUCCESS', phases_completed: 6 });
    expect(d.deliverables.test_results.already_failing_on_base).toEqual([BROKEN_ID]);
    expect(d.deliverables.test_results.new_failures).toEqual([]);
    // The base failure still fails on the branch (pytest's own counts), and nothing else does.
    expect(d.deliverables.test_results.tests_failed).toBe(1);
    expect(d.deliverables.test_results.unit_tests_passed).toBe(true);
    expect(d.run.baseline).toMatchObject({ cached: false, tests_failed: 1, failures_accepted: true });
    expect(d.orchestration_context.next_recommended_action).toMatch(
      /No new failure; 1 test\(s\) already failed on the base/,
    );
    expect(sessions()).toBe(2); // the baseline, then phase 6

    // Another feature on the same base tree: the baseline comes from the cache, pytest does not run for it.
    const second = await start(readSpecFile(path.join(SPECS, 'taskqueue-bool-requires-review.json')), repo);
    const cached = await waitUntil(second, (p) => p.status === 'waiting');
    expect(cached.waiting!.step).toBe('baseline_tests');
    expect(cached.waiting!.message).toMatch(/cached result/);
    expect(cached.baseline).toMatchObject({ cached: true, failing: [BROKEN_ID] });
    expect(sessions()).toBe(2);
    await second.executeUpdate(retryUpdate, { args: [{ acceptBaselineFailures: true }] });
    const d2 = deliverableSchema.parse(await second.result()) as Deliverable;
    expect(d2.execution_status.status).toBe('SUCCESS');
    expect(d2.run.baseline).toMatchObject({ cached: true, failures_accepted: true });
    expect(sessions()).toBe(3); // phase 6 only
  });
});
