/**
 * The worker's own task queue (docs/durable-run.md, Several workers) is stable for a data folder: a
 * worker restarted on the same folder polls the same queue and so gets its runs' steps again; another
 * folder gets another queue.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ownTaskQueue, workerId } from '../../src/worker/worker-queue';
import { WORKER_BACK_TIMEOUT, workerBackTimeout } from '../../src/workflows/worktree-worker';

describe('the worker’s own task queue', () => {
  const folders: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'worker-queue-'));
    folders.push(dir);
    return dir;
  };
  afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('is made once per data folder and read back by every later worker of it', () => {
    const dir = folder();
    const first = ownTaskQueue('specialist', dir);
    expect(first).toMatch(/^specialist\/worker-[0-9a-f]{16}$/);
    expect(ownTaskQueue('specialist', dir)).toBe(first);
    expect(readFileSync(path.join(dir, 'worker-id'), 'utf8').trim()).toBe(first.split('-').pop());
    expect(ownTaskQueue('specialist', folder())).not.toBe(first);
  });

  it('creates the data folder when it is missing', () => {
    const dir = path.join(folder(), 'not', 'yet');
    expect(workerId(dir)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('refuses a damaged id file, naming it, instead of taking another queue', () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'worker-id'), 'garbage\n');
    expect(() => workerId(dir)).toThrow(/worker-id holds "garbage", not a worker id/);
  });
});

it('asks a lost worker whether it is back for 30 s, or the run’s worker timeout when shorter', () => {
  expect(workerBackTimeout('5 minutes')).toBe(WORKER_BACK_TIMEOUT);
  expect(workerBackTimeout('300s')).toBe(WORKER_BACK_TIMEOUT);
  expect(workerBackTimeout('10s')).toBe('10s');
  expect(WORKER_BACK_TIMEOUT).toBe('30 seconds');
});
