/**
 * Issue 10 items 1 and 5 with the built CLI, real Temporal, PostgreSQL, Python and git on a copy of
 * examples/taskqueue: two `run`s of one feature on one repository give one run (the other follows it
 * or is refused), one commit per phase with the owner's id, one memory summary; and a run whose CLI
 * was killed is not moved by `status` and is finished by `follow`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { implementationNamespace } from '../../src/activities/context-activities';
import { copySample } from '../../src/client/demo';
import { repositoryKey, runWorkflowId } from '../../src/client/commands/run-identity';
import { deliverableSchema } from '../../src/deliverable';
import { git } from '../../src/git/git';
import { createMemoryPool, migrateMemoryDatabase, MemoryStore } from '../../src/memory';
import { PROJECT_ROOT } from '../../src/python/interpreter';
import { portIsFree } from '../../src/stack/ports';
import type { RunningPostgres } from '../../src/stack/embedded-postgres';
import { freePort } from '../helpers/free-port';
import { startTestPostgres } from '../helpers/postgres';
import { processesMentioning } from '../helpers/processes';
import { PROJECT_SEARCH_ATTRIBUTES, startTestTemporal } from '../helpers/temporal';

jest.setTimeout(900_000);

const BIN = path.join(PROJECT_ROOT, 'bin', 'specialist.js');
const SPEC = path.join(PROJECT_ROOT, 'examples/specs/task-summary.json');
const TASK_QUEUE = 'one-run-per-branch';

let pg: RunningPostgres;
let pool: Pool;
let temporal: TestWorkflowEnvironment;
let worker: Worker;
let working: Promise<void>;
let scratch: string;
const repos: string[] = [];

beforeAll(async () => {
  if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'client', 'cli.js')))
    throw new Error('the CLI is not built: run `npm run build` first');
  scratch = mkdtempSync(path.join(os.tmpdir(), 'one-run-per-branch-'));
  [pg, temporal] = await Promise.all([startTestPostgres(), startTestTemporal(PROJECT_SEARCH_ATTRIBUTES)]);
  pool = createMemoryPool({ connectionString: pg.url, max: 4 });
  await migrateMemoryDatabase(pool);
  worker = await Worker.create({
    connection: temporal.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('../../src/workflows'),
    activities: createActivities({ pool, worktreesDir: path.join(scratch, 'worktrees') }),
  });
  working = worker.run();
}, 240_000);

afterAll(async () => {
  worker?.shutdown();
  await working?.catch(() => undefined);
  await pool?.end();
  await Promise.all([temporal?.teardown(), pg?.stop()]);
  for (const repo of repos) rmSync(repo, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 120_000);

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI as a user runs it; `onStderr` sees its progress lines as they come. */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
  onStderr?: (all: string, child: ReturnType<typeof spawn>) => void,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', CI: '1', ...env },
      cwd: scratch,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Against the shared test servers: no worker in the CLI (TEMPORAL_ADDRESS), the test's worker serves. */
const shared = (): NodeJS.ProcessEnv => ({
  TEMPORAL_ADDRESS: temporal.address,
  TEMPORAL_TASK_QUEUE: TASK_QUEUE,
  DATABASE_URL: pg.url,
  SPECIALIST_HOME: path.join(scratch, 'home-shared'),
});

async function sample(): Promise<string> {
  const repo = await copySample(path.join(PROJECT_ROOT, 'examples/taskqueue'));
  repos.push(repo);
  return repo;
}

/** Subject and `Workflow-Id` trailer of each commit of the branch, oldest first. */
async function branchCommits(repo: string, branch = 'feature/task-summary') {
  const log = await git(repo, [
    'log',
    '--reverse',
    '--format=%H%x09%s%x09%(trailers:key=Workflow-Id,valueonly,separator=%x2C)',
    `main..${branch}`,
  ]);
  return log
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [commit, subject, owner] = line.split('\t');
      return { commit: commit!, subject: subject!, owner: owner!.trim() };
    });
}

function expectOneCommitPerPhase(commits: Awaited<ReturnType<typeof branchCommits>>, owner: string) {
  expect(commits.map((c) => c.subject)).toEqual([
    'phase 1/6: domain_model',
    'phase 2/6: database_migration',
    'phase 3/6: service_layer',
    'phase 4/6: api_layer',
    'phase 5/6: serialization',
    'phase 6/6: testing_validation',
  ]);
  for (const c of commits) expect(c.owner).toBe(owner);
}

