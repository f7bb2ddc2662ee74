/**
 * What a worker process leaves behind if it is SIGKILLed: the process groups it started (pytest,
 * mypy, probes run detached so that a cancel can kill their whole tree — and so they outlive a killed
 * worker) and its temp folders. Each process that opens the ledger records them as small files under
 * `<data dir>/leftovers/<host>-<pid>-<start>/` while they exist; a worker that starts reaps the
 * folders of owners that are gone (same host, process no longer there or its pid reused): it kills
 * the recorded groups and removes the recorded temp folders. Synchronous on purpose: records are
 * written before a process can outlive us, and the exit handler cannot await.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ReapReport {
  /** Process groups killed (recorded by owners that are gone). */
  groups: number[];
  /** Temp folders removed. */
  tempDirs: string[];
  /** Owner folders cleared. */
  owners: string[];
}

interface GroupRecord {
  pgid: number;
  /** Start time of the group's leader (clock ticks since boot), to recognise a reused pid. */
  start?: string;
  label: string;
}

interface OwnerRecord {
  pid: number;
  start?: string;
  host: string;
}

/** Field 22 of /proc/<pid>/stat: when the process started; undefined without /proc or process. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields after the last ')' are fixed.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while the process that wrote `owner` still runs (not merely a new process with its pid). */
function ownerAlive(owner: OwnerRecord): boolean {
  if (owner.host !== os.hostname()) return true; // another host's worker: not ours to judge
  if (!alive(owner.pid)) return false;
  const start = processStart(owner.pid);
  return owner.start === undefined || start === undefined || start === owner.start;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function killGroup(record: GroupRecord): boolean {
  // A pid cannot be reused while a process group of that id still has members, so a group whose
  // leader is gone is still the recorded one; a live leader with another start time is not.
  const leaderStart = processStart(record.pgid);
  if (leaderStart !== undefined && record.start !== undefined && leaderStart !== record.start) return false;
  try {
    process.kill(-record.pgid, 'SIGKILL');
    return true;
  } catch {
    return false; // already gone
  }
}

/** Only our own temp folders, whatever a damaged record says. */
function isOurTempDir(dir: unknown): dir is string {
  return typeof dir === 'string' && path.isAbsolute(dir) && path.basename(dir).startsWith('specialist-');
}

export function leftoversRoot(dataDir: string): string {
  return path.join(dataDir, 'leftovers');
}

/** Kills the groups and removes the temp folders recorded by owners that are gone. */
export function reapLeftovers(dataDir: string): ReapReport {
  const report: ReapReport = { groups: [], tempDirs: [], owners: [] };
  const root = leftoversRoot(dataDir);
  let owners: string[];
  try {
    owners = readdirSync(root);
  } catch {
    return report;
  }
  for (const name of owners) {
    const dir = path.join(root, name);
    const owner = readJson<OwnerRecord>(path.join(dir, 'owner.json'));
    if (owner && ownerAlive(owner)) continue;
    let files: string[] = [];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    for (const file of files) {
      if (file.startsWith('group-')) {
        const record = readJson<GroupRecord>(path.join(dir, file));
        if (record && Number.isInteger(record.pgid) && record.pgid > 1 && killGroup(record))
          report.groups.push(record.pgid);
      } else if (file.startsWith('temp-')) {
        const record = readJson<{ path?: unknown }>(path.join(dir, file));
        if (record && isOurTempDir(record.path) && existsSync(record.path)) {
          rmSync(record.path, { recursive: true, force: true });
          report.tempDirs.push(record.path);
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
    report.owners.push(name);
  }
  return report;
}

/** The records of this process; `record*` return the function that removes the record again. */
export class LeftoverLedger {
  readonly dir: string;
  private seq = 0;

  constructor(readonly dataDir: string) {
    const start = processStart(process.pid);
    this.dir = path.join(
      leftoversRoot(dataDir),
      `${os.hostname().replace(/[^A-Za-z0-9_.-]+/g, '_')}-${process.pid}-${start ?? 'x'}`,
    );
    mkdirSync(this.dir, { recursive: true });
    const owner: OwnerRecord = { pid: process.pid, host: os.hostname(), ...(start ? { start } : {}) };
    writeFileSync(path.join(this.dir, 'owner.json'), JSON.stringify(owner));
  }

  recordGroup(pgid: number, label: string): () => void {
    const start = processStart(pgid);
    const record: GroupRecord = { pgid, label, ...(start ? { start } : {}) };
    return this.write(`group-${pgid}.json`, record);
  }

  recordTempDir(dir: string): () => void {
    return this.write(`temp-${path.basename(dir)}-${++this.seq}.json`, { path: dir });
  }

  /** On a normal exit: nothing of ours is left to reap. */
  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private write(name: string, record: object): () => void {
    const file = path.join(this.dir, name);
    try {
      // The folder may have been removed by a test or a person: recreate it rather than lose the record.
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(file, JSON.stringify(record));
    } catch {
      return () => undefined; // a ledger that cannot be written must not stop the work itself
    }
    return () => rmSync(file, { force: true });
  }
}

let active: LeftoverLedger | undefined;

/**
 * Reaps what dead owners of `dataDir` left, then records this process's groups and temp folders there
 * (from now on, until exit). Called by every worker at start; a second call for the same folder only reaps.
 */
export function openLeftoverLedger(dataDir: string): ReapReport {
  const report = reapLeftovers(dataDir);
  if (!active || active.dataDir !== path.resolve(dataDir)) {
    active?.close();
    active = new LeftoverLedger(path.resolve(dataDir));
    process.once('exit', () => active?.close());
  }
  return report;
}

/** The ledger of this process, when a worker opened one (the CLI's own steps do not record). */
export function activeLedger(): LeftoverLedger | undefined {
  return active;
}
