/**
 * The baseline (docs/testing-phase.md, The baseline): the project's own pytest suite, run once on the
 * base commit before any phase, through the same runner as phase 6 (`runPytest`: our exit plugin, no
 * cache folders, the workspace's source first on the import path) but without coverage. Its failing
 * tests are "already failing on the base": the run stops on them at once instead of after five
 * committed phases, and phase 6 judges only new failures. Cached by tree id and interpreter.
 * Free of Temporal: the activity passes its heartbeat and cancellation signal in.
 */
import { ERROR_TYPES, SpecialistError } from '../errors';
import { runPytest } from '../validation/pytest-runner';
import {
  baselineCacheKey,
  fingerprintInterpreter,
  readBaselineCache,
  writeBaselineCache,
} from './baseline-cache';
import type { BaselineResult } from './baseline-result';
import { FAILURE_LIMITS, failureSummaries, isFailing } from '../validation/failing-cases';

export interface BaselineOptions {
  python: string;
  /** A checkout of exactly `commit` (the run's worktree before phase 1). */
  root: string;
  commit: string;
  tree: string;
  /**
   * Folders put first on the import path (the workspace's source root, pytest's `pythonpath`). Asked
   * only when pytest runs: finding them parses the workspace, which a cache hit does not need.
   */
  pythonPath: () => Promise<string[]>;
  /** Where results are cached; undefined disables the cache. */
  cacheDir?: string;
  /** Run pytest even when the cache has an answer (a person said something changed). */
  fresh?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  heartbeat?: (detail: unknown) => void;
}

export async function runBaseline(options: BaselineOptions): Promise<BaselineResult> {
  const beat = (step: string) => options.heartbeat?.({ step: `baseline: ${step}` });
  beat('interpreter');
  const interpreter = await fingerprintInterpreter(options.python, options.root, options.signal).catch(
    (err: unknown) => {
      if (options.signal?.aborted) throw err;
      throw new SpecialistError(ERROR_TYPES.workspaceInvalid, (err as Error).message, {
        python: options.python,
      });
    },
  );
  const key = baselineCacheKey(options.tree, interpreter);
  if (options.cacheDir && !options.fresh) {
    const hit = await readBaselineCache<BaselineResult>(options.cacheDir, key);
    if (hit && hit.tree === options.tree) return { ...hit, commit: options.commit, cached: true };
  }
  beat('import path');
  const pythonPath = await options.pythonPath();
  beat('pytest');
  const run = await runPytest({
    python: options.python,
    root: options.root,
    covPackages: [],
    pythonPath,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    heartbeat: options.heartbeat,
  });
  const at = `on the base commit ${options.commit.slice(0, 12)}`;
  if (run.timedOut)
    throw new SpecialistError(
      ERROR_TYPES.testsFailed,
      `the project's own tests did not finish within the timeout ${at} (${run.durationMs} ms)`,
      { timedOut: true, outputTail: run.outputTail },
    );
  if (!run.junit)
    throw new SpecialistError(
      ERROR_TYPES.testsFailed,
      `pytest wrote no report ${at} (exit ${String(run.exitCode)}): ${run.outputTail}`,
      { exitCode: run.exitCode, outputTail: run.outputTail },
    );
  const failingCases = run.junit.cases.filter(isFailing);
  // Exit 0 = all passed, 5 = no tests at all: a base with nothing to break. Any other status with no
  // failing test named (a usage error, an internal error) cannot be accepted test by test: fail closed.
  if (failingCases.length === 0 && run.exitCode !== 0 && run.exitCode !== 5)
    throw new SpecialistError(
      ERROR_TYPES.testsFailed,
      `pytest ended with exit ${String(run.exitCode)} ${at} without naming a failing test: ${run.outputTail
        .split('\n')
        .slice(-5)
        .join(' ')}`,
      { exitCode: run.exitCode, outputTail: run.outputTail },
    );
  const result: BaselineResult = {
    commit: options.commit,
    tree: options.tree,
    interpreter: interpreter.executable,
    cached: false,
    passed: run.junit.passed,
    failed: run.junit.failed,
    errors: run.junit.errors,
    skipped: run.junit.skipped,
    failing: failingCases.slice(0, FAILURE_LIMITS.ids).map((c) => c.id),
    truncated: failingCases.length > FAILURE_LIMITS.ids,
    failures: failureSummaries(failingCases),
    exitCode: run.exitCode,
    outputTail: run.outputTail.slice(-4_000),
  };
  if (options.cacheDir) await writeBaselineCache(options.cacheDir, key, result);
  return result;
}
