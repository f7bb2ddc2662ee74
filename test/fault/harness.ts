/**
 * One real stack per fault test file, every piece a separate process the test can kill or restart:
 * the Temporal dev server (`temporal server start-dev`, history in a SQLite file so a restart keeps
 * the runs), an embedded PostgreSQL (data folder kept across a stop), and `specialist worker`
 * processes (the built CLI, own data folder and TMPDIR). Runs are started with the built CLI
 * (`run --detach`) on copies of examples/taskqueue, and judged by what a user would see: the branch's
 * commits and tree, the memory's `changes_summary` versions, the user's checkout, no pytest left
 * running and no `specialist-*` temp folder left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowExecutionStatusName } from '@temporalio/client';
import { implementationNamespace } from '../../src/activities/context-activities';
import { copySample } from '../../src/client/demo';
import type { Deliverable } from '../../src/deliverable';
import { git } from '../../src/git/git';
import { createMemoryPool, MemoryStore, migrateMemoryDatabase } from '../../src/memory';
import { PROJECT_ROOT } from '../../src/python/interpreter';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/stack/embedded-postgres';
import { startTemporalDevServer, type RunningTemporalDevServer } from '../../src/stack/temporal-dev-server';
import { freePort } from '../helpers/free-port';
import { processesMentioning } from '../helpers/processes';
import { temporalCliPath } from '../helpers/temporal';

export const BIN = path.join(PROJECT_ROOT, 'bin', 'specialist.js');
export const SPEC = path.join(PROJECT_ROOT, 'examples/specs/task-summary.json');
export const BRANCH = 'feature/task-summary';
export const PHASES = [
  'phase 1/6: domain_model',
  'phase 2/6: database_migration',
  'phase 3/6: service_layer',
  'phase 4/6: api_layer',
  'phase 5/6: serialization',
  'phase 6/6: testing_validation',
];

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  ms: number,
  everyMs = 200,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
}

export interface RunOutcome {
  id: string;
  repo: string;
  /** HEAD of the user's checkout before the run. */
  head: string;
  branch: string;
}

export class FaultStack {
  readonly scratch: string;
  /** TMPDIR of every worker and CLI process: must be free of `specialist-*` folders at the end. */
  readonly tmp: string;
  readonly home: string;
  readonly taskQueue: string;
  temporal!: RunningTemporalDevServer;
  pg!: RunningPostgres;
  client!: Client;
  private connection!: Connection;
  private temporalPort = 0;
  private uiPort = 0;
  private pgPort = 0;
  private readonly workers: WorkerProcess[] = [];
  private readonly repos: string[] = [];
  /** Milestones (seconds since start) for the test's timing notes. */
  readonly timeline: string[] = [];
  private readonly started = Date.now();

