/**
 * Phase 6's judgement of the whole suite (docs/testing-phase.md, The baseline): no new failure, and
 * every generated test passes. A failing test a person accepted as already failing on the base is not
 * new — unless it lives in a generated file, which must pass whatever the base did. Pure.
 */
import { isFailing } from '../validation/failing-cases';

export interface JudgedCase {
  id: string;
  file: string;
  outcome: 'passed' | 'failed' | 'error' | 'skipped';
}

export interface SuiteJudgement {
  /** Failing ids that fail the phase. */
  newFailures: string[];
  /** Failing ids that were accepted as already failing on the base. */
  baseFailures: string[];
  passed: boolean;
}

export function judgeFailures(input: {
  cases: readonly JudgedCase[];
  exitCode: number | null;
  knownFailures?: readonly string[];
  generatedFiles: readonly string[];
}): SuiteJudgement {
  const known = new Set(input.knownFailures ?? []);
  const generated = new Set(input.generatedFiles);
  const failing = input.cases.filter(isFailing);
  const isNew = (c: JudgedCase) => !known.has(c.id) || generated.has(c.file);
  const newFailures = failing.filter(isNew).map((c) => c.id);
  const baseFailures = failing.filter((c) => !isNew(c)).map((c) => c.id);
  // pytest exits 1 when a test fails: with only accepted base failures failing, that is expected. Any
  // other status (interrupted, usage error) fails closed.
  const passed =
    newFailures.length === 0 && (input.exitCode === 0 || (input.exitCode === 1 && baseFailures.length > 0));
  return { newFailures, baseFailures, passed };
}
