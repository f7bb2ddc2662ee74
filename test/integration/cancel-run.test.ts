/**
 * Issue 10 item 2, "cancellation that stops", with real Temporal, PostgreSQL, Python and git on a copy
 * of examples/taskqueue whose suite holds one test that sleeps once the feature is in (so phase 6's
 * pytest is running when the cancel comes, and writes its pid and process group first):
 * - a cancel (as `temporal workflow cancel` or the UI sends it) during phase 6's pytest kills pytest's
 *   process group within seconds, adds no commit, removes the worktree, leaves the branch with phases
 *   1–5, shows CANCELLED in `status` and `list`, writes a CANCELLED `changes_summary`, leaves no temp folder;
 * - `specialist cancel ID` and `specialist abort ID` do the same from the CLI for a running run;
 * - a worker started after a SIGKILLed one (same data folder) kills the pytest the dead one left
 *   running and removes its temp folders.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createActivities } from '../../src/activities';
import { implementationNamespace, memoryTaskId } from '../../src/activities/context-activities';
import { copySample } from '../../src/client/demo';
import { git } from '../../src/git/git';
import { createMemoryPool, MemoryStore, migrateMemoryDatabase } from '../../src/memory';
import { PROJECT_ROOT } from '../../src/python/interpreter';
import type { RunningPostgres } from '../../src/stack/embedded-postgres';
import { WORKER_TUNING } from '../../src/worker/worker';
import { liveGroupMembers } from '../helpers/processes';
import { startTestPostgres } from '../helpers/postgres';
import { PROJECT_SEARCH_ATTRIBUTES, startTestTemporal } from '../helpers/temporal';

// Real runs take minutes on a shared machine.
jest.setTimeout(900_000);

const BIN = path.join(PROJECT_ROOT, 'bin', 'specialist.js');
const SPEC = path.join(PROJECT_ROOT, 'examples/specs/task-summary.json');
const TASK_QUEUE = 'cancel-run';
const TEMP_PREFIXES = [
  'specialist-pytest-',
  'specialist-mypy-',
  'specialist-probe-',
  'specialist-migration-',
];

let env: TestWorkflowEnvironment;
let pg: RunningPostgres;
let pool: Pool;
let worker: Worker;
let running: Promise<void>;
let scratch: string;
let tmp: string;
const savedTmpdir = process.env.TMPDIR;

beforeAll(async () => {
  if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'client', 'cli.js')))
    throw new Error('the CLI is not built: run `npm run build` first');
  scratch = mkdtempSync(path.join(os.tmpdir(), 'cancel-run-'));
  // Our own temp folder, so "no temp folder left" can be checked without other processes' noise.
  tmp = path.join(scratch, 'tmp');
  mkdirSync(tmp);
  process.env.TMPDIR = tmp;
  [env, pg] = await Promise.all([startTestTemporal(PROJECT_SEARCH_ATTRIBUTES), startTestPostgres()]);
  pool = createMemoryPool({ connectionString: pg.url, max: 4 });
  await migrateMemoryDatabase(pool);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('../../src/workflows'),
    activities: createActivities({ pool, worktreesDir: path.join(scratch, 'worktrees') }),
    ...WORKER_TUNING,
  });
  running = worker.run();
}, 180_000);

afterAll(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await pool?.end();
  await Promise.all([env?.teardown(), pg?.stop()]);
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 120_000);

/** The CLI, asynchronously: the worker serving the runs lives in this process and must keep going. */
function cli(
  args: string[],
  extra: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: scratch,
        timeout: 300_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: env.address,
          DATABASE_URL: pg.url,
          TEMPORAL_TASK_QUEUE: TASK_QUEUE,
          SPECIALIST_HOME: path.join(scratch, 'home'),
          NO_COLOR: '1',
          ...extra,
        },
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
}

interface SlowRepo {
  repo: string;
  /** Written by the sleeping test: its pid and process group. */
  marker: string;
}

