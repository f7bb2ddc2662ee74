/**
 * The few timeout/retry presets every activity call uses (no literals at call sites).
 * Deterministic errors (every type in src/errors.ts) are never retried: the run asks a person instead.
 * A cancelled run waits for the running activity to acknowledge the cancel (it kills its processes
 * and never commits after it) before its clean-up touches the worktree and the branch.
 */
import { ActivityCancellationType, type ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_ERROR_TYPES } from '../errors';

const cancellationType = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;

const nonRetryableErrorTypes = [...NON_RETRYABLE_ERROR_TYPES];

export const ACTIVITY_PRESETS = {
  /** Memory reads/writes and small git steps: quick, retried often (the database may restart). */
  quick: {
    startToCloseTimeout: '1 minute',
    cancellationType,
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      maximumAttempts: 10,
      nonRetryableErrorTypes,
    },
  },
  /** Reading and editing the codebase: parsing can take a while on a big repo; heartbeats show life. */
  codemod: {
    startToCloseTimeout: '10 minutes',
    cancellationType,
    heartbeatTimeout: '1 minute',
    retry: {
      initialInterval: '2s',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: 5,
      nonRetryableErrorTypes,
    },
  },
  /** Phase 6 runs the whole pytest suite and mypy. */
  testing: {
    startToCloseTimeout: '45 minutes',
    cancellationType,
    heartbeatTimeout: '2 minutes',
    retry: {
      initialInterval: '5s',
      backoffCoefficient: 2,
      maximumInterval: '2 minutes',
      maximumAttempts: 3,
      nonRetryableErrorTypes,
    },
  },
} satisfies Record<string, ActivityOptions>;

export type ActivityPreset = keyof typeof ACTIVITY_PRESETS;
