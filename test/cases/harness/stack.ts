/**
 * One stack for a test file (Temporal dev server + PostgreSQL) and `specialist worker` processes on
 * it, each on its own task queue with a HOME of its own that looks like a user's. The worker is the
 * process that runs pytest, probes and generated tests, so its HOME is where a run could write.
 * Commands go through the built CLI, as a user types them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { PROJECT_ROOT } from '../../../src/python/interpreter';
import type { RunningPostgres } from '../../../src/stack/embedded-postgres';
import { startTestPostgres } from '../../helpers/postgres';
import { startTestTemporal } from '../../helpers/temporal';
import { exec } from './case-repo';

export const BIN = path.join(PROJECT_ROOT, 'bin', 'specialist.js');

/** A worker process on its own task queue, with a HOME of its own. */
export interface Lane {
  queue: string;
  home: string;
  data: string;
  worker: ChildProcess;
  exited: Promise<unknown>;
}

export interface TestStack {
  temporal: TestWorkflowEnvironment;
  pg: RunningPostgres;
  /** Environment of a CLI or worker process using `lane`, with `home` as its HOME. */
  env(lane: Lane, home: string): NodeJS.ProcessEnv;
  startLane(dir: string, queue: string): Promise<Lane>;
  /** Runs the built CLI to completion (cwd: this checkout). */
  cli(lane: Lane, home: string, args: string[], timeoutMs?: number): ReturnType<typeof exec>;
  stop(): Promise<void>;
}

/** A user's HOME: a few settings files, so that a change to any of them shows. */
export function userHome(dir: string): string {
  mkdirSync(path.join(dir, '.config', 'editor'), { recursive: true });
  writeFileSync(path.join(dir, '.profile'), 'export EDITOR=vi\n');
  writeFileSync(path.join(dir, '.config', 'editor', 'settings.toml'), 'theme = "dark"\n');
  return dir;
}

export function requireBuiltCli(): void {
  if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'client', 'cli.js')))
    throw new Error('the CLI is not built: run `npm run build` first');
}

export async function startTestStack(): Promise<TestStack> {
  requireBuiltCli();
  const [temporal, pg] = await Promise.all([startTestTemporal(), startTestPostgres()]);
  const lanes: Lane[] = [];
  const env = (lane: Lane, home: string): NodeJS.ProcessEnv => ({
    ...process.env,
    HOME: home,
    NO_COLOR: '1',
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: lane.queue,
    DATABASE_URL: pg.url,
    SPECIALIST_HOME: lane.data,
    // The test projects' suites take seconds: a pytest that hangs (a known failure) is stopped after
    // 150 s rather than the default 10 minutes, to keep CI short.
    SPECIALIST_PYTEST_TIMEOUT: process.env.SPECIALIST_PYTEST_TIMEOUT ?? '150s',
  });
  const startLane = async (dir: string, queue: string): Promise<Lane> => {
    const lane = { queue, home: userHome(path.join(dir, 'home')), data: path.join(dir, 'data') } as Lane;
    mkdirSync(lane.data, { recursive: true });
    lane.worker = spawn(process.execPath, [BIN, 'worker'], {
      env: env(lane, lane.home),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    lane.exited = new Promise((resolve) => lane.worker.once('exit', resolve));
    lanes.push(lane);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      lane.worker.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('worker polling')) resolve();
      });
      lane.worker.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      void lane.exited.then((code) =>
        reject(new Error(`worker ${queue} exited (${String(code)}):\n${output}`)),
      );
    });
    return lane;
  };
  return {
    temporal,
    pg,
    env,
    startLane,
    cli: (lane, home, args, timeoutMs = 900_000) =>
      exec(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: env(lane, home), timeoutMs }),
    stop: async () => {
      for (const lane of lanes) {
        lane.worker.kill('SIGTERM');
        await lane.exited;
      }
      await Promise.all([temporal.teardown(), pg.stop()]);
    },
  };
}
