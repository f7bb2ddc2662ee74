/**
 * The process runner under pytest and mypy: a cancellation or a timeout kills the whole process
 * group (pytest can start workers of its own), heartbeats come while it runs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from '../../src/python/run-process';

jest.setTimeout(60_000);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'run-process-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A shell whose background child writes its pid, then waits: a grandchild of the runner. */
function script(pidFile: string): string[] {
  return ['-c', `sleep 30 & echo $! > ${pidFile}; wait`];
}

describe('runProcess', () => {
  it('kills the whole process group when the signal aborts, and rejects with its reason', async () => {
    const pidFile = path.join(dir, 'pid');
    const controller = new AbortController();
    const running = runProcess('sh', script(pidFile), { cwd: dir, signal: controller.signal });
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(grandchild)).toBe(true);
    controller.abort(new Error('stop now'));
    await expect(running).rejects.toThrow('stop now');
    await until(() => !alive(grandchild));
  });

  it('kills the group at the timeout and says it timed out', async () => {
    const pidFile = path.join(dir, 'pid');
    const outcome = await runProcess('sh', script(pidFile), { cwd: dir, timeoutMs: 500 });
    expect(outcome.timedOut).toBe(true);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await until(() => !alive(grandchild));
  });

  it('heartbeats while the process runs and returns its output and exit code', async () => {
    const beats: unknown[] = [];
    const outcome = await runProcess('sh', ['-c', 'sleep 0.5; echo done; exit 3'], {
      cwd: dir,
      heartbeat: (d) => beats.push(d),
      heartbeatIntervalMs: 100,
      label: 'pytest',
    });
    expect(outcome).toMatchObject({ exitCode: 3, stdout: 'done\n', timedOut: false });
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats[0]).toMatchObject({ step: 'pytest' });
  });

  it('rejects at once when the signal was already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(runProcess('sh', ['-c', 'true'], { cwd: dir, signal: controller.signal })).rejects.toThrow(
      'too late',
    );
  });
});
