/**
 * Reads the cause chain of a failure (`ChildWorkflowFailure` → `ActivityFailure` → `ApplicationFailure`)
 * down to the root cause: the error a person can act on (or a timeout after the retries ran out).
 */
import { ApplicationFailure, TemporalFailure } from '@temporalio/workflow';

export interface FailureInfo {
  type: string;
  message: string;
}

export function describeFailure(err: unknown): FailureInfo {
  let current: unknown = err;
  let deepest: FailureInfo | undefined;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current instanceof ApplicationFailure) {
      deepest = { type: current.type ?? 'Error', message: current.message };
    } else if (current instanceof TemporalFailure) {
      deepest = { type: current.name, message: current.message };
    }
    current = current instanceof Error ? (current as Error & { cause?: unknown }).cause : undefined;
  }
  if (deepest) return deepest;
  return { type: 'Error', message: err instanceof Error ? err.message : String(err) };
}
