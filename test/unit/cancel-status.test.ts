/**
 * What `status` and `list` show for a cancelled run, and for a run closed without its code saying so
 * (terminated): never "running" forever.
 */
import { closedStatus, listedStatus } from '../../src/client/commands/run';
import { endedRunMessage } from '../../src/client/commands/ended-run';
import { SPECIALIST_STATUS } from '../../src/stack/search-attributes';
import { renderCancelled } from '../../src/client/progress/progress-view';
import type { RunProgress } from '../../src/workflows/run-types';

const progress = (status: RunProgress['status'], extra: Partial<RunProgress> = {}): RunProgress => ({
  workflowId: 'feature-task-summary-1',
  feature: 'task-summary',
  status,
  delegate: false,
  preSteps: [],
  phases: [],
  ...extra,
});

describe('the status of a closed run', () => {
  it("lists the run's own status, or Temporal's when the run closed while it said it was open", () => {
    expect(listedStatus('RUNNING', 'waiting')).toBe('waiting');
    expect(listedStatus('RUNNING', undefined)).toBe('running');
    expect(listedStatus('CANCELLED', 'cancelled')).toBe('cancelled');
    expect(listedStatus('COMPLETED', 'failed')).toBe('failed');
    expect(listedStatus('CANCELLED', 'running')).toBe('cancelled');
    expect(listedStatus('TERMINATED', 'waiting')).toBe('terminated');
    expect(listedStatus('TERMINATED', undefined)).toBe('terminated');
  });

  it('corrects the progress `status` shows the same way', () => {
    expect(closedStatus('RUNNING', progress('running'))!.status).toBe('running');
    expect(closedStatus('CANCELLED', progress('cancelled'))!.status).toBe('cancelled');
    expect(closedStatus('TERMINATED', progress('running'))!.status).toBe('terminated');
    expect(closedStatus('CANCELLED', undefined)).toBeUndefined();
  });

  it('says what the clean-up of a cancelled run did', () => {
    const kept = renderCancelled(
      progress('cancelled', {
        cancelled: {
          step: 'testing_validation',
          branch: 'feature/task-summary',
          branchRemoved: false,
          headCommit: 'abcdef1234567890',
          worktreeRemoved: true,
          noteWritten: true,
          problems: [],
        },
      }),
    );
    expect(kept).toEqual([
      'run cancelled during testing validation: worktree removed; feature/task-summary keeps the phases completed before the cancel (at abcdef12); changes_summary (CANCELLED) written to memory',
    ]);
    const removed = renderCancelled(
      progress('cancelled', {
        cancelled: {
          step: 'domain_model',
          branch: 'feature/task-summary',
          branchRemoved: true,
          worktreeRemoved: false,
          noteWritten: false,
          problems: ['releaseWorkspace: disk full'],
        },
      }),
    );
    expect(removed[0]).toMatch(
      /the worktree could NOT be removed; no phase had completed, so the empty branch/,
    );
    expect(removed[1]).toMatch(/clean-up problem: releaseWorkspace: disk full/);
    expect(renderCancelled(progress('running'))).toEqual([]);
  });
});

describe('a decision for a run that has ended', () => {
  const ended = (temporal: string, own?: string) =>
    ({
      status: { name: temporal },
      typedSearchAttributes: {
        get: (key: { name: string }) => (key.name === SPECIALIST_STATUS.name ? own : undefined),
      },
    }) as unknown as Parameters<typeof endedRunMessage>[1];

  it('is one line: how the run ended, that there is nothing to do, where to look', () => {
    expect(endedRunMessage('feature-x-1', ended('COMPLETED', 'completed'), 'retry')).toBe(
      'feature-x-1 has ended (completed): there is nothing to retry; `specialist result feature-x-1` shows how it ended',
    );
    // A run that completed with skipped phases is FAILED in its own words.
    expect(endedRunMessage('feature-x-1', ended('COMPLETED', 'failed'), 'skip')).toMatch(
      /has ended \(failed\): there is nothing to skip/,
    );
    expect(endedRunMessage('feature-x-1', ended('TERMINATED', 'running'), 'abort')).toMatch(
      /has ended \(terminated\)/,
    );
  });
});
