/**
 * The activity side of the failure model (docs/durable-run.md, Failures): a `SpecialistError` (deterministic: the spec, the codebase, the
 * tests) becomes a non-retryable `ApplicationFailure` of the same type with its message; anything else
 * is thrown as is and left to the retry policy.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { SpecialistError } from '../errors';
import { SpecError } from '../spec/feature-spec';

/** Failure details travel in the history: keep them well below the payload limit. */
const MAX_DETAIL_BYTES = 64 * 1024;

export async function asActivity<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toFailure(err);
  }
}

export function toFailure(err: unknown): unknown {
  if (err instanceof SpecialistError) {
    const details = JSON.stringify(err.details ?? {});
    return ApplicationFailure.create({
      type: err.type,
      message: err.message,
      nonRetryable: true,
      details: details.length <= MAX_DETAIL_BYTES ? [err.details] : [],
    });
  }
  if (err instanceof SpecError) {
    return ApplicationFailure.create({
      type: 'SpecInvalid',
      message: err.message,
      nonRetryable: true,
      details: [{ problems: err.problems }],
    });
  }
  return err;
}
