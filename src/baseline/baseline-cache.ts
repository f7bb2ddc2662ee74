/**
 * The baseline's cache (docs/testing-phase.md, The baseline): the project's own suite on a base commit
 * gives the same answer for the same tree and the same interpreter, so its result is kept in the data
 * folder under a key made of both. A second run of another feature on the same base reads it instead of
 * running pytest again. Results that could not be measured (timeouts, no report) are never stored.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from '../python/run-process';

/** Bumped when what a cached result means changes (how pytest is run, what is recorded). */
export const BASELINE_CACHE_VERSION = 1;

/** What identifies an interpreter for the cache: its path, version and installed packages' folder. */
export interface InterpreterFingerprint {
  executable: string;
  version: string;
  /** Modification time of site-packages: installing or removing a package changes it. */
  packagesMtimeMs: number;
}

const FINGERPRINT_SCRIPT = [
  'import sys, sysconfig',
  'print(sys.executable)',
  'print(sys.version.replace(chr(10), " "))',
  'print(sysconfig.get_paths()["purelib"])',
].join('\n');

/** Asks the interpreter who it is; a Python that cannot answer is a WorkspaceInvalid from runProcess's caller. */
export async function fingerprintInterpreter(
  python: string,
  cwd: string,
  signal?: AbortSignal,
): Promise<InterpreterFingerprint> {
  const outcome = await runProcess(python, ['-c', FINGERPRINT_SCRIPT], {
    cwd,
    timeoutMs: 60_000,
    signal,
    label: 'python',
  });
  const [executable, version, purelib] = outcome.stdout.trim().split('\n');
  if (outcome.exitCode !== 0 || !executable || !version || !purelib)
    throw new Error(
      `${python} did not describe itself (exit ${String(outcome.exitCode)}): ${outcome.stderr.trim().slice(-500)}`,
    );
  let packagesMtimeMs = 0;
  try {
    packagesMtimeMs = statSync(purelib).mtimeMs;
  } catch {
    // No site-packages folder: nothing installed there, which is itself a stable fact.
  }
  return { executable, version, packagesMtimeMs };
}

/** The cache key: hex digest of the version, the tree id and the interpreter. */
export function baselineCacheKey(tree: string, interpreter: InterpreterFingerprint): string {
  return createHash('sha256')
    .update(JSON.stringify({ v: BASELINE_CACHE_VERSION, tree, interpreter }))
    .digest('hex')
    .slice(0, 32);
}

export function baselineCacheFile(dir: string, key: string): string {
  return path.join(dir, `${key}.json`);
}

/** The stored value, or undefined when absent or unreadable (then the suite simply runs again). */
export async function readBaselineCache<T>(dir: string, key: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(baselineCacheFile(dir, key), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Writes atomically (temp file + rename): two runs on the same base may finish together. */
export async function writeBaselineCache(dir: string, key: string, value: unknown): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = baselineCacheFile(dir, key);
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, JSON.stringify(value));
  await rename(temp, file);
}
