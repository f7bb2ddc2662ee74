/**
 * The phase table `status` rebuilds from a run's history when no worker answers, and how a cancelled
 * run's stopped step reads: `cancelled` (one mark, one word) in that table and in the live one alike.
 */
import type { WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { closedStatus } from '../../src/client/commands/run';
import { progressFromHistory } from '../../src/client/commands/run-offline';
import { renderProgress, withCancelledStep } from '../../src/client/progress/progress-view';
import { SPECIALIST_FEATURE, SPECIALIST_PHASE, SPECIALIST_STATUS } from '../../src/stack/search-attributes';
import type { BaselineResult } from '../../src/baseline/baseline-result';
import type { RunProgress } from '../../src/workflows/run-types';

/** A history event as the server sends it (numbers where the SDK has Longs: only String() is taken of them). */
type Event = Record<string, unknown>;
const payloads = (value: unknown) => ({ payloads: [defaultPayloadConverter.toPayload(value)!] });

/** A history written event by event, as the server keeps it. */
class History {
  readonly events: Event[] = [];
  private add(event: Event): number {
    const eventId = this.events.length + 1;
    this.events.push({ ...event, eventId });
    return eventId;
  }
  activity(name: string, input: unknown = {}): number {
    return this.add({
      activityTaskScheduledEventAttributes: { activityType: { name }, input: payloads(input) },
    });
  }
  completed(scheduledEventId: number, result: unknown = {}): void {
    this.add({
      activityTaskCompletedEventAttributes: { scheduledEventId, result: payloads(result) },
    });
  }
  failed(scheduledEventId: number, type: string, message: string): void {
    this.add({
      activityTaskFailedEventAttributes: {
        scheduledEventId,
        failure: { message: 'activity failed', cause: { message, applicationFailureInfo: { type } } },
      },
    });
  }
  cancelRequested(): void {
    this.add({ workflowExecutionCancelRequestedEventAttributes: {} });
  }
  activityCancelled(scheduledEventId: number): void {
    this.add({ activityTaskCanceledEventAttributes: { scheduledEventId } });
  }
}

async function table(history: History, attributes: { status: string; phase?: string }): Promise<RunProgress> {
  const values = new Map<string, string | undefined>([
    [SPECIALIST_FEATURE.name, 'task-summary'],
    [SPECIALIST_STATUS.name, attributes.status],
    [SPECIALIST_PHASE.name, attributes.phase],
  ]);
  const handle = {
    workflowId: 'feature-task-summary-1',
    fetchHistory: () => Promise.resolve({ events: history.events }),
  } as unknown as WorkflowHandle;
  const description = {
    typedSearchAttributes: { get: (key: { name: string }) => values.get(key.name) },
  } as unknown as WorkflowExecutionDescription;
  return progressFromHistory(handle, description);
}

const baseline = (failing: string[]): BaselineResult => ({
  commit: 'abcdef1234567890',
  tree: 'tree',
  interpreter: 'python3',
  cached: false,
  passed: 7,
  failed: failing.length,
  errors: 0,
  skipped: 0,
  failing,
  truncated: false,
  failures: failing.map((id) => ({ id, message: 'AssertionError: assert 1 == 2' })),
  exitCode: failing.length > 0 ? 1 : 0,
  outputTail: '',
});

/** The pre-steps of a run up to its baseline. */
function prepared(history: History, measured: BaselineResult): void {
  history.completed(history.activity('loadTechnicalContext'));
  history.completed(history.activity('prepareWorkspace'), {
    branch: 'feature/task-summary',
    baseCommit: measured.commit,
  });
  history.completed(history.activity('analyzeCodebase'));
  history.completed(history.activity('runBaselineTests'), measured);
}

// Colours off: the marks and words are what is compared.
// eslint-disable-next-line no-control-regex
const plain = (lines: string[]) => lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));

