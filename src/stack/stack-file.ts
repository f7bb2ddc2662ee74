/**
 * `<dataDir>/stack.json`: written by `specialist dev` while its stack is up, so other commands
 * (`run`, `memory`, `doctor`) use that stack instead of starting their own.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface StackFile {
  /** The `specialist dev` process; the file is ignored when it is gone. */
  pid: number;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  uiUrl?: string;
  databaseUrl: string;
  /** Pids of the processes it started (supervisors of the servers). */
  pids: { temporal?: number; postgres?: number };
  startedAt: string;
}

export function stackFilePath(dataDir: string): string {
  return path.join(dataDir, 'stack.json');
}

export function writeStackFile(dataDir: string, stack: StackFile): void {
  const file = stackFilePath(dataDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(stack, null, 2) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

export function removeStackFile(dataDir: string): void {
  rmSync(stackFilePath(dataDir), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // After a crash the pid may have been reused by an unrelated process: on Linux, check its command.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('specialist');
  } catch {
    return true; // No /proc (macOS): trust the pid.
  }
}

/** The running `specialist dev` stack of this data folder, or undefined (no file, or its process is gone). */
export function readStackFile(dataDir: string): StackFile | undefined {
  let stack: StackFile;
  try {
    stack = JSON.parse(readFileSync(stackFilePath(dataDir), 'utf8')) as StackFile;
  } catch {
    return undefined;
  }
  if (typeof stack.pid !== 'number' || !alive(stack.pid)) {
    removeStackFile(dataDir); // Left by a `specialist dev` that was killed: it misleads nobody again.
    return undefined;
  }
  return stack;
}
