/**
 * Cancelling `implementFeature` on a real Temporal server with mocked activities: the running activity
 * hears the cancel and ends before the clean-up starts (WAIT_CANCELLATION_COMPLETED); the clean-up
 * removes the worktree, keeps the branch at the last phase completed before the cancel (dropping a
 * commit that raced it), removes an empty branch, writes a CANCELLED `changes_summary`, and the run
 * shows `cancelled` in its progress and `SpecialistStatus`. RECORD_HISTORIES=1 stores the histories
 * the replay test guards.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { parseFeatureSpec, type FeatureSpec, type PhaseName } from '../../src/spec/feature-spec';
import { WORKER_TUNING } from '../../src/worker/worker';
import { progressQuery } from '../../src/workflows/definitions';
import type {
  PhaseActivityInput,
  PhaseActivityResult,
  RecordSummaryInput,
  ReleaseWorkspaceInput,
  RunActivities,
  RunProgress,
} from '../../src/workflows/run-types';
import { runningProcessGroups, runProcess } from '../../src/python/run-process';
import { liveGroupMembers } from '../helpers/processes';
import { PROJECT_SEARCH_ATTRIBUTES, startTestTemporal } from '../helpers/temporal';

jest.setTimeout(120_000);

const SPEC: FeatureSpec = parseFeatureSpec({
  feature: 'task-summary',
  data_models: { changes: [{ model: 'Task', field: 'summary', type: 'str', nullable: true }] },
});

/** How the phase named `hold` behaves once it runs: ends on the cancel, or commits anyway (a race). */
interface Script {
  hold?: PhaseName;
  onCancel: 'acknowledge' | 'commit-anyway';
  failPhase?: PhaseName;
}

interface Seen {
  events: string[];
  releases: ReleaseWorkspaceInput[];
  notes: RecordSummaryInput[];
  activityCancelled: string[];
  /** When the held activity saw the cancel (ms since epoch). */
  cancelSeenAt?: number;
}

const commitOf = (n: number) => `${n}`.repeat(40);

function mockActivities(script: Script, seen: Seen): RunActivities {
  const phase = async (input: PhaseActivityInput): Promise<PhaseActivityResult> => {
    seen.events.push(`start ${input.phase}`);
    if (script.failPhase === input.phase)
      throw ApplicationFailure.create({ type: 'AnchorNotFound', message: 'broken', nonRetryable: true });
    if (script.hold === input.phase) {
      const ctx = Context.current();
      // A long step: heartbeats until the cancel reaches it.
      while (!ctx.cancellationSignal.aborted) {
        ctx.heartbeat({ step: 'pytest' });
        await new Promise((r) => setTimeout(r, 100));
      }
      seen.activityCancelled.push(input.phase);
      seen.cancelSeenAt = Date.now();
      if (script.onCancel === 'acknowledge') {
        seen.events.push(`cancelled ${input.phase}`);
        throw ctx.cancellationSignal.reason;
      }
      seen.events.push(`committed ${input.phase} after the cancel`);
    }
    seen.events.push(`end ${input.phase}`);
    return {
      phase: input.phase,
      phaseNumber: input.phaseNumber,
      commit: commitOf(input.phaseNumber),
      changed: true,
      filesModified: [`src/${input.phase}.py`],
      filesCreated: [],
      changes: [],
      checks: [],
    };
  };
  return {
    loadTechnicalContext: async () => SPEC,
    prepareWorkspace: async (input) => ({
      worktree: `/tmp/wt/${input.workflowId}`,
      branch: `feature/${input.feature}`,
      baseCommit: '0'.repeat(40),
    }),
    analyzeCodebase: async () => ({ files: {}, notes: [] }),
    runBaselineTests: async (input) => ({
      commit: input.baseCommit,
      tree: 'tree-of-base',
      interpreter: '/usr/bin/python3',
      cached: false,
      passed: 1,
      failed: 0,
      errors: 0,
      skipped: 0,
      failing: [],
      truncated: false,
      failures: [],
      exitCode: 0,
      outputTail: '',
    }),
    rebaseWorkspace: async (input) => ({ baseCommit: input.baseCommit, moved: false }),
    applyDomainModelPhase: phase,
    applyDatabaseMigrationPhase: phase,
    applyServiceLayerPhase: phase,
    applyApiLayerPhase: phase,
    applySerializationPhase: phase,
    runTestingValidationPhase: phase,
    recordImplementationSummary: async (input) => {
      seen.events.push(`note ${String(input.value.status)}`);
      seen.notes.push(input);
      return { version: seen.notes.length };
    },
    releaseWorkspace: async (input) => {
      seen.events.push('release');
      seen.releases.push(input);
      return { branchRemoved: input.removeEmptyBranch !== undefined };
    },
  };
}

