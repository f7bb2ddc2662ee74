/**
 * What the baseline step measured: the project's own suite on the base commit, before any change.
 * Types only: the workflow keeps this (it crosses the workflow boundary), so it stays small — ids of
 * failing tests, the first messages, counts.
 */
import type { TestFailure } from '../phases/contract';

export interface BaselineResult {
  /** The base commit the suite ran on, and its tree id (the cache key's first half). */
  commit: string;
  tree: string;
  /** The interpreter that ran it (`sys.executable`). */
  interpreter: string;
  /** True when the result was read from the cache instead of running pytest. */
  cached: boolean;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  /** pytest node ids of every failing or erroring test (at most `FAILURE_LIMITS.ids`). */
  failing: string[];
  /** True when more tests failed than `failing` holds. */
  truncated: boolean;
  /** The first failures with the error text. */
  failures: TestFailure[];
  exitCode: number | null;
  /** The end of pytest's output (for a failing base: what a person reads first). */
  outputTail: string;
  /** The repository's HEAD when measured, if it is not `commit` (then `retry --rebase` would move onto it). */
  repositoryHead?: string;
}