  constructor(name: string) {
    if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'client', 'cli.js')))
      throw new Error('the CLI is not built: run `npm run build` first');
    this.scratch = mkdtempSync(path.join(os.tmpdir(), `fault-${name}-`));
    this.tmp = path.join(this.scratch, 'tmp');
    this.home = path.join(this.scratch, 'home');
    mkdirSync(this.tmp);
    this.taskQueue = `fault-${name}`;
  }

  note(what: string): void {
    this.timeline.push(`${((Date.now() - this.started) / 1000).toFixed(0)} s: ${what}`);
  }

  async start(): Promise<void> {
    [this.temporalPort, this.uiPort, this.pgPort] = await Promise.all([freePort(), freePort(), freePort()]);
    await Promise.all([this.startTemporal(), this.startPostgres()]);
    this.connection = await Connection.connect({ address: this.temporal.address });
    this.client = new Client({ connection: this.connection });
    const pool = createMemoryPool({ connectionString: this.pg.url, max: 1 });
    try {
      await migrateMemoryDatabase(pool);
    } finally {
      await pool.end();
    }
    this.note('stack up');
  }

  async startTemporal(): Promise<void> {
    this.temporal = await startTemporalDevServer({
      cli: temporalCliPath(),
      dbFile: path.join(this.scratch, 'temporal', 'history.db'),
      port: this.temporalPort,
      uiPort: this.uiPort,
    });
  }

  async startPostgres(): Promise<void> {
    const dir = path.join(this.scratch, 'pg');
    mkdirSync(dir, { recursive: true });
    // As root, initdb runs as the `postgres` user, which must be able to enter the folders.
    chmodSync(this.scratch, 0o755);
    chmodSync(dir, 0o755);
    this.pg = await startEmbeddedPostgres({
      dir: path.join(dir, 'data'),
      port: this.pgPort,
      database: 'fault',
    });
  }

  /**
   * The environment of every worker and CLI process; `queue` picks another task queue (a reference
   * run's), `folder` another data folder and TMPDIR for the same queue (a second worker, as on another host).
   */
  env(queue = this.taskQueue, folder?: string): NodeJS.ProcessEnv {
    // Another queue's processes get their own data folder and TMPDIR: a killed worker's replacement
    // must only clean up after its own kind, and phase detection looks at the main queue's TMPDIR.
    const own = folder
      ? path.join(this.scratch, `${this.taskQueue}-${folder}`)
      : queue === this.taskQueue
        ? undefined
        : path.join(this.scratch, queue);
    if (own) mkdirSync(path.join(own, 'tmp'), { recursive: true });
    return {
      ...process.env,
      TEMPORAL_ADDRESS: this.temporal.address,
      DATABASE_URL: this.pg.url,
      TEMPORAL_TASK_QUEUE: queue,
      SPECIALIST_HOME: own ? path.join(own, 'home') : this.home,
      TMPDIR: own ? path.join(own, 'tmp') : this.tmp,
      NO_COLOR: '1',
      CI: '1',
    };
  }

  /** A `specialist worker` process; resolves once it polls the task queue. */
  async startWorker(queue = this.taskQueue, folder?: string): Promise<WorkerProcess> {
    const child = spawn(process.execPath, [BIN, 'worker'], {
      env: this.env(queue, folder),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const worker = { child, output: () => output };
    this.workers.push(worker);
    await until(
      'the worker to poll',
      async () => {
        if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}):\n${output}`);
        return output.includes('worker polling task queue');
      },
      180_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${output}`);
    });
    this.note(`worker ${child.pid} polls`);
    return worker;
  }

  /** Stops a worker as Ctrl-C or a service manager does (SIGTERM): its running activities are cancelled. */
  async stopWorker(worker: WorkerProcess): Promise<void> {
    const exited = new Promise((resolve) => worker.child.once('exit', resolve));
    worker.child.kill('SIGTERM');
    await exited;
    this.note(`worker ${worker.child.pid} stopped`);
  }

  async killWorker(worker: WorkerProcess): Promise<void> {
    const exited = new Promise((resolve) => worker.child.once('exit', resolve));
    worker.child.kill('SIGKILL');
    await exited;
    this.note(`worker ${worker.child.pid} SIGKILLed`);
  }

  /** The built CLI as a user runs it. */
  cli(
    args: string[],
    queue = this.taskQueue,
    timeoutMs = 300_000,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: this.env(queue), cwd: this.scratch });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** A fresh committed copy of examples/taskqueue (the user's checkout). */
  async sample(): Promise<string> {
    const repo = await copySample(path.join(PROJECT_ROOT, 'examples/taskqueue'));
    this.repos.push(repo);
    return repo;
  }

  /** `specialist run SPEC --workspace REPO --detach`: the run's workflow id. */
  async startRun(repo: string, spec = SPEC, queue = this.taskQueue): Promise<RunOutcome> {
    const head = await git(repo, ['rev-parse', 'HEAD']);
    const started = await this.cli(['run', spec, '--workspace', repo, '--detach'], queue);
    if (started.code !== 0) throw new Error(`run did not start (${started.code}):\n${started.stderr}`);
    const id = started.stdout.trim();
    this.note(`run ${id} started`);
    const feature = (JSON.parse(readFileSync(spec, 'utf8')) as { feature: string }).feature;
    return { id, repo, head, branch: `feature/${feature}` };
  }

  /** How many phases the run has committed so far (the branch may not exist yet). */
  async phasesCommitted(repo: string): Promise<number> {
    try {
      return Number(await git(repo, ['rev-list', '--count', `main..${BRANCH}`]));
    } catch {
      return 0;
    }
  }

  /** Resolves once `count` phases are committed: the next phase is running (or about to). */
  async waitForPhases(repo: string, count: number, ms = 600_000): Promise<void> {
    await until(
      `${count} phase commit(s) in ${repo}`,
      async () => (await this.phasesCommitted(repo)) >= count,
      ms,
      100,
    );
    this.note(`${count} phase(s) committed`);
  }

  /** The run's deliverable once it closes (retrying across a restarting server). */
  async result(
    id: string,
    ms = 900_000,
  ): Promise<{ status: WorkflowExecutionStatusName; deliverable?: Deliverable }> {
    const handle = this.client.workflow.getHandle(id);
    const outcome = await until(
      `run ${id} to close`,
      async () => {
        const { status } = await handle.describe();
        if (status.name === 'RUNNING') return undefined;
        const deliverable =
          status.name === 'COMPLETED' ? ((await handle.result()) as Deliverable) : undefined;
        return { status: status.name, deliverable };
      },
      ms,
      1_000,
    );
    this.note(`run ${id} closed ${outcome.status}`);
    return outcome;
  }

  /** The final tree of the run's branch. */
  tree(run: RunOutcome): Promise<string> {
    return git(run.repo, ['rev-parse', `${run.branch}^{tree}`]);
  }

  /** Everything a finished SUCCESS run must leave, whatever went wrong during it. */
  async expectSucceeded(run: RunOutcome): Promise<void> {
    const { status, deliverable } = await this.result(run.id);
    expect(status).toBe('COMPLETED');
    expect(deliverable?.execution_status.status).toBe('SUCCESS');
    // One commit per phase, each carrying the owner's workflow id, and nothing else on the branch.
    const log = await git(run.repo, [
      'log',
      '--reverse',
      '--format=%H%x09%s%x09%(trailers:key=Workflow-Id,valueonly,separator=%x2C)',
      `main..${run.branch}`,
    ]);
    const commits = log
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t'));
    expect(commits.map((c) => c[1])).toEqual(PHASES);
    for (const c of commits) expect(c[2]!.trim()).toBe(run.id);
    expect(commits.map((c) => c[0])).toEqual(deliverable!.run.phases.map((p) => p.commit));
    expect(await git(run.repo, ['rev-parse', run.branch])).toBe(deliverable!.run.head_commit);
    // The user's checkout: same HEAD, still on main, nothing modified or added.
    expect(await git(run.repo, ['rev-parse', 'HEAD'])).toBe(run.head);
    expect(await git(run.repo, ['symbolic-ref', '--short', 'HEAD'])).toBe('main');
    expect(await git(run.repo, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    // Exactly one `changes_summary` version for the run, naming its six commits.
    const pool = createMemoryPool({ connectionString: this.pg.url, max: 1 });
    try {
      const summary = await new MemoryStore(pool).history({
        namespace: implementationNamespace(run.id),
        key: 'changes_summary',
      });
      expect(summary).toHaveLength(1);
      expect((summary[0]!.value as { commits: unknown[] }).commits).toHaveLength(6);
    } finally {
      await pool.end();
    }
  }

  /** No pytest (or other Python) of any run still running, and no temp folder left behind. */
  async expectNothingLeft(): Promise<void> {
    // A finished activity cleans up as it returns: give the last one a moment.
    await until('temp folders to be removed', async () => this.leftTempFolders().length === 0, 10_000).catch(
      () => undefined,
    );
    expect(this.leftTempFolders()).toEqual([]);
    for (const repo of this.repos)
      expect(processesMentioning(path.basename(repo)).filter((p) => /python|pytest/.test(p))).toEqual([]);
    expect(processesMentioning(this.scratch).filter((p) => /python|pytest/.test(p))).toEqual([]);
  }

  /** `specialist-*` folders in the TMPDIR of any queue's processes. */
  leftTempFolders(): string[] {
    const tmps = [
      this.tmp,
      ...readdirSync(this.scratch)
        .filter((f) => f.startsWith(`${this.taskQueue}-`))
        .map((f) => path.join(this.scratch, f, 'tmp')),
    ];
    return tmps.flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.startsWith('specialist-'))
        .map((f) => path.join(dir, f)),
    );
  }

  async stop(): Promise<void> {
    for (const worker of this.workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) {
        const exited = new Promise((resolve) => worker.child.once('exit', resolve));
        worker.child.kill('SIGTERM');
        // A worker that does not stop within 20 s is killed (the timer must not keep jest alive).
        const timer = setTimeout(() => worker.child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
    }
    await this.connection?.close().catch(() => undefined);
    await Promise.all([this.temporal?.stop(), this.pg?.stop()]);
    for (const repo of this.repos) rmSync(repo, { recursive: true, force: true });
    rmSync(this.scratch, { recursive: true, force: true });
    console.log(`timeline of ${this.taskQueue}:\n  ${this.timeline.join('\n  ')}`);
  }
}