/** examples/taskqueue with a test that, once the feature is in (phase 6), records itself and sleeps. */
async function slowSample(name: string): Promise<SlowRepo> {
  const repo = await copySample(path.join(PROJECT_ROOT, 'examples/taskqueue'));
  const marker = path.join(scratch, `${name}.pytest.json`);
  writeFileSync(
    path.join(repo, 'tests', 'test_zz_slow.py'),
    [
      'import json, os, pathlib, time',
      '',
      '',
      'def test_sleeps_once_the_feature_is_in():',
      '    models = pathlib.Path(__file__).resolve().parents[1] / "src" / "taskqueue" / "domain" / "models.py"',
      '    if "summary" not in models.read_text():',
      '        return',
      `    pathlib.Path(${JSON.stringify(marker)}).write_text(json.dumps({"pid": os.getpid(), "pgid": os.getpgid(0)}))`,
      '    time.sleep(600)',
      '',
    ].join('\n'),
  );
  await git(repo, ['add', '-A']);
  await git(repo, ['-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '-qm', 'a slow test']);
  return { repo, marker };
}

async function until<T>(
  what: string,
  probe: () => T | undefined | false,
  ms: number,
  everyMs = 250,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until the sleeping test runs in phase 6's pytest; returns its process group. */
async function pytestGroup(slow: SlowRepo): Promise<number> {
  const { pgid } = await until(
    'phase 6 pytest',
    () => existsSync(slow.marker) && (JSON.parse(readFileSync(slow.marker, 'utf8')) as { pgid: number }),
    600_000,
  );
  expect(liveGroupMembers(pgid).length).toBeGreaterThan(0);
  return pgid;
}

/** Seconds until no process of the group runs. */
async function secondsUntilGone(pgid: number): Promise<number> {
  const started = Date.now();
  await until(`process group ${pgid} to end`, () => liveGroupMembers(pgid).length === 0, 30_000, 100);
  return (Date.now() - started) / 1000;
}

async function startRun(slow: SlowRepo): Promise<WorkflowHandle> {
  const started = await cli(['run', SPEC, '--workspace', slow.repo, '--detach']);
  expect(started.stderr).toMatch(/started; watch with/);
  expect(started.code).toBe(0);
  return env.client.workflow.getHandle(started.stdout.trim());
}

const leftTempFolders = () => readdirSync(tmp).filter((f) => TEMP_PREFIXES.some((p) => f.startsWith(p)));

/** What a cancelled run must look like afterwards, whatever sent the cancel. */
async function expectCleanedUp(handle: WorkflowHandle, slow: SlowRepo, tipBeforeCancel: string) {
  const error = await handle.result().catch((err: unknown) => err);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  // The worktree is gone; the branch stayed where phase 5 left it, with phases 1–5 only.
  expect(
    existsSync(path.join(scratch, 'worktrees', handle.workflowId.replace(/[^A-Za-z0-9_.-]+/g, '_'))),
  ).toBe(false);
  expect(await git(slow.repo, ['worktree', 'list', '--porcelain'])).not.toMatch(/feature\/task-summary/);
  expect(await git(slow.repo, ['rev-parse', 'feature/task-summary'])).toBe(tipBeforeCancel);
  expect(
    (await git(slow.repo, ['log', '--format=%s', 'main..feature/task-summary'])).split('\n').reverse(),
  ).toEqual([
    'phase 1/6: domain_model',
    'phase 2/6: database_migration',
    'phase 3/6: service_layer',
    'phase 4/6: api_layer',
    'phase 5/6: serialization',
  ]);
  // The branch can be deleted now (a worktree on it would refuse).
  const status = await cli(['status', handle.workflowId, '--json']);
  const shown = JSON.parse(status.stdout) as {
    status: string;
    progress: { status: string; cancelled?: unknown; phases: { name: string; state: string }[] };
  };
  // The step the cancel stopped reads `cancelled`, not pending (the run's own table) nor running/failed.
  expect(shown.progress.phases.find((p) => p.name === 'testing_validation')?.state).toBe('cancelled');
  expect(shown.status).toBe('CANCELLED');
  expect(shown.progress.status).toBe('cancelled');
  expect(shown.progress.cancelled).toMatchObject({
    step: 'testing_validation',
    branch: 'feature/task-summary',
    branchRemoved: false,
    headCommit: tipBeforeCancel,
    worktreeRemoved: true,
    noteWritten: true,
    problems: [],
  });
  const result = await cli(['result', handle.workflowId]);
  expect(result.code).toBe(1);
  expect(JSON.parse(result.stdout)).toMatchObject({ status: 'cancelled', progress: { status: 'cancelled' } });
  expect(result.stderr).toMatch(/run cancelled during testing validation/);
  const human = await cli(['status', handle.workflowId]);
  expect(human.stdout).toMatch(/task-summary .* — cancelled on feature\/task-summary/);
  expect(human.stdout).toMatch(/⊘ 6\/6 testing_validation {2}cancelled/);
  expect(human.stdout).toMatch(
    /run cancelled during testing validation: worktree removed; feature\/task-summary keeps/,
  );
  const note = await new MemoryStore(pool).get({
    namespace: implementationNamespace(memoryTaskId(handle.workflowId)),
    key: 'changes_summary',
  });
  expect(note.value).toMatchObject({
    status: 'CANCELLED',
    cancelled_during: 'testing_validation',
    branch: 'feature/task-summary',
    head_commit: tipBeforeCancel,
    worktree_removed: true,
  });
  expect((note.value as { phases_completed: string[] }).phases_completed).toHaveLength(5);
  expect(leftTempFolders()).toEqual([]);
}

describe('cancelling a real run', () => {
  const runs: Record<string, { slow: SlowRepo; handle: WorkflowHandle }> = {};

  beforeAll(async () => {
    // Three runs side by side: each test stops its own while its pytest sleeps.
    for (const name of ['temporal', 'cancel', 'abort']) {
      const slow = await slowSample(name);
      runs[name] = { slow, handle: await startRun(slow) };
    }
  }, 600_000);

  afterAll(async () => {
    for (const { handle } of Object.values(runs)) await handle.terminate().catch(() => undefined);
  });

  it('a cancel during phase 6 (as Temporal sends it) kills pytest within seconds and cleans up', async () => {
    const { slow, handle } = runs.temporal!;
    const pgid = await pytestGroup(slow);
    const tip = await git(slow.repo, ['rev-parse', 'feature/task-summary']);
    const reflog = await git(slow.repo, ['reflog', 'show', '--format=%H', 'feature/task-summary']);
    await handle.cancel();
    expect(await secondsUntilGone(pgid)).toBeLessThan(15);
    await expectCleanedUp(handle, slow, tip);
    // Nothing moved the branch after the cancel.
    expect(await git(slow.repo, ['reflog', 'show', '--format=%H', 'feature/task-summary'])).toBe(reflog);
    const listed = JSON.parse((await cli(['list', '--json'])).stdout) as {
      workflowId: string;
      status: string;
    }[];
    expect(listed.find((r) => r.workflowId === handle.workflowId)).toMatchObject({ status: 'cancelled' });
    // With the worktree gone, the branch can be deleted (the issue: it could not).
    await git(slow.repo, ['branch', '-D', 'feature/task-summary']);
  });

  it('`specialist cancel ID` does the same from the CLI', async () => {
    const { slow, handle } = runs.cancel!;
    const pgid = await pytestGroup(slow);
    const tip = await git(slow.repo, ['rev-parse', 'feature/task-summary']);
    const cancelled = cli(['cancel', handle.workflowId]);
    expect(await secondsUntilGone(pgid)).toBeLessThan(15);
    const result = await cancelled;
    // Sent at once (no worker of its own: the one serving TEMPORAL_ADDRESS cleans up).
    expect(result.stderr).toMatch(/TEMPORAL_ADDRESS is set, so no worker starts here/);
    expect(result.stderr).not.toMatch(/bundling workflows/);
    expect(result.stderr).toMatch(
      /run cancelled during testing validation: worktree removed; feature\/task-summary keeps the phases completed before the cancel/,
    );
    expect(result.code).toBe(0);
    await expectCleanedUp(handle, slow, tip);
    // A closed run cannot be cancelled again: one clear line, exit 2.
    const again = await cli(['cancel', handle.workflowId]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/has ended \(cancelled\): there is nothing to cancel/);
  });

  it('`specialist abort ID` accepts a running run: it cancels it, then cleans up', async () => {
    const { slow, handle } = runs.abort!;
    const pgid = await pytestGroup(slow);
    const tip = await git(slow.repo, ['rev-parse', 'feature/task-summary']);
    const aborted = await cli(['abort', handle.workflowId]);
    expect(aborted.stderr).toMatch(/run cancelled during testing validation/);
    expect(aborted.code).toBe(0);
    expect(liveGroupMembers(pgid)).toEqual([]);
    await expectCleanedUp(handle, slow, tip);
  });
});

describe('a worker started after a SIGKILLed one', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  /** `specialist worker` on its own queue and data folder; resolves once it polls. */
  const startWorkerProcess = async (home: string, workerTmp: string) => {
    const child = spawn(process.execPath, [BIN, 'worker'], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: env.address,
        DATABASE_URL: pg.url,
        TEMPORAL_TASK_QUEUE: 'cancel-run-killed',
        SPECIALIST_HOME: home,
        TMPDIR: workerTmp,
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    await until('the worker to poll', () => output.includes('worker polling task queue'), 120_000);
    return { child, output: () => output };
  };

  it('kills the pytest the dead worker left running and removes its temp folders', async () => {
    const home = path.join(scratch, 'home-killed');
    const workerTmp = path.join(scratch, 'tmp-killed');
    mkdirSync(workerTmp, { recursive: true });
    const first = await startWorkerProcess(home, workerTmp);
    const slow = await slowSample('killed');
    const started = await cli(['run', SPEC, '--workspace', slow.repo, '--detach'], {
      TEMPORAL_TASK_QUEUE: 'cancel-run-killed',
    });
    expect(started.code).toBe(0);
    const handle = env.client.workflow.getHandle(started.stdout.trim());
    try {
      const pgid = await pytestGroup(slow);
      const ledger = path.join(home, 'leftovers');
      const [owner] = readdirSync(ledger);
      expect(readdirSync(path.join(ledger, owner!))).toContain(`group-${pgid}.json`);

      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      // The dead worker's pytest runs on, and its temp folders stay.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(liveGroupMembers(pgid).length).toBeGreaterThan(0);
      const left = readdirSync(workerTmp).filter((f) => TEMP_PREFIXES.some((p) => f.startsWith(p)));
      expect(left.length).toBeGreaterThan(0);

      const second = await startWorkerProcess(home, workerTmp);
      expect(liveGroupMembers(pgid)).toEqual([]);
      expect(readdirSync(workerTmp).filter((f) => left.includes(f))).toEqual([]);
      expect(existsSync(path.join(ledger, owner!))).toBe(false);
      expect(second.output()).toMatch(
        /removed what a stopped worker left: 1 process group\(s\), \d+ temp folder\(s\)/,
      );

      // A worker that stops normally leaves no records behind.
      await handle.terminate();
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
      expect(existsSync(ledger) ? readdirSync(ledger) : []).toEqual([]);
    } finally {
      await handle.terminate().catch(() => undefined);
    }
  });
});