describe('cancelling an implementFeature run (mocked activities)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const script: Script = { onCancel: 'acknowledge' };
  const seen: Seen = { events: [], releases: [], notes: [], activityCancelled: [] };
  const taskQueue = 'workflow-cancel';
  let counter = 0;

  beforeAll(async () => {
    env = await startTestTemporal(PROJECT_SEARCH_ATTRIBUTES);
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../../src/workflows'),
      activities: mockActivities(script, seen),
      ...WORKER_TUNING,
    });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  }, 60_000);

  beforeEach(() => {
    delete script.hold;
    delete script.failPhase;
    script.onCancel = 'acknowledge';
    seen.events.length = 0;
    seen.releases.length = 0;
    seen.notes.length = 0;
    seen.activityCancelled.length = 0;
  });

  const start = (delegate = false) =>
    env.client.workflow.start('implementFeature', {
      taskQueue,
      workflowId: `feature-task-summary-cancel-${++counter}`,
      args: [{ techSpecTaskId: 'spec-1', workspace: '/repo', feature: 'task-summary', delegate }],
    });

  const waitUntil = async (handle: WorkflowHandle, predicate: (p: RunProgress) => boolean) => {
    for (let i = 0; i < 300; i++) {
      const progress = await handle.query(progressQuery).catch(() => undefined);
      if (progress && predicate(progress)) return progress;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out; progress: ${JSON.stringify(await handle.query(progressQuery))}`);
  };

  const expectCancelled = async (handle: WorkflowHandle) => {
    const error = await handle.result().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect((await handle.describe()).searchAttributes.SpecialistStatus).toEqual(['cancelled']);
    return handle.query(progressQuery);
  };

  const record = async (handle: WorkflowHandle, name: string) => {
    if (!process.env.RECORD_HISTORIES) return;
    const history = await handle.fetchHistory();
    const json = JSON.stringify({ workflowId: handle.workflowId, history }, (_key, value: unknown) =>
      value instanceof Uint8Array
        ? Buffer.from(value).toString('base64')
        : value && typeof value === 'object' && 'low' in value && 'high' in value && 'unsigned' in value
          ? String(value)
          : value,
    );
    writeFileSync(path.join(__dirname, '../replay/histories', `${name}.json`), json);
  };

  it('stops the running phase, then cleans up: worktree removed, branch at the last completed phase, a note', async () => {
    script.hold = 'testing_validation';
    const handle = await start(true);
    await waitUntil(handle, (p) => p.currentStep === 'testing_validation');
    const cancelledAt = Date.now();
    await handle.cancel();
    const progress = await expectCancelled(handle);
    expect(seen.activityCancelled).toEqual(['testing_validation']);
    // Within seconds (WORKER_TUNING): with the SDK's default throttling it takes up to a minute.
    expect(seen.cancelSeenAt! - cancelledAt).toBeLessThan(6_000);
    // The clean-up waited for the activity to acknowledge: nothing ran beside it.
    expect(seen.events.slice(-3)).toEqual(['cancelled testing_validation', 'release', 'note CANCELLED']);
    expect(seen.releases).toEqual([
      {
        workspace: '/repo',
        worktree: `/tmp/wt/${handle.workflowId}`,
        resetBranch: { branch: 'feature/task-summary', commit: commitOf(5), workflowId: handle.workflowId },
      },
    ]);
    expect(seen.notes).toHaveLength(1);
    expect(seen.notes[0]).toMatchObject({
      workflowId: handle.workflowId,
      idempotencySuffix: 'cancelled',
      value: {
        status: 'CANCELLED',
        cancelled_during: 'testing_validation',
        phases_completed: [
          'domain_model',
          'database_migration',
          'service_layer',
          'api_layer',
          'serialization',
        ],
        branch: 'feature/task-summary',
        head_commit: commitOf(5),
        worktree_removed: true,
      },
    });
    expect(progress.status).toBe('cancelled');
    expect(progress.cancelled).toEqual({
      step: 'testing_validation',
      branch: 'feature/task-summary',
      branchRemoved: false,
      headCommit: commitOf(5),
      worktreeRemoved: true,
      noteWritten: true,
      problems: [],
    });
    expect(progress.phases.find((p) => p.name === 'testing_validation')!.state).toBe('pending');
    await record(handle, 'cancel-during-phase');
  });

  it('drops a phase whose commit raced the cancel: the branch keeps only what completed before', async () => {
    script.hold = 'service_layer';
    script.onCancel = 'commit-anyway';
    const handle = await start(false);
    await waitUntil(handle, (p) => p.currentStep === 'service_layer');
    await handle.cancel();
    const progress = await expectCancelled(handle);
    expect(seen.events).toContain('committed service_layer after the cancel');
    // No later phase started after the cancel.
    expect(seen.events.filter((e) => e.startsWith('start'))).toEqual([
      'start domain_model',
      'start database_migration',
      'start service_layer',
    ]);
    expect(seen.releases[0]!.resetBranch).toEqual({
      branch: 'feature/task-summary',
      commit: commitOf(2),
      workflowId: handle.workflowId,
    });
    expect(progress.phases.find((p) => p.name === 'service_layer')).toMatchObject({ state: 'pending' });
    expect(progress.phases.find((p) => p.name === 'service_layer')!.commit).toBeUndefined();
    expect(seen.notes[0]!.value).toMatchObject({ phases_completed: ['domain_model', 'database_migration'] });
    await record(handle, 'cancel-races-commit');
  });

  it('cancels a sub-agent child workflow and its activity before cleaning up', async () => {
    script.hold = 'database_migration';
    const handle = await start(true);
    await waitUntil(handle, (p) => p.currentStep === 'database_migration');
    await handle.cancel();
    const progress = await expectCancelled(handle);
    expect(seen.activityCancelled).toEqual(['database_migration']);
    expect(seen.events.slice(-3)).toEqual(['cancelled database_migration', 'release', 'note CANCELLED']);
    const child = env.client.workflow.getHandle(`${handle.workflowId}/database-migration`);
    expect((await child.describe()).status.name).toBe('CANCELLED');
    expect(seen.releases[0]!.resetBranch!.commit).toBe(commitOf(1));
    expect(seen.releases[0]!.removeEmptyBranch).toBeUndefined();
    expect(progress.cancelled).toMatchObject({ step: 'database_migration', headCommit: commitOf(1) });
    await record(handle, 'cancel-during-child');
  });

  it('cleans up a run that waits for a person, and removes the branch when no phase completed', async () => {
    script.failPhase = 'domain_model';
    const handle = await start(false);
    await waitUntil(handle, (p) => p.status === 'waiting');
    await handle.cancel();
    const progress = await expectCancelled(handle);
    expect(seen.releases).toEqual([
      {
        workspace: '/repo',
        worktree: `/tmp/wt/${handle.workflowId}`,
        resetBranch: {
          branch: 'feature/task-summary',
          commit: '0'.repeat(40),
          workflowId: handle.workflowId,
        },
        removeEmptyBranch: { branch: 'feature/task-summary', baseCommit: '0'.repeat(40) },
      },
    ]);
    expect(progress.waiting).toBeUndefined();
    expect(progress.cancelled).toMatchObject({
      step: 'domain_model',
      branchRemoved: true,
      worktreeRemoved: true,
    });
    expect(seen.notes[0]!.value).toMatchObject({ status: 'CANCELLED', branch: null, phases_completed: [] });
    await record(handle, 'cancel-while-waiting');
  });

  it("a worker's shutdown cancels its running activities, which kill their process groups", async () => {
    // A second worker whose phase 6 runs a real long process through runProcess, as pytest does.
    const groups: number[] = [];
    const activities: RunActivities = {
      ...mockActivities(script, seen),
      runTestingValidationPhase: async () => {
        const ctx = Context.current();
        const running = runProcess('sh', ['-c', 'sleep 300 & wait'], {
          cwd: '/tmp',
          signal: ctx.cancellationSignal,
          heartbeat: (d) => ctx.heartbeat(d),
          label: 'pytest',
        });
        groups.push(...runningProcessGroups());
        await running;
        throw new Error('not reached: the process sleeps until the worker shuts down');
      },
    };
    const shuttingDown = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'workflow-cancel-shutdown',
      workflowsPath: require.resolve('../../src/workflows'),
      activities,
      ...WORKER_TUNING,
    });
    const done = shuttingDown.run();
    const handle = await env.client.workflow.start('implementFeature', {
      taskQueue: 'workflow-cancel-shutdown',
      workflowId: `feature-task-summary-shutdown-${++counter}`,
      args: [{ techSpecTaskId: 'spec-1', workspace: '/repo', feature: 'task-summary', delegate: false }],
    });
    try {
      for (let i = 0; i < 300 && groups.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      const [pgid] = groups;
      expect(pgid).toBeDefined();
      expect(liveGroupMembers(pgid!).length).toBeGreaterThan(0);
      const started = Date.now();
      shuttingDown.shutdown();
      await done;
      for (let i = 0; i < 100 && liveGroupMembers(pgid!).length > 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(liveGroupMembers(pgid!)).toEqual([]);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await handle.terminate().catch(() => undefined);
    }
  });
});
