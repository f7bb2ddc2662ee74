/**
 * What `status` and `list` show for a cancelled run, and for a run closed without its code saying so
 * (terminated): never "running" forever.
 */
import { closedStatus, listedStatus } from '../../src/client/commands/run';
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
