/**
 * Honest outcomes on the client side: `skip` is offered only where it can help (never the analysis),
 * and a completed run whose deliverable says FAILED (phases skipped) exits 1, naming the skipped phases.
 */
import { buildDeliverable, type Deliverable } from '../../src/deliverable';
import { reportOutcome } from '../../src/client/commands/run-session';
import { renderWaiting } from '../../src/client/progress/progress-view';
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import { skipRefusal } from '../../src/workflows/definitions';
import { RunTracker } from '../../src/workflows/run-tracker';
import type { PhaseProgress, RunProgress, StepName } from '../../src/workflows/run-types';

const spec = parseFeatureSpec({
  feature: 'task-summary',
  data_models: { changes: [{ model: 'Task', field: 'summary', type: 'str', nullable: true }] },
});

function waitingOn(step: StepName, phaseNumber?: number): RunProgress {
  return {
    workflowId: 'feature-task-summary-1',
    feature: 'task-summary',
    status: 'waiting',
    delegate: false,
    preSteps: [],
    phases: [],
    waiting: {
      step,
      type: 'AnchorNotFound',
      message: 'no tool task_submit',
      ...(phaseNumber ? { phaseNumber } : {}),
    },
  };
}

function deliverable(states: PhaseProgress['state'][]): Deliverable {
  const names = [
    'domain_model',
    'database_migration',
    'service_layer',
    'api_layer',
    'serialization',
    'testing_validation',
  ] as const;
  return buildDeliverable({
    spec,
    workflowId: 'feature-task-summary-1',
    techSpecTaskId: 'spec-1',
    taskId: 'feature-task-summary-1',
    branch: 'feature/task-summary',
    baseCommit: '0'.repeat(40),
    delegate: false,
    outcome: 'completed',
    phases: names.map((name, i) => ({
      number: i + 1,
      name,
      state: states[i]!,
      executedBy: 'python-backend-specialist',
      attempts: 1,
    })),
    results: {},
  });
}

function capture(run: () => number): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    out.push(String(c));
    return true;
  });
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
    err.push(String(c));
    return true;
  });
  try {
    return { code: run(), out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('where skip is offered', () => {
  it('refuses the steps nothing can run without, with a reason', () => {
    expect(skipRefusal('analyze_codebase')).toMatch(
      /cannot be skipped: every phase edits what the analysis finds/,
    );
    expect(skipRefusal('load_context')).toMatch(/cannot be skipped/);
    expect(skipRefusal('prepare_workspace')).toMatch(/cannot be skipped/);
    expect(skipRefusal('serialization')).toBeUndefined();
    expect(skipRefusal('record_summary')).toBeUndefined();
  });

  it('does not print skip for the analysis, and prints it (with its consequence) for a phase', () => {
    const analysis = renderWaiting(waitingOn('analyze_codebase')).join('\n');
    expect(analysis).toContain('specialist retry feature-task-summary-1');
    expect(analysis).toContain('specialist abort feature-task-summary-1');
    expect(analysis).not.toContain('specialist skip');
    const phase = renderWaiting(waitingOn('serialization', 5)).join('\n');
    expect(phase).toMatch(/specialist skip feature-task-summary-1 +\(the run then ends FAILED\)/);
  });

  it('offers retry and abort, never skip, when the worker holding the worktree is gone', () => {
    const lost = {
      type: 'WorkerLost',
      message:
        "the worker holding this run's worktree (task queue q/worker-1) did not take api_layer within 5 minutes",
    };
    const progress = {
      ...waitingOn('api_layer', 4),
      waiting: { step: 'api_layer' as const, phaseNumber: 4, ...lost },
    };
    const text = renderWaiting(progress).join('\n');
    expect(text).toContain('task queue q/worker-1');
    expect(text).toMatch(
      /specialist retry feature-task-summary-1 +\(a new worktree from the base on any worker; every phase again\)/,
    );
    expect(text).toContain('specialist abort feature-task-summary-1');
    expect(text).not.toContain('specialist skip');
    const tracker = new RunTracker('feature-task-summary-1', 'task-summary', false);
    tracker.markWaiting('api_layer', lost, 4);
    expect(tracker.currentDetails()).not.toContain('specialist skip');
  });

  it('does not offer skip for the analysis in the UI details either', () => {
    const tracker = new RunTracker('feature-task-summary-1', 'task-summary', false);
    tracker.markWaiting('analyze_codebase', { type: 'AnchorNotFound', message: 'no tool' });
    expect(tracker.currentDetails()).not.toContain('specialist skip');
    tracker.markWaiting('api_layer', { type: 'AnchorNotFound', message: 'no tool' }, 4);
    expect(tracker.currentDetails()).toContain('specialist skip feature-task-summary-1');
  });
});

describe('the exit code of a completed run', () => {
  it('is 0 for SUCCESS', () => {
    const d = deliverable(Array(6).fill('completed'));
    const { code, err } = capture(() => reportOutcome({ kind: 'completed', deliverable: d }, false));
    expect(code).toBe(0);
    expect(err).toMatch(/SUCCESS: 6 of 6 phases/);
  });

  it('is 1 for a run with skipped phases, which are named (also with --json)', () => {
    const d = deliverable(['completed', 'completed', 'completed', 'completed', 'skipped', 'skipped']);
    for (const json of [false, true]) {
      const { code, out, err } = capture(() => reportOutcome({ kind: 'completed', deliverable: d }, json));
      expect(code).toBe(1);
      expect((JSON.parse(out) as Deliverable).execution_status.status).toBe('FAILED');
      expect(err).toMatch(/skipped by a person: serialization \(phase 5\), testing_validation \(phase 6\)/);
    }
  });

  it('is 1 when every failed phase was skipped (no longer "SUCCESS: 0 phases")', () => {
    const d = deliverable(Array(6).fill('skipped'));
    const { code, err } = capture(() => reportOutcome({ kind: 'completed', deliverable: d }, false));
    expect(code).toBe(1);
    expect(err).toMatch(/FAILED: 0 of 6 phases/);
  });
});
