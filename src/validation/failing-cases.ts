/**
 * What a suite's failing tests become in a result that crosses the workflow boundary: the baseline and
 * phase 6 keep the same shape under the same caps (a broken base can fail thousands of tests, and
 * Temporal payloads are small).
 */
import type { TestFailure } from '../phases/contract';
import type { TestOutcome } from './junit-report';

/** Failures kept with their error text, the length of each text, failing ids kept. */
export const FAILURE_LIMITS = { failures: 50, message: 2_000, ids: 1_000 } as const;

export function isFailing(c: { outcome: TestOutcome }): boolean {
  return c.outcome === 'failed' || c.outcome === 'error';
}

/** The first failures with their (truncated) error text, in the order given. */
export function failureSummaries(
  cases: readonly { id: string; outcome: TestOutcome; message?: string }[],
): TestFailure[] {
  return cases
    .slice(0, FAILURE_LIMITS.failures)
    .map((c) => ({ id: c.id, message: (c.message ?? c.outcome).slice(0, FAILURE_LIMITS.message) }));
}
