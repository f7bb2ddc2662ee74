/**
 * `specialist cancel ID` sends the cancel at once, on a client alone, and only then brings up a worker
 * for the clean-up where nothing else serves the run (a stack the command started itself).
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { cancelRun } from '../../src/client/commands/cancel';
import type { Session } from '../../src/client/commands/run-session';
import type { StackHandle } from '../../src/stack/ensure-stack';

/** A running run; where this command must start the worker, it is cancelled only once one runs. */
function fakeSession(source: StackHandle['source'], withWorkerStart: boolean) {
  const calls: string[] = [];
  let cancelled = false;
  const handle = {
    workflowId: 'feature-x-1',
    describe: () => {
      calls.push('describe');
      return Promise.resolve({ status: { name: cancelled ? 'CANCELLED' : 'RUNNING' } });
    },
    cancel: () => {
      calls.push('cancel');
      // Served elsewhere (dev, a `specialist worker`): the clean-up follows the cancel by itself.
      if (!withWorkerStart) cancelled = true;
      return Promise.resolve();
    },
    // No worker answers queries in this fake: the table is not needed to follow the clean-up.
    client: { connection: { withDeadline: () => Promise.reject(new Error('no worker')) } },
    result: () =>
      Promise.reject(
        new WorkflowFailedError('cancelled', new CancelledFailure('cancelled'), 'NON_RETRYABLE_FAILURE'),
      ),
  } as unknown as WorkflowHandle;
  const stack = {
    source,
    taskQueue: 'specialist',
    ...(withWorkerStart
      ? {
          startWorker: () => {
            calls.push('startWorker');
            cancelled = true;
            return Promise.resolve();
          },
        }
      : {}),
  } as unknown as StackHandle;
  const session = { stack, client: { workflow: { getHandle: () => handle } } } as unknown as Session;
  return { session, calls };
}

describe('specialist cancel', () => {
  let stderr: string;
  let write: jest.SpyInstance;
  beforeEach(() => {
    stderr = '';
    write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => write.mockRestore());

  it('on a stack it started: sends the cancel first, then starts a worker for the clean-up', async () => {
    const { session, calls } = fakeSession('started', true);
    expect(await cancelRun(session, 'feature-x-1')).toBe(0);
    expect(calls.slice(0, 3)).toEqual(['describe', 'cancel', 'startWorker']);
    expect(stderr).toMatch(/^cancelling feature-x-1: stopping its running step, then cleaning up \.\.\.\n/);
    expect(stderr).toMatch(/feature-x-1 cancelled/);
  });

  it('where `specialist dev` serves the run: no worker of its own', async () => {
    const { session, calls } = fakeSession('dev', false);
    expect(await cancelRun(session, 'feature-x-1')).toBe(0);
    expect(calls).not.toContain('startWorker');
  });

  it('with TEMPORAL_ADDRESS: says that a `specialist worker` does the clean-up', async () => {
    const { session } = fakeSession('environment', false);
    expect(await cancelRun(session, 'feature-x-1')).toBe(0);
    expect(stderr).toMatch(
      /no worker starts here: the clean-up runs while a `specialist worker` serves task queue specialist/,
    );
  });
});
