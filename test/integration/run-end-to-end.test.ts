/**
 * End to end with real activities: real Temporal, real PostgreSQL, real Python, a temp git copy of the
 * samples. Delegation on and off give the same tree; one commit per phase; pytest on the branch agrees
 * with the deliverable; the summary is in memory; the migration child starts after the model child
 * ended; failures wait for a person and retry / skip / abort do what they say; a multi-field spec runs
 * in one go.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createActivities } from '../../src/activities';
import { main } from '../../src/client/cli';
import { copySample } from '../../src/client/demo';
import { readSpecFile } from '../../src/client/spec-file';
import { storeTechnicalSpecs } from '../../src/client/commands/run-specs';
import type { Session } from '../../src/client/commands/run-session';
import { startOrAttach } from '../../src/client/commands/run-open';
import { deliverableSchema, type Deliverable } from '../../src/deliverable';
import { git } from '../../src/git/git';
import { createMemoryPool, MemoryStore, migrateMemoryDatabase } from '../../src/memory';
import { PROJECT_ROOT, resolvePython } from '../../src/python/interpreter';
import type { FeatureSpec } from '../../src/spec/feature-spec';
import { abortUpdate, progressQuery, retryUpdate, skipUpdate } from '../../src/workflows/definitions';
import type { ImplementFeatureInput, RunProgress } from '../../src/workflows/run-types';
import { startTestPostgres } from '../helpers/postgres';
import { PROJECT_SEARCH_ATTRIBUTES, startTestTemporal } from '../helpers/temporal';

// Real runs take minutes on a shared machine (the integration project's testTimeout does not apply
// when the file is run on its own).
jest.setTimeout(900_000);

const TASKQUEUE = path.join(PROJECT_ROOT, 'examples/taskqueue');
const BOOKSHELF = path.join(PROJECT_ROOT, 'examples/bookshelf');
const SPECS = path.join(PROJECT_ROOT, 'examples/specs');
const PHASES = [
  'domain_model',
  'database_migration',
  'service_layer',
  'api_layer',
  'serialization',
  'testing_validation',
];

describe('a run end to end (real Temporal, PostgreSQL, Python, git)', () => {
  let env: TestWorkflowEnvironment;
  let pg: Awaited<ReturnType<typeof startTestPostgres>>;
  let pool: Pool;
  let worker: Worker;
  let running: Promise<void>;
  let scratch: string;
  const repos: string[] = [];
  const taskQueue = 'run-end-to-end';
  let counter = 0;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'specialist-e2e-'));
    [env, pg] = await Promise.all([startTestTemporal(PROJECT_SEARCH_ATTRIBUTES), startTestPostgres()]);
    pool = createMemoryPool({ connectionString: pg.url, max: 4 });
    await migrateMemoryDatabase(pool);
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../../src/workflows'),
      activities: createActivities({ pool, worktreesDir: path.join(scratch, 'worktrees') }),
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

  const sample = async (from = TASKQUEUE) => {
    const repo = await copySample(from);
    repos.push(repo);
    return repo;
  };

  const start = async (spec: FeatureSpec, workspace: string, delegate: boolean) => {
    const id = `${spec.feature}-${++counter}`;
    await storeTechnicalSpecs(pg.url, `spec-${id}`, spec);
    const input: ImplementFeatureInput = {
      techSpecTaskId: `spec-${id}`,
      workspace,
      feature: spec.feature,
      delegate,
    };
    return env.client.workflow.start('implementFeature', {
      taskQueue,
      workflowId: `feature-${id}`,
      args: [input],
    });
  };

  const waitUntil = async (handle: WorkflowHandle, predicate: (p: RunProgress) => boolean) => {
    for (let i = 0; i < 1200; i++) {
      const progress = await handle.query(progressQuery).catch(() => undefined);
      if (progress && predicate(progress)) return progress;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out; progress: ${JSON.stringify(await handle.query(progressQuery))}`);
  };

  const result = async (handle: WorkflowHandle) =>
    deliverableSchema.parse(await handle.result()) as Deliverable;

  const commitsOnBranch = async (repo: string, branch: string) =>
    (await git(repo, ['log', '--format=%s', `main..${branch}`])).split('\n').reverse();

  /** pytest on a checkout of the branch, measured the way a person would (junit counts, coverage %). */
  const pytestOnBranch = async (repo: string, branch: string, pkg = 'taskqueue') => {
    const dir = path.join(scratch, `checkout-${++counter}`);
    const reports = mkdtempSync(path.join(scratch, 'reports-'));
    await git(repo, ['worktree', 'add', '--quiet', dir, branch]);
    try {
      const python = resolvePython(repo);
      execFileSync(
        python,
        [
          '-m',
          'pytest',
          '-q',
          '-p',
          'no:cacheprovider',
          `--junitxml=${reports}/junit.xml`,
          `--cov=${pkg}`,
          `--cov-report=json:${reports}/cov.json`,
        ],
        { cwd: dir, stdio: 'pipe', env: { ...process.env, COVERAGE_FILE: `${reports}/.coverage` } },
      );
      const junit = readFileSync(`${reports}/junit.xml`, 'utf8');
      const attr = (name: string) =>
        [...junit.matchAll(new RegExp(`<testsuite [^>]*\\b${name}="(\\d+)"`, 'g'))].reduce(
          (n, m) => n + Number(m[1]),
          0,
        );
      const coverage = JSON.parse(readFileSync(`${reports}/cov.json`, 'utf8')) as {
        totals: { percent_covered: number };
      };
      const tests = attr('tests');
      const failed = attr('failures');
      const errors = attr('errors');
      const skipped = attr('skipped');
      return {
        passed: tests - failed - errors - skipped,
        failed,
        errors,
        skipped,
        coverage: Math.round(coverage.totals.percent_covered * 10) / 10,
      };
    } finally {
      await git(repo, ['worktree', 'remove', '--force', dir]);
    }
  };

  it('gives the same tree with delegation on and off, one commit per phase, and pytest agrees with the deliverable', async () => {
    const spec = readSpecFile(path.join(SPECS, 'task-summary.json'));
    const [repoA, repoB] = [await sample(), await sample()];
    const delegated = await start(spec, repoA, true);
    const selfRun = await start(spec, repoB, false);
    const [a, b] = [await result(delegated), await result(selfRun)];

    const treeA = await git(repoA, ['rev-parse', 'feature/task-summary^{tree}']);
    const treeB = await git(repoB, ['rev-parse', 'feature/task-summary^{tree}']);
    expect(treeA).toBe(treeB);
    expect(await commitsOnBranch(repoA, 'feature/task-summary')).toEqual(
      PHASES.map((p, i) => `phase ${i + 1}/6: ${p}`),
    );
    expect(a.run.phases.map((p) => p.commit)).toEqual(
      (await git(repoA, ['log', '--format=%H', 'main..feature/task-summary'])).split('\n').reverse(),
    );
    expect(a.execution_status).toEqual({
      status: 'SUCCESS',
      phases_completed: 6,
      agent_name: 'python-backend-specialist',
    });
    expect(b.run.sub_agents).toEqual([]);
    expect(a.deliverables.files_modified).toEqual(b.deliverables.files_modified);
    expect(a.deliverables.files_modified).toContain('src/taskqueue/domain/models.py');
    expect(a.deliverables.files_created.some((f) => f.startsWith('tests/'))).toBe(true);

    const measured = await pytestOnBranch(repoA, 'feature/task-summary');
    const t = a.deliverables.test_results;
    expect({
      passed: t.tests_passed,
      failed: t.tests_failed,
      errors: t.tests_errors,
      skipped: t.tests_skipped,
      coverage: t.coverage_percentage,
    }).toEqual(measured);
    expect(measured.failed).toBe(0);

    const summary = await new MemoryStore(pool).get({
      namespace: `task:${delegated.workflowId}:implementation`,
      key: 'changes_summary',
    });
    expect(summary.memoryType).toBe('episodic');
    expect(summary.createdBy).toBe('python-backend-specialist');
    expect(summary.value).toMatchObject({
      files_modified: a.deliverables.files_modified,
      test_coverage: t.coverage_percentage,
    });

    const events = (await delegated.fetchHistory()).events ?? [];
    const at = (kind: 'started' | 'completed', type: string) =>
      events.findIndex((e) =>
        kind === 'started'
          ? e.childWorkflowExecutionStartedEventAttributes?.workflowType?.name === type
          : e.childWorkflowExecutionCompletedEventAttributes?.workflowType?.name === type,
      );
    expect(at('completed', 'pythonPydanticModelSpecialist')).toBeGreaterThan(0);
    expect(at('started', 'sqliteMigrationSpecialist')).toBeGreaterThan(
      at('completed', 'pythonPydanticModelSpecialist'),
    );
    // The user's checkout is untouched and the run's worktree is gone.
    expect(await git(repoA, ['status', '--porcelain'])).toBe('');
    expect(await git(repoA, ['worktree', 'list'])).not.toMatch(/worktrees/);
  });

  it('runs a three-field, two-model spec in one go', async () => {
    const spec = readSpecFile(path.join(SPECS, 'taskqueue-multi-field.json'));
    const repo = await sample();
    // A dirty checkout is fine: the run branches off HEAD in its own worktree and leaves it alone.
    appendFileSync(path.join(repo, 'README.md'), '\nwork in progress\n');
    writeFileSync(path.join(repo, 'notes.txt'), 'untracked');
    const dirty = await git(repo, ['status', '--porcelain']);
    const d = await result(await start(spec, repo, true));
    expect(await git(repo, ['status', '--porcelain'])).toBe(dirty);
    expect(await git(repo, ['ls-tree', '-r', '--name-only', `feature/${spec.feature}`])).not.toMatch(
      /notes\.txt/,
    );
    expect(d.execution_status.status).toBe('SUCCESS');
    expect(d.deliverables.test_results.tests_failed).toBe(0);
    expect(await commitsOnBranch(repo, `feature/${spec.feature}`)).toHaveLength(6);
  });

  it('implements a feature in the second sample (bookshelf), and pytest on the branch agrees', async () => {
    const spec = readSpecFile(path.join(SPECS, 'bookshelf-str-subtitle.json'));
    const repo = await sample(BOOKSHELF);
    const d = await result(await start(spec, repo, true));
    expect(d.execution_status.status).toBe('SUCCESS');
    expect(await commitsOnBranch(repo, `feature/${spec.feature}`)).toHaveLength(6);
    const measured = await pytestOnBranch(repo, `feature/${spec.feature}`, 'bookshelf');
    expect(measured.failed + measured.errors).toBe(0);
    expect(d.deliverables.test_results.tests_passed).toBe(measured.passed);
    expect(d.deliverables.test_results.coverage_percentage).toBe(measured.coverage);
  });

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
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err.push(String(chunk));
      return true;
    });
    const cli = async (...args: string[]) => {
      process.exitCode = undefined;
      out.length = 0;
      err.length = 0;
      await main(['node', 'specialist', ...args]);
      return process.exitCode ?? 0;
    };
    // The CLI prints its one-line errors (a refused decision) with console.error.
    const consoleError = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      err.push(`${args.map(String).join(' ')}\n`);
    });
    try {
      await fn(cli, out, err);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      consoleError.mockRestore();
      process.env = saved;
      process.exitCode = undefined;
    }
  };

  it('runs through the CLI: a spec plan refuses exits 2 at once; a waiting run exits 3 with the commands printed, status shows why, retry --spec completes with exit 0', async () => {
    const good = readSpecFile(path.join(SPECS, 'task-summary.json'));
    const bad = {
      ...good,
      data_models: { changes: good.data_models.changes.map((c) => ({ ...c, api_tool: 'task_submit' })) },
    };
    const repo = await sample();
    const badFile = path.join(scratch, 'bad-spec.json');
    writeFileSync(badFile, JSON.stringify(bad));
    await withCli(async (cli, out, err) => {
      // `run` plans first: the unknown tool is refused before anything starts (run-refusal-cli.test.ts
      // proves nothing was created).
      expect(await cli('run', badFile, '--workspace', repo, '--json')).toBe(2);
      expect(err.join('')).toMatch(/unknown tool "task_submit"/);

      // A run that waits for a person (e.g. its base commit changed after the check), started by
      // run's own start code, so its memo and memory entries are those of a CLI run.
      const session: Session = {
        stack: {
          temporalAddress: env.address,
          namespace: 'default',
          taskQueue,
          databaseUrl: pg.url,
          source: 'environment',
          stop: async () => {},
        },
        client: env.client,
        close: async () => {},
      };
      const { handle } = await startOrAttach(session, bad, { workspace: repo, delegate: true });
      const id = handle.workflowId;
      expect(id).toMatch(/^feature-task-summary-[0-9a-f]{8}$/);
      await waitUntil(handle, (p) => p.status === 'waiting');
      expect(await cli('result', id)).toBe(3);
      expect(err.join('')).toContain(`specialist retry ${id}`);
      expect(err.join('')).toContain(`specialist abort ${id}`);
      // The analysis cannot be skipped: not offered, and refused when asked anyway.
      expect(err.join('')).not.toContain('specialist skip');
      expect(await cli('skip', id)).toBe(2);
      expect(err.join('')).toMatch(/the run refused: analyze_codebase cannot be skipped/);

      expect(await cli('status', id)).toBe(3);
      expect(out.join('')).toMatch(/analyze_codebase failed/);
      expect(out.join('')).toMatch(/task_submit/);

      expect(await cli('list', '--json')).toBe(0);
      expect(JSON.parse(out.join(''))).toEqual(
        expect.arrayContaining([expect.objectContaining({ workflowId: id, status: 'waiting' })]),
      );

      const goodFile = path.join(scratch, 'good-spec.json');
      writeFileSync(goodFile, JSON.stringify(good));
      expect(await cli('retry', id, '--spec', goodFile, '--json')).toBe(0);
      const d = deliverableSchema.parse(JSON.parse(out.join('')));
      expect(d.execution_status.status).toBe('SUCCESS');

      expect(await cli('result', id)).toBe(0);
      expect(deliverableSchema.parse(JSON.parse(out.join(''))).run.workflow_id).toBe(id);
      // A run that has ended has nothing to retry: one line saying how it ended, exit 2.
      expect(await cli('retry', id)).toBe(2);
      expect(err.join('')).toBe(
        `specialist: ${id} has ended (completed): there is nothing to retry; \`specialist result ${id}\` shows how it ended\n`,
      );
    });
  });

  it('through the CLI, skipping a failed phase ends the run FAILED with exit 1, naming the phase', async () => {
    const { repo } = await sampleBreakingGeneratedTests();
    await withCli(async (cli, out, err) => {
      expect(await cli('run', path.join(SPECS, 'task-summary.json'), '--workspace', repo, '--json')).toBe(3);
      const waiting = JSON.parse(out.join('')) as { progress: RunProgress };
      expect(waiting.progress.waiting!.step).toBe('testing_validation');
      const id = waiting.progress.workflowId;
      expect(err.join('')).toContain(`specialist skip ${id}`);

      expect(await cli('skip', id, '--json')).toBe(1);
      const d = deliverableSchema.parse(JSON.parse(out.join('')));
      expect(d.execution_status).toEqual({
        status: 'FAILED',
        phases_completed: 5,
        agent_name: 'python-backend-specialist',
      });
      expect(d.run.outcome).toBe('completed');
      expect(d.orchestration_context.next_recommended_action).toMatch(
        /skipped by a person: testing_validation \(phase 6\)/,
      );
      expect(err.join('')).toMatch(/skipped by a person: testing_validation/);
      expect(await cli('result', id)).toBe(1);
    });
  });

  it('waits when the spec names a tool the codebase lacks, and completes after retry with the corrected spec', async () => {
    const good = readSpecFile(path.join(SPECS, 'task-summary.json'));
    const bad: FeatureSpec = {
      ...good,
      data_models: { changes: good.data_models.changes.map((c) => ({ ...c, api_tool: 'task_submit' })) },
    };
    const repo = await sample();
    const handle = await start(bad, repo, true);
    const waiting = await waitUntil(handle, (p) => p.status === 'waiting');
    expect(waiting.waiting!.step).toBe('analyze_codebase');
    // The analysis refuses a spec naming something the codebase lacks (SpecInvalid or AnchorNotFound).
    expect(['SpecInvalid', 'AnchorNotFound']).toContain(waiting.waiting!.type);
    expect(waiting.waiting!.message).toMatch(/task_submit/);
    await handle.executeUpdate(retryUpdate, { args: [{ spec: good }] });
    const d = await result(handle);
    expect(d.execution_status.status).toBe('SUCCESS');
  });

  /** A sample whose conftest fails the generated unit tests while the returned flag file exists. */
  const sampleBreakingGeneratedTests = async () => {
    const repo = await sample();
    const flag = path.join(scratch, `broken-${++counter}`);
    writeFileSync(flag, 'broken on purpose');
    appendFileSync(
      path.join(repo, 'tests/conftest.py'),
      [
        '',
        '',
        '@pytest.fixture(autouse=True)',
        'def _broken_on_purpose(request: pytest.FixtureRequest) -> None:',
        `    if __import__("os").path.exists(${JSON.stringify(flag)}) and "summary_unit" in request.node.nodeid:`,
        '        pytest.fail("broken on purpose by the end-to-end test")',
        '',
      ].join('\n'),
    );
    await git(repo, [
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@t',
      'commit',
      '--quiet',
      '-am',
      'break generated tests',
    ]);
    return { repo, flag };
  };

  it('waits when a generated test fails, shows which, and completes after the fix and a retry', async () => {
    const { repo, flag } = await sampleBreakingGeneratedTests();
    const handle = await start(readSpecFile(path.join(SPECS, 'task-summary.json')), repo, false);
    const waiting = await waitUntil(handle, (p) => p.status === 'waiting');
    expect(waiting.waiting).toMatchObject({
      step: 'testing_validation',
      type: 'TestsFailed',
      phaseNumber: 6,
    });
    expect(waiting.waiting!.message).toMatch(/test_task_summary_unit\.py::/);
    expect(waiting.phases.filter((p) => p.state === 'completed')).toHaveLength(5);
    rmSync(flag);
    await handle.executeUpdate(retryUpdate, { args: [{}] });
    const d = await result(handle);
    expect(d.execution_status.status).toBe('SUCCESS');
    expect(d.run.phases.find((p) => p.name === 'testing_validation')).toMatchObject({ status: 'completed' });
    expect(await commitsOnBranch(repo, 'feature/task-summary')).toHaveLength(6);
  });

  it('refuses to skip the analysis; an abort before any phase removes the empty branch, and the feature can run again', async () => {
    const good = readSpecFile(path.join(SPECS, 'task-summary.json'));
    const bad: FeatureSpec = {
      ...good,
      data_models: { changes: good.data_models.changes.map((c) => ({ ...c, api_tool: 'task_submit' })) },
    };
    const repo = await sample();
    const aborted = await start(bad, repo, false);
    await waitUntil(aborted, (p) => p.status === 'waiting');
    const refused = await aborted.executeUpdate(skipUpdate, { args: [{}] }).catch((e: Error) => e);
    expect((refused as Error & { cause?: Error }).cause?.message).toMatch(
      /analyze_codebase cannot be skipped/,
    );
    expect(await git(repo, ['branch', '--list', 'feature/task-summary'])).not.toBe('');

    await aborted.executeUpdate(abortUpdate, { args: [{ reason: 'the tool is named differently' }] });
    const error = await aborted.result().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('RunAborted');
    expect(cause.message).toMatch(/the tool is named differently/);
    expect(cause.message).toMatch(/empty branch feature\/task-summary was removed/);
    // No branch, no worktree: nothing blocks the next run.
    expect(await git(repo, ['branch', '--list', 'feature/task-summary'])).toBe('');
    expect(existsSync(path.join(scratch, 'worktrees', aborted.workflowId))).toBe(false);
    expect(await git(repo, ['worktree', 'list'])).not.toMatch(/worktrees/);

    // The next run of the feature gets past prepare_workspace (it stopped there on the old branch).
    const again = await start(bad, repo, false);
    const next = await waitUntil(again, (p) => p.status === 'waiting');
    expect(next.waiting!.step).toBe('analyze_codebase');
    expect(next.preSteps.find((p) => p.name === 'prepare_workspace')!.state).toBe('completed');
    await again.executeUpdate(abortUpdate, { args: [{}] });
    await again.result().catch(() => undefined);
  });
});
