/**
 * The words of the baseline step (pure, used by the workflow): the waiting message of a base whose own
 * tests already fail, and the failure type the run waits with.
 */
import { headline } from '../validation/failure-headline';
import type { BaselineResult } from './baseline-result';

/** The type of the waiting reason when the base's own tests fail (accepting them is then possible). */
export const BASELINE_FAILING = 'BaselineFailing';

/** Ids with their first error line, then what to do (the commands are printed by the client). */
export function describeBaselineFailures(result: BaselineResult): string {
  const count = result.failed + result.errors;
  const shown = result.failures.slice(0, 10).map((f) => `${f.id}: ${headline(f.message)}`);
  const more = count > shown.length ? [`... and ${count - shown.length} more`] : [];
  const moved = result.repositoryHead
    ? [
        `The repository's HEAD is now ${result.repositoryHead.slice(0, 12)}: \`retry --rebase\` moves the run onto it.`,
      ]
    : [];
  // pytest's own last lines (the `-q` summary: FAILED lines and the counts), as a person would see them.
  const tail = result.outputTail
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-5);
  const output = tail.length > 0 ? ['pytest output (end):', ...tail.map((l) => `  ${l}`)] : [];
  return [
    `already failing on the base: ${count} test(s) of the project fail on the base commit ${result.commit.slice(0, 12)}, before any change${
      result.cached ? ' (cached result for this tree and interpreter)' : ''
    }:`,
    ...shown,
    ...more,
    ...output,
    ...moved,
  ].join('\n');
}