describe("the table rebuilt from a run's history", () => {
  test('lists the baseline step with what it measured', async () => {
    const history = new History();
    prepared(history, baseline([]));
    history.activity('applyDomainModel', { phase: 'domain_model' });
    const p = await table(history, { status: 'running', phase: 'domain_model' });
    expect(p.preSteps.map((s) => [s.name, s.state])).toEqual([
      ['load_context', 'completed'],
      ['prepare_workspace', 'completed'],
      ['analyze_codebase', 'completed'],
      ['baseline_tests', 'completed'],
    ]);
    expect(p.baseline).toMatchObject({ commit: 'abcdef1234567890', passed: 7, failed: 0, accepted: false });
    expect(p.phases.map((ph) => [ph.name, ph.state])).toEqual([['domain_model', 'running']]);
  });

  test('a base with failing tests waits on baseline_tests with their ids; a later phase means accepted', async () => {
    const history = new History();
    prepared(history, baseline(['tests/test_a.py::test_x']));
    const waiting = await table(history, { status: 'waiting', phase: 'baseline_tests' });
    expect(waiting.preSteps.at(-1)).toMatchObject({ name: 'baseline_tests', state: 'failed' });
    expect(waiting.waiting).toMatchObject({ step: 'baseline_tests', type: 'BaselineFailing' });
    expect(waiting.waiting!.message).toContain('tests/test_a.py::test_x');

    history.activity('applyDomainModel', { phase: 'domain_model' });
    const accepted = await table(history, { status: 'running', phase: 'domain_model' });
    expect(accepted.preSteps.at(-1)).toMatchObject({ name: 'baseline_tests', state: 'completed' });
    expect(accepted.baseline).toMatchObject({ accepted: true });
  });

  test('a run without the baseline step (started before it existed) lists none', async () => {
    const history = new History();
    history.completed(history.activity('loadTechnicalContext'));
    const p = await table(history, { status: 'running' });
    expect(p.preSteps.map((s) => s.name)).toEqual(['load_context', 'prepare_workspace', 'analyze_codebase']);
  });

  test.each([
    ['whose activity was cancelled', (h: History, id: number) => h.activityCancelled(id)],
    [
      'whose activity failed by the cancel',
      (h: History, id: number) => h.failed(id, 'Cancelled', 'cancelled'),
    ],
    ['whose activity had not answered yet', () => undefined],
  ])('shows the phase a cancel stopped, %s, as cancelled', async (_, end) => {
    const history = new History();
    prepared(history, baseline([]));
    history.completed(history.activity('applyDomainModel', { phase: 'domain_model' }), {
      commit: 'c0ffee12',
    });
    const stopped = history.activity('applyDatabaseMigration', { phase: 'database_migration' });
    history.cancelRequested();
    end(history, stopped);
    const p = closedStatus(
      'CANCELLED',
      await table(history, { status: 'cancelling', phase: 'database_migration' }),
    )!;
    expect(p.phases.map((ph) => [ph.name, ph.state])).toEqual([
      ['domain_model', 'completed'],
      ['database_migration', 'cancelled'],
    ]);
    expect(plain(renderProgress(p))).toContain('  ⊘ 2/6 database_migration  cancelled');
  });

  test('a failure before the cancel stays a failure', async () => {
    const history = new History();
    prepared(history, baseline([]));
    history.failed(
      history.activity('applyDomainModel', { phase: 'domain_model' }),
      'AnchorNotFound',
      'no model',
    );
    const p = await table(history, { status: 'waiting', phase: 'domain_model' });
    expect(p.phases[0]).toMatchObject({
      state: 'failed',
      error: { type: 'AnchorNotFound', message: 'no model' },
    });
  });
});

describe('the live table of a cancelled run', () => {
  const live = (extra: Partial<RunProgress>): RunProgress => ({
    workflowId: 'feature-task-summary-1',
    feature: 'task-summary',
    status: 'cancelled',
    delegate: false,
    preSteps: [{ name: 'load_context', state: 'completed' }],
    phases: [
      {
        number: 1,
        name: 'domain_model',
        state: 'completed',
        executedBy: 'python-backend-specialist',
        attempts: 1,
        commit: 'c0ffee12',
      },
      {
        number: 2,
        name: 'database_migration',
        state: 'pending',
        executedBy: 'python-backend-specialist',
        attempts: 1,
      },
      {
        number: 3,
        name: 'service_layer',
        state: 'pending',
        executedBy: 'python-backend-specialist',
        attempts: 0,
      },
    ],
    ...extra,
  });

  test('shows the step the clean-up put back to pending as cancelled, and the phases after it as pending', () => {
    const p = withCancelledStep(
      live({
        cancelled: {
          step: 'database_migration',
          branchRemoved: false,
          worktreeRemoved: true,
          noteWritten: true,
          problems: [],
        },
      }),
    );
    expect(p.phases.map((ph) => ph.state)).toEqual(['completed', 'cancelled', 'pending']);
    expect(plain(renderProgress(p))).toEqual([
      'task-summary feature-task-summary-1 — cancelled',
      '  ✔ load context',
      '  ✔ 1/6 domain_model  c0ffee12',
      '  ⊘ 2/6 database_migration  cancelled',
      '  ○ 3/6 service_layer',
    ]);
  });

  test('while it cleans up, the current step is the one cancelled', () => {
    const p = withCancelledStep(live({ status: 'cancelling', currentStep: 'database_migration' }));
    expect(p.phases.map((ph) => ph.state)).toEqual(['completed', 'cancelled', 'pending']);
  });

  test('a run that was waiting on a failed step shows that step as cancelled', () => {
    const p = live({
      cancelled: {
        step: 'domain_model',
        branchRemoved: true,
        worktreeRemoved: true,
        noteWritten: false,
        problems: [],
      },
    });
    p.phases[0] = { ...p.phases[0]!, state: 'failed', commit: undefined };
    expect(withCancelledStep(p).phases[0]!.state).toBe('cancelled');
  });

  test('leaves a run that was not cancelled as it is', () => {
    const p = live({ status: 'running', currentStep: 'database_migration' });
    expect(withCancelledStep(p)).toBe(p);
  });
});