describe('one run per branch', () => {
  it('two runs of the same feature started together: one owner, the other follows it', async () => {
    const repo = await sample();
    const id = runWorkflowId('task-summary', await repositoryKey(repo));
    const [a, b] = await Promise.all([
      cli(['run', SPEC, '--workspace', repo], shared()),
      cli(['run', SPEC, '--workspace', repo], shared()),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const [da, db] = [a, b].map((r) => deliverableSchema.parse(JSON.parse(r.stdout)));
    // One run: the same workflow id and the same commits in both deliverables; one CLI said it follows.
    expect(da!.run.workflow_id).toBe(id);
    expect(db!.run.workflow_id).toBe(id);
    expect(db!.run.head_commit).toBe(da!.run.head_commit);
    expect(
      [a.stderr, b.stderr].filter((s) => s.includes(`already running on this repository as ${id}`)),
    ).toHaveLength(1);

    const commits = await branchCommits(repo);
    expectOneCommitPerPhase(commits, id);
    expect(commits.map((c) => c.commit)).toEqual(da!.run.phases.map((p) => p.commit));
    expect(await git(repo, ['rev-parse', 'feature/task-summary'])).toBe(da!.run.head_commit);

    const store = new MemoryStore(pool);
    const summary = await store.history({ namespace: implementationNamespace(id), key: 'changes_summary' });
    expect(summary).toHaveLength(1);
    expect((summary[0]!.value as { commits: unknown[] }).commits).toHaveLength(6);
    // The follower stored no spec of its own (or took it back when it lost the race to start).
    const specs = await store.search({ prefix: 'task:spec-task-summary-' });
    expect(new Set(specs.map((e) => e.namespace)).size).toBe(1);
    expect(specs[0]!.namespace).toBe(`task:${da!.run.tech_spec_task_id}:technical_specs`);
  });

  it('refuses a different spec for the feature while its run is open, naming that run; follow finishes it', async () => {
    const repo = await sample();
    const started = await cli(['run', SPEC, '--workspace', repo, '--detach'], shared());
    expect(started.code).toBe(0);
    const id = started.stdout.trim();
    expect(id).toBe(runWorkflowId('task-summary', await repositoryKey(repo)));

    const other = JSON.parse(readFileSync(SPEC, 'utf8')) as {
      data_models: { changes: { constraints: { max_length: number } }[] };
    };
    other.data_models.changes[0]!.constraints.max_length = 80;
    const otherSpec = path.join(scratch, 'task-summary-80.json');
    writeFileSync(otherSpec, JSON.stringify(other));
    const refused = await cli(['run', otherSpec, '--workspace', repo], shared());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`already has an open run on ${repo}: ${id}`);
    expect(refused.stderr).toContain('it runs a different spec');
    expect(refused.stderr).toContain(`specialist follow ${id}`);

    const followed = await cli(['follow', id], shared());
    expect(followed.code).toBe(0);
    const deliverable = deliverableSchema.parse(JSON.parse(followed.stdout));
    expect(deliverable.run.workflow_id).toBe(id);
    expect(deliverable.execution_status.status).toBe('SUCCESS');
    expect(followed.stderr).toMatch(/6\/6 testing_validation: completed/);
    expectOneCommitPerPhase(await branchCommits(repo), id);

    // The same for `run --attach` on the closed run: its deliverable and exit code.
    const attached = await cli(['run', '--attach', id, '--json'], shared());
    expect(attached.code).toBe(0);
    expect(deliverableSchema.parse(JSON.parse(attached.stdout)).run.head_commit).toBe(
      deliverable.run.head_commit,
    );

    // The run has closed and left its branch: the next `run` of the feature is refused before it
    // starts anything, naming the run that made the branch.
    const again = await cli(['run', SPEC, '--workspace', repo], shared());
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `branch feature/task-summary already exists in ${repo} (run ${id} made it)`,
    );
    expect(again.stderr).toContain('branch -D feature/task-summary');
  });
});

describe('a run whose CLI died (the embedded stack the CLI starts for itself)', () => {
  it('is not moved by `status` (no worker starts), and `follow` finishes it', async () => {
    const repo = await sample();
    const id = runWorkflowId('task-summary', await repositoryKey(repo));
    const home = path.join(scratch, 'home-embedded');
    const temporalPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      SPECIALIST_HOME: home,
      DATABASE_URL: pg.url,
      SPECIALIST_TEMPORAL_PORT: String(temporalPort),
      SPECIALIST_UI_PORT: String(await freePort()),
      TEMPORAL_TASK_QUEUE: 'embedded-run',
    };
    // Killed (SIGKILL: no cleanup of any kind) once phase 1 is done, while phase 2 runs.
    const killed = await cli(['run', SPEC, '--workspace', repo], env, (stderr, child) => {
      if (stderr.includes('domain_model: completed')) child.kill('SIGKILL');
    });
    expect(killed.code).toBeNull();
    for (let i = 0; i < 60 && !(await portIsFree(temporalPort)); i++)
      await new Promise((r) => setTimeout(r, 500));
    // Long enough for the dead worker's phase to time out (heartbeat timeout 1 minute): any worker
    // that came up now would take the phase and move the run.
    await new Promise((r) => setTimeout(r, 70_000));
    const before = await branchCommits(repo);

    for (let i = 0; i < 2; i++) {
      const status = await cli(['status', id], env);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/1\/6 domain_model/);
      expect(status.stdout).toContain('no worker answered');
      expect(status.stdout).toContain(`specialist follow ${id}`);
      expect(status.stderr).not.toMatch(/worker/);
    }
    const list = await cli(['list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(id);
    await new Promise((r) => setTimeout(r, 5_000));
    expect(await branchCommits(repo)).toEqual(before);
    expect(processesMentioning(home)).toEqual([]);

    const followed = await cli(['follow', id], env);
    expect(followed.code).toBe(0);
    const deliverable = deliverableSchema.parse(JSON.parse(followed.stdout));
    expect(deliverable.execution_status.status).toBe('SUCCESS');
    expect(deliverable.run.workflow_id).toBe(id);
    expectOneCommitPerPhase(await branchCommits(repo), id);
    expect(processesMentioning(home)).toEqual([]);
  });
});
