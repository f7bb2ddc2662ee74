/**
 * Temp folders of the tool's own steps (pytest reports, mypy cache, probe scratch): created under the
 * system temp folder with a `specialist-` prefix, recorded in the worker's leftover ledger while they
 * exist (so a worker started after a SIGKILL removes them). Callers remove them in a `finally`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { activeLedger } from './leftover-ledger';

export interface TempDir {
  path: string;
  /** Removes the folder and its record; safe to call twice. */
  remove(): Promise<void>;
}

export async function makeTempDir(prefix: string): Promise<TempDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `specialist-${prefix}-`));
  const release = activeLedger()?.recordTempDir(dir);
  return {
    path: dir,
    remove: async () => {
      await rm(dir, { recursive: true, force: true });
      release?.();
    },
  };
}

/** `fn` with a temp folder that is removed on every path. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const temp = await makeTempDir(prefix);
  try {
    return await fn(temp.path);
  } finally {
    await temp.remove();
  }
}
