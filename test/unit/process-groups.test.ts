/**
 * The one helper that runs tools (`runProcess`) and the leftover ledger, with real processes: a cancel
 * kills the whole process group within seconds, nothing of a group outlives its leader, and a worker
 * that starts kills the groups and removes the temp folders recorded by a dead owner — never those of
 * a live one, and never a group whose id a new process reuses.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  activeLedger,
  leftoversRoot,
  openLeftoverLedger,
  processStart,
  reapLeftovers,
} from '../../src/process/leftover-ledger';
import { makeTempDir, withTempDir } from '../../src/process/temp-dir';
import { runningProcessGroups, runProcess } from '../../src/python/run-process';
import { isAlive } from '../helpers/processes';

jest.setTimeout(30_000);

/** True while any process of the group exists. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(predicate: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (predicate()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return predicate();
}

/** A detached `sh` whose child `sleep` is in the same group; returns the group id. */
function sleepingGroup(): number {
  const child = spawn('sh', ['-c', 'sleep 300 & wait'], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}

/** The pid of a process that has ended (an owner that is gone). */
function deadPid(): number {
  const done = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  return Number(done.stdout.trim());
}

describe('runProcess', () => {
  it('kills the whole process group within seconds of a cancel, and rejects with its reason', async () => {
    const controller = new AbortController();
    const marker = mkdtempSync(path.join(os.tmpdir(), 'specialist-test-'));
    try {
      const pidFile = path.join(marker, 'child.pid');
      const running = runProcess('sh', ['-c', `sleep 300 & echo $! > ${pidFile}; wait`], {
        cwd: marker,
        signal: controller.signal,
        label: 'sleeper',
      });
      expect(await until(() => existsSync(pidFile), 5_000)).toBe(true);
      const [pgid] = runningProcessGroups();
      expect(pgid).toBeDefined();
      expect(groupAlive(pgid!)).toBe(true);
      const reason = new Error('cancelled by the test');
      const started = Date.now();
      controller.abort(reason);
      await expect(running).rejects.toBe(reason);
      expect(await until(() => !groupAlive(pgid!), 5_000)).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(runningProcessGroups()).toEqual([]);
    } finally {
      rmSync(marker, { recursive: true, force: true });
    }
  });

  it('leaves nothing of the group behind when the leader exits on its own', async () => {
    const marker = mkdtempSync(path.join(os.tmpdir(), 'specialist-test-'));
    try {
      // The background sleep keeps stdout open: without the group kill, 'close' would never come.
      const outcome = await runProcess('sh', ['-c', 'sleep 300 & echo $!'], {
        cwd: marker,
        timeoutMs: 20_000,
      });
      expect(outcome.timedOut).toBe(false);
      const orphan = Number(outcome.stdout.trim());
      expect(await until(() => !isAlive(orphan), 5_000)).toBe(true);
    } finally {
      rmSync(marker, { recursive: true, force: true });
    }
  });

  it('heartbeats while the process runs (how an activity hears of a cancel)', async () => {
    const beats: unknown[] = [];
    await runProcess('sleep', ['1.5'], { cwd: os.tmpdir(), heartbeat: (d) => beats.push(d), label: 'sleep' });
    expect(beats.length).toBeGreaterThanOrEqual(1);
    expect(beats[0]).toMatchObject({ step: 'sleep' });
  });
});

describe('the leftover ledger', () => {
  let dataDir: string;
  const groups: number[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'specialist-ledger-test-'));
  });

  afterEach(() => {
    for (const pgid of groups.splice(0))
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone
      }
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Writes the records a worker with `owner` would have left. */
  const recordAs = (owner: { pid: number; start?: string; host?: string }, pgid: number, temp: string) => {
    const dir = path.join(leftoversRoot(dataDir), `test-${owner.pid}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'owner.json'), JSON.stringify({ host: os.hostname(), ...owner }));
    writeFileSync(
      path.join(dir, `group-${pgid}.json`),
      JSON.stringify({ pgid, start: processStart(pgid), label: 'pytest' }),
    );
    writeFileSync(path.join(dir, 'temp-x-1.json'), JSON.stringify({ path: temp }));
    return dir;
  };

  it("kills a dead owner's recorded process group and removes its temp folder", () => {
    const pgid = sleepingGroup();
    groups.push(pgid);
    const temp = mkdtempSync(path.join(os.tmpdir(), 'specialist-pytest-'));
    const dir = recordAs({ pid: deadPid() }, pgid, temp);
    expect(groupAlive(pgid)).toBe(true);
    const report = reapLeftovers(dataDir);
    expect(report.groups).toEqual([pgid]);
    expect(report.tempDirs).toEqual([temp]);
    expect(existsSync(temp)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    return until(() => !groupAlive(pgid), 5_000).then((gone) => expect(gone).toBe(true));
  });

  it('leaves the records of a live owner alone', () => {
    const pgid = sleepingGroup();
    groups.push(pgid);
    const temp = mkdtempSync(path.join(os.tmpdir(), 'specialist-pytest-'));
    try {
      recordAs({ pid: process.pid, start: processStart(process.pid) }, pgid, temp);
      expect(reapLeftovers(dataDir)).toEqual({ groups: [], tempDirs: [], owners: [] });
      expect(groupAlive(pgid)).toBe(true);
      expect(existsSync(temp)).toBe(true);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });

  it('treats an owner whose pid now belongs to another process as gone', () => {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'specialist-pytest-'));
    const pgid = sleepingGroup();
    groups.push(pgid);
    recordAs({ pid: process.pid, start: '1' }, pgid, temp);
    expect(reapLeftovers(dataDir).groups).toEqual([pgid]);
  });

  it('never kills a group whose id was reused by a new process (start time differs)', () => {
    const pgid = sleepingGroup();
    groups.push(pgid);
    const dir = path.join(leftoversRoot(dataDir), 'test-reused');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'owner.json'), JSON.stringify({ pid: deadPid(), host: os.hostname() }));
    writeFileSync(path.join(dir, `group-${pgid}.json`), JSON.stringify({ pgid, start: '1', label: 'old' }));
    expect(reapLeftovers(dataDir).groups).toEqual([]);
    expect(groupAlive(pgid)).toBe(true);
  });

  it('never removes a folder a damaged record names outside our temp folders', () => {
    const precious = mkdtempSync(path.join(os.tmpdir(), 'precious-'));
    try {
      const dir = path.join(leftoversRoot(dataDir), 'test-damaged');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'owner.json'), JSON.stringify({ pid: deadPid(), host: os.hostname() }));
      writeFileSync(path.join(dir, 'temp-y-1.json'), JSON.stringify({ path: precious }));
      expect(reapLeftovers(dataDir).tempDirs).toEqual([]);
      expect(existsSync(precious)).toBe(true);
    } finally {
      rmSync(precious, { recursive: true, force: true });
    }
  });

  it('records the groups and temp folders of this process while they exist, once opened', async () => {
    openLeftoverLedger(dataDir);
    const ledger = activeLedger()!;
    expect(ledger.dir.startsWith(leftoversRoot(dataDir))).toBe(true);
    const records = () => readdirSync(ledger.dir).filter((f) => f !== 'owner.json');
    const temp = await makeTempDir('pytest');
    expect(records()).toEqual([expect.stringMatching(/^temp-specialist-pytest-/)]);
    await temp.remove();
    expect(existsSync(temp.path)).toBe(false);
    expect(records()).toEqual([]);
    const seen: string[][] = [];
    await withTempDir('probe', async (dir) => {
      await runProcess('sh', ['-c', 'sleep 0.3'], { cwd: dir });
      seen.push(records());
    });
    // While the process ran, its group was recorded; the records are gone once both ended.
    expect(records()).toEqual([]);
    const during: string[] = [];
    const running = runProcess('sh', ['-c', 'sleep 1'], { cwd: os.tmpdir() });
    await new Promise((r) => setTimeout(r, 200));
    during.push(...records());
    await running;
    expect(during).toEqual([expect.stringMatching(/^group-\d+\.json$/)]);
    expect(records()).toEqual([]);
    // A live owner's folder survives another worker's start.
    expect(reapLeftovers(dataDir).owners).toEqual([]);
    ledger.close();
  });
});
