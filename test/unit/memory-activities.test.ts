import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { createMemoryActivities, idempotencyKeyFor } from '../../src/activities/memory-activities';

function environment(workflowId: string) {
  return new MockActivityEnvironment({
    workflowExecution: { workflowId, runId: '7d0c1e2f-run' },
    activityId: '3',
    activityType: 'memoryUpdate',
  });
}

/** `idempotencyKeyFor` as an activity (the mock environment runs async functions). */
const keyOf = async (input: { idempotencyKey?: string }) => idempotencyKeyFor(input);

describe('memory activity idempotency keys', () => {
  it('derive from workflow id, run id and activity id, the same on every retry of one scheduled activity', async () => {
    expect(await environment('feature-task-summary-ab12').run(keyOf, {})).toBe(
      'feature-task-summary-ab12:7d0c1e2f-run:3',
    );
  });

  it('take the key the input gives (e.g. workflow id + phase) as it is', async () => {
    expect(await environment('wf').run(keyOf, { idempotencyKey: 'wf:record_summary' })).toBe(
      'wf:record_summary',
    );
  });

  it('hash workflow ids the key alphabet does not allow', async () => {
    const key = await environment('feature with spaces & ünïcode').run(keyOf, {});
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await environment('feature with spaces & ünïcode').run(keyOf, {})).toBe(key);
  });
});

describe('memory activity failures', () => {
  // Validation happens before any SQL: no database needed.
  const activities = createMemoryActivities({ pool: {} as Pool });

  it('turn invalid input into a non-retryable ApplicationFailure of type MemoryInvalid', async () => {
    const err = await environment('wf')
      .run(activities.memoryGet, { namespace: 'task::x', key: 'k' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'MemoryInvalid', nonRetryable: true });
    expect((err as ApplicationFailure).message).toContain('namespace must be');
  });
});
