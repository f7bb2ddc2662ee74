/**
 * Orchestration of `implementFeature` on a real Temporal server with mocked activities: order,
 * prerequisites, children, waiting for a person, retry / skip / abort. Set RECORD_HISTORIES=1 to store
 * the histories the replay test (test/unit/replay.test.ts) guards.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { parseFeatureSpec, type FeatureSpec, type PhaseName } from '../../src/spec/feature-spec';
import { abortUpdate, progressQuery, retryUpdate, skipUpdate } from '../../src/workflows/definitions';
import type {
  PhaseActivityInput,
  PhaseActivityResult,
  PreparedWorkspace,
  ReleaseWorkspaceInput,
  RunActivities,
  RunProgress,
} from '../../src/workflows/run-types';
import { deliverableSchema, type Deliverable } from '../../src/deliverable';
import { PROJECT_SEARCH_ATTRIBUTES, startTestTemporal } from '../helpers/temporal';

jest.setTimeout(120_000);

const SPEC: FeatureSpec = parseFeatureSpec({
  feature: 'task-summary',
  data_models: {
    changes: [
      {
        model: 'Task',
        field: 'summary',
        type: 'str',
        nullable: true,
        default: null,
        constraints: { max_length: 200 },
      },
    ],
  },
});

interface Call {
  name: string;
  phase?: PhaseName;
  baseCommit?: string;
  spec?: FeatureSpec;
  release?: ReleaseWorkspaceInput;
  fresh?: boolean;
  knownFailures?: string[];
  /** The task queue the call was taken from (for runs whose worktree is on one worker's own queue). */
  queue?: string;
  takeOver?: PreparedWorkspace;
}

/**
 * Own queues `prepareWorkspace` hands out, one per call (empty: none, every step on the shared queue);
 * and a phase that hangs on a queue until its worker shuts down (`hangOn`).
 */
const ownQueues: string[] = [];
/** The queue every run is started on (workflows and the steps without an own queue). */
const SHARED_QUEUE = 'workflow-orchestration';
/** The queue a call ran on, recorded when it is a worker's own queue. */
const ownQueueOf = (): { queue?: string } => {
  const queue = Context.current().info.taskQueue;
  return queue === SHARED_QUEUE ? {} : { queue };
};
const hangOn: { queue?: string; phase?: PhaseName } = {};

/** Tests the mocked baseline reports as failing on a base commit (by commit; empty = green). */
const baselineFailing: Record<string, string[]> = {};
/** What the mocked repository's HEAD is when a run rebases. */
const repositoryHead = { commit: 'a'.repeat(40) };

/** Mock activities: record every call; `failNext[name]` makes the next N calls fail deterministically. */
function mockActivities(failNext: Record<string, number>, calls: Call[], memory: unknown[]) {
  const fail = (name: string) => {
    if ((failNext[name] ?? 0) > 0) {
      failNext[name]! -= 1;
      throw ApplicationFailure.create({
        type: 'AnchorNotFound',
        nonRetryable: true,
        message: `${name}: no _serialize_task in src/taskqueue/mcp/server.py (expected a function serialising Task)`,
      });
    }
  };
  const phase =
    (name: string) =>
    async (input: PhaseActivityInput): Promise<PhaseActivityResult> => {
      const queue = Context.current().info.taskQueue;
      calls.push({
        name,
        phase: input.phase,
        baseCommit: input.baseCommit,
        spec: input.spec,
        ...(input.knownFailures ? { knownFailures: input.knownFailures } : {}),
        ...ownQueueOf(),
      });
      fail(input.phase);
      // Runs until its worker shuts down (which cancels it): the worker is gone mid-phase.
      if (hangOn.queue === queue && hangOn.phase === input.phase) await Context.current().cancelled;
      const file = `src/${input.phase}.py`;
      return {
        phase: input.phase,
        phaseNumber: input.phaseNumber,
        commit: `${input.phaseNumber}`.repeat(40),
        changed: true,
        filesModified: input.phase === 'testing_validation' ? [] : [file],
        filesCreated: input.phase === 'testing_validation' ? ['tests/test_task_summary.py'] : [],
        changes: [],
        checks: [{ name: 'py_compile', passed: true }],
        ...(input.phase === 'testing_validation'
          ? {
              testing: {
                passed: 12,
                failed: 0,
                errors: 0,
                skipped: 0,
                unitTestsPassed: true,
                integrationTestsPassed: true,
                migrationTestsPassed: true,
                coveragePercentage: 93.4,
                mypy: { configured: false },
              },
            }
          : {}),
      };
    };
  const activities: RunActivities = {
    loadTechnicalContext: async () => {
      calls.push({ name: 'loadTechnicalContext' });
      return SPEC;
    },
    prepareWorkspace: async (input) => {
      calls.push({
        name: 'prepareWorkspace',
        ...(input.takeOver ? { takeOver: input.takeOver } : {}),
        ...ownQueueOf(),
      });
      // On a worker's own queue (asked whether it is back) it answers with what it holds.
      const taskQueue = ownQueueOf().queue ?? ownQueues.shift();
      return {
        worktree: `/tmp/wt/${taskQueue ?? ''}${input.workflowId}`,
        branch: `feature/${input.feature}`,
        baseCommit: '0'.repeat(40),
        ...(taskQueue ? { taskQueue } : {}),
      };
    },
    analyzeCodebase: async (input) => {
      calls.push({ name: 'analyzeCodebase', spec: input.spec });
      fail('analyze_codebase');
      return { files: {}, notes: [] };
    },
    runBaselineTests: async (input) => {
      calls.push({ name: 'runBaselineTests', baseCommit: input.baseCommit, fresh: input.fresh });
      const failing = baselineFailing[input.baseCommit] ?? [];
      return {
        commit: input.baseCommit,
        tree: `tree-of-${input.baseCommit.slice(0, 4)}`,
        interpreter: '/usr/bin/python3',
        cached: input.fresh ? false : calls.filter((c) => c.name === 'runBaselineTests').length > 1,
        passed: 40,
        failed: failing.length,
        errors: 0,
        skipped: 0,
        failing,
        truncated: false,
        failures: failing.map((id) => ({ id, message: 'AssertionError: assert 1 == 2' })),
        exitCode: failing.length > 0 ? 1 : 0,
        outputTail: '',
      };
    },
    rebaseWorkspace: async (input) => {
      calls.push({ name: 'rebaseWorkspace', baseCommit: input.baseCommit });
      return { baseCommit: repositoryHead.commit, moved: repositoryHead.commit !== input.baseCommit };
    },
    applyDomainModelPhase: phase('applyDomainModelPhase'),
    applyDatabaseMigrationPhase: phase('applyDatabaseMigrationPhase'),
    applyServiceLayerPhase: phase('applyServiceLayerPhase'),
    applyApiLayerPhase: phase('applyApiLayerPhase'),
    applySerializationPhase: phase('applySerializationPhase'),
    runTestingValidationPhase: phase('runTestingValidationPhase'),
    recordImplementationSummary: async (input) => {
      memory.push(input);
      return { version: 1 };
    },
    releaseWorkspace: async (input) => {
      calls.push({
        name: 'releaseWorkspace',
        release: input,
        ...ownQueueOf(),
      });
      return { branchRemoved: input.removeEmptyBranch !== undefined };
    },
  };
  return activities;
}

describe('the implementFeature workflow (mocked activities)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const failNext: Record<string, number> = {};
  const calls: Call[] = [];
  const memory: unknown[] = [];
  const taskQueue = SHARED_QUEUE;
  let counter = 0;

  beforeAll(async () => {
    env = await startTestTemporal(PROJECT_SEARCH_ATTRIBUTES);
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../../src/workflows'),
      activities: mockActivities(failNext, calls, memory),
    });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  }, 60_000);

  beforeEach(() => {
    calls.length = 0;
    memory.length = 0;
    for (const key of Object.keys(failNext)) delete failNext[key];
    for (const key of Object.keys(baselineFailing)) delete baselineFailing[key];
    ownQueues.length = 0;
    delete hangOn.queue;
    delete hangOn.phase;
  });

  const start = (delegate: boolean, extra: { workerTimeout?: string } = {}) =>
    env.client.workflow.start('implementFeature', {
      taskQueue,
      workflowId: `feature-task-summary-${++counter}${delegate ? 'd' : 's'}`,
      args: [{ techSpecTaskId: 'spec-1', workspace: '/repo', feature: 'task-summary', delegate, ...extra }],
    });

  const waitUntil = async (handle: WorkflowHandle, predicate: (p: RunProgress) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const progress = await handle.query(progressQuery);
      if (predicate(progress)) return progress;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out; progress: ${JSON.stringify(await handle.query(progressQuery))}`);
  };

  const record = async (handle: WorkflowHandle, name: string) => {
    if (!process.env.RECORD_HISTORIES) return;
    const history = await handle.fetchHistory();
    // protobufjs' own JSON helpers break under jest's module registry; bytes as base64 and 64-bit
    // integers as strings are what `History.fromObject` reads back.
    const json = JSON.stringify({ workflowId: handle.workflowId, history }, (_key, value: unknown) =>
      value instanceof Uint8Array
        ? Buffer.from(value).toString('base64')
        : value && typeof value === 'object' && 'low' in value && 'high' in value && 'unsigned' in value
          ? String(value)
          : value,
    );
    writeFileSync(path.join(__dirname, '../replay/histories', `${name}.json`), json);
  };

  const phaseOrder = () => calls.filter((c) => c.phase).map((c) => c.phase);

  it('runs the six phases in order, the model and the migration as child workflows', async () => {
    const handle = await start(true);
    const result = deliverableSchema.parse(await handle.result()) as Deliverable;
    expect(phaseOrder()).toEqual([
      'domain_model',
      'database_migration',
      'service_layer',
      'api_layer',
      'serialization',
      'testing_validation',
    ]);
    expect(result.execution_status).toEqual({
      status: 'SUCCESS',
      phases_completed: 6,
      agent_name: 'python-backend-specialist',
    });
    expect(result.deliverables.test_results.coverage_percentage).toBe(93.4);
    expect(result.deliverables.files_created).toEqual(['tests/test_task_summary.py']);
    expect(result.run.phases.map((p) => p.commit?.[0])).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(result.run.sub_agents.map((s) => s.workflow_id)).toEqual([
      `${handle.workflowId}/domain-model`,
      `${handle.workflowId}/database-migration`,
    ]);
    // Each phase starts from the commit of the one before.
    expect(calls.filter((c) => c.phase).map((c) => c.baseCommit![0])).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(memory).toHaveLength(1);

    const events = (await handle.fetchHistory()).events ?? [];
    const childEvents = events
      .map((e, index) => ({ index, e }))
      .filter(
        ({ e }) =>
          e.childWorkflowExecutionStartedEventAttributes || e.childWorkflowExecutionCompletedEventAttributes,
      )
      .map(({ e }) =>
        e.childWorkflowExecutionStartedEventAttributes
          ? `started ${e.childWorkflowExecutionStartedEventAttributes.workflowType?.name}`
          : `completed ${e.childWorkflowExecutionCompletedEventAttributes!.workflowType?.name}`,
      );
    expect(childEvents).toEqual([
      'started pythonPydanticModelSpecialist',
      'completed pythonPydanticModelSpecialist',
      'started sqliteMigrationSpecialist',
      'completed sqliteMigrationSpecialist',
    ]);
    const description = await handle.describe();
    expect(description.searchAttributes.SpecialistStatus).toEqual(['completed']);
    expect(description.searchAttributes.SpecialistFeature).toEqual(['task-summary']);
    await record(handle, 'delegated-success');
  });

  it('runs every phase as its own activity when delegation is off', async () => {
    const handle = await start(false);
    const result = (await handle.result()) as Deliverable;
    expect(result.run.sub_agents).toEqual([]);
    expect(result.run.phases.every((p) => p.executed_by === 'python-backend-specialist')).toBe(true);
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.some((e) => e.childWorkflowExecutionStartedEventAttributes)).toBe(false);
    await record(handle, 'self-execution-success');
  });

  it('waits for a person when a phase fails, blocks its dependents, and completes after retry', async () => {
    failNext.serialization = 1;
    const handle = await start(false);
    const waiting = await waitUntil(handle, (p) => p.status === 'waiting');
    expect(waiting.waiting).toMatchObject({ step: 'serialization', type: 'AnchorNotFound', phaseNumber: 5 });
    expect(waiting.waiting!.message).toMatch(/_serialize_task/);
    expect(waiting.phases.find((p) => p.name === 'testing_validation')).toMatchObject({
      state: 'blocked',
      blockedBy: ['serialization'],
    });
    expect((await handle.describe()).searchAttributes.SpecialistStatus).toEqual(['waiting']);
    await expect(handle.executeUpdate(skipUpdate, { args: [{}] })).resolves.toMatch(
      /skipping serialization: the run goes on and will end FAILED/,
    );
    const result = (await handle.result()) as Deliverable;
    expect(result.run.phases.find((p) => p.name === 'serialization')!.status).toBe('skipped');
    // A skipped phase is not done: the run completes, FAILED, naming what was skipped.
    expect(result.execution_status).toEqual({
      status: 'FAILED',
      phases_completed: 5,
      agent_name: 'python-backend-specialist',
    });
    expect(result.run.outcome).toBe('completed');
    expect(result.orchestration_context.next_recommended_action).toMatch(
      /skipped by a person: serialization \(phase 5\)/,
    );
    expect(memory).toEqual([
      expect.objectContaining({ value: expect.objectContaining({ status: 'FAILED' }) }),
    ]);
    expect((await handle.query(progressQuery)).status).toBe('failed');
    expect((await handle.describe()).searchAttributes.SpecialistStatus).toEqual(['failed']);
    // The phase after a skipped one starts from the last real commit.
    expect(calls.find((c) => c.phase === 'testing_validation')!.baseCommit![0]).toBe('4');
    await record(handle, 'skip-after-failure');
  });

  it('retries a failed child workflow under the same id', async () => {
    failNext.database_migration = 1;
    const handle = await start(true);
    await waitUntil(handle, (p) => p.status === 'waiting');
    await handle.executeUpdate(retryUpdate, { args: [{}] });
    const result = (await handle.result()) as Deliverable;
    expect(result.execution_status.status).toBe('SUCCESS');
    expect(phaseOrder().filter((p) => p === 'database_migration')).toHaveLength(2);
    expect(result.run.phases.find((p) => p.name === 'database_migration')!.child_workflow_id).toBe(
      `${handle.workflowId}/database-migration`,
    );
    await record(handle, 'retry-child');
  });

  it('re-runs from an earlier phase with a corrected spec when asked', async () => {
    failNext.api_layer = 1;
    const handle = await start(false);
    await waitUntil(handle, (p) => p.status === 'waiting');
    const refused = await handle
      .executeUpdate(retryUpdate, { args: [{ fromPhase: 5 }] })
      .catch((e: Error) => e);
    expect((refused as Error & { cause?: Error }).cause?.message).toMatch(/--phase must name a phase/);
    const corrected = { ...SPEC, title: 'corrected' };
    await handle.executeUpdate(retryUpdate, { args: [{ fromPhase: 3, spec: corrected }] });
    await handle.result();
    expect(phaseOrder()).toEqual([
      'domain_model',
      'database_migration',
      'service_layer',
      'api_layer',
      'service_layer',
      'api_layer',
      'serialization',
      'testing_validation',
    ]);
    const rerun = calls.filter((c) => c.phase === 'service_layer')[1]!;
    expect(rerun.baseCommit![0]).toBe('2');
    expect(rerun.spec!.title).toBe('corrected');
    await record(handle, 'retry-from-phase');
  });

  it('waits when the analysis fails and retries it with the corrected spec', async () => {
    failNext.analyze_codebase = 1;
    const handle = await start(false);
    const waiting = await waitUntil(handle, (p) => p.status === 'waiting');
    expect(waiting.waiting!.step).toBe('analyze_codebase');
    expect(waiting.preSteps.find((s) => s.name === 'analyze_codebase')!.state).toBe('failed');
    await handle.executeUpdate(retryUpdate, { args: [{ spec: { ...SPEC, title: 'fixed' } }] });
    await handle.result();
    expect(calls.filter((c) => c.name === 'analyzeCodebase').map((c) => c.spec!.title)).toEqual([
      undefined,
      'fixed',
    ]);
    expect(calls.find((c) => c.phase === 'domain_model')!.spec!.title).toBe('fixed');
  });

  it('aborts with the partial deliverable and leaves nothing running', async () => {
    failNext.service_layer = 1;
    const handle = await start(true);
    await waitUntil(handle, (p) => p.status === 'waiting');
    await handle.executeUpdate(abortUpdate, { args: [{ reason: 'wrong model' }] });
    const error = await handle.result().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('RunAborted');
    expect(cause.message).toMatch(/wrong model/);
    const partial = cause.details![0] as Deliverable;
    expect(partial.run.outcome).toBe('aborted');
    expect(partial.execution_status.status).toBe('FAILED');
    expect(partial.execution_status.phases_completed).toBe(2);
    // Phases completed: the branch keeps them (no removal asked).
    expect(calls.at(-1)!.name).toBe('releaseWorkspace');
    expect(calls.at(-1)!.release!.removeEmptyBranch).toBeUndefined();
    expect(cause.message).toMatch(/feature\/task-summary keeps the completed phases/);
    await record(handle, 'abort');
  });

  it('refuses to skip the analysis, and an abort before any phase removes the empty branch', async () => {
    failNext.analyze_codebase = 1;
    const handle = await start(false);
    const waiting = await waitUntil(handle, (p) => p.status === 'waiting');
    expect(waiting.waiting!.step).toBe('analyze_codebase');
    const refused = await handle.executeUpdate(skipUpdate, { args: [{}] }).catch((e: Error) => e);
    expect((refused as Error & { cause?: Error }).cause?.message).toMatch(
      /analyze_codebase cannot be skipped: every phase edits what the analysis finds/,
    );
    // Still waiting, and the UI details do not offer the skip.
    const still = await handle.query(progressQuery);
    expect(still.status).toBe('waiting');
    await handle.executeUpdate(abortUpdate, { args: [{ reason: 'wrong spec' }] });
    const error = await handle.result().catch((err: unknown) => err);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('RunAborted');
    expect(cause.message).toMatch(
      /no phase had completed, so the empty branch feature\/task-summary was removed/,
    );
    const partial = cause.details![0] as Deliverable;
    expect(partial.execution_status).toMatchObject({ status: 'FAILED', phases_completed: 0 });
    expect(partial.orchestration_context.next_recommended_action).toMatch(/empty branch .* was removed/);
    expect(calls.filter((c) => c.phase)).toEqual([]);
    expect(calls.at(-1)).toEqual({
      name: 'releaseWorkspace',
      release: {
        workspace: '/repo',
        worktree: `/tmp/wt/${handle.workflowId}`,
        removeEmptyBranch: { branch: 'feature/task-summary', baseCommit: '0'.repeat(40) },
      },
    });
    await record(handle, 'abort-before-any-phase');
  });

  it('skipping every failed phase ends FAILED with no phase completed, not SUCCESS', async () => {
    for (const name of [
      'domain_model',
      'database_migration',
      'service_layer',
      'api_layer',
      'serialization',
      'testing_validation',
    ])
      failNext[name] = 1;
    const handle = await start(false);
    for (let skipped = 0; skipped < 6; skipped++) {
      await waitUntil(handle, (p) => p.status === 'waiting');
      await handle.executeUpdate(skipUpdate, { args: [{}] });
    }
    const result = (await handle.result()) as Deliverable;
    expect(result.execution_status).toMatchObject({ status: 'FAILED', phases_completed: 0 });
    expect(result.run.phases.every((p) => p.status === 'skipped')).toBe(true);
  });

  it('refuses decisions while the run is not waiting', async () => {
    const handle = await start(false);
    await handle.result();
    const open = await start(false);
    failNext.testing_validation = 1;
    await expect(open.executeUpdate(skipUpdate, { args: [{}] })).rejects.toThrow();
    await waitUntil(open, (p) => p.status === 'waiting');
    await open.executeUpdate(abortUpdate, { args: [{}] });
    await open.result().catch(() => undefined);
  });
  it("stops before phase 1 when the base's own tests fail, and goes on with them accepted", async () => {
    baselineFailing['0'.repeat(40)] = ['tests/test_tasks.py::test_broken_on_base'];
    const handle = await start(false);
    const waiting = await waitUntil(handle, (p) => p.status === 'waiting');
    expect(waiting.waiting).toMatchObject({ step: 'baseline_tests', type: 'BaselineFailing' });
    expect(waiting.waiting!.message).toMatch(/already failing on the base/);
    expect(waiting.waiting!.message).toMatch(/tests\/test_tasks\.py::test_broken_on_base: AssertionError/);
    expect(waiting.baseline).toMatchObject({
      failing: ['tests/test_tasks.py::test_broken_on_base'],
      accepted: false,
    });
    // Found before any phase, not after five commits.
    expect(calls.filter((c) => c.phase)).toEqual([]);
    const refusedSkip = await handle.executeUpdate(skipUpdate, { args: [{}] }).catch((e: Error) => e);
    expect((refusedSkip as Error & { cause?: Error }).cause?.message).toMatch(
      /baseline_tests cannot be skipped/,
    );
    const refusedBoth = await handle
      .executeUpdate(retryUpdate, { args: [{ acceptBaselineFailures: true, rebase: true }] })
      .catch((e: Error) => e);
    expect((refusedBoth as Error & { cause?: Error }).cause?.message).toMatch(/exclude each other/);
    await expect(
      handle.executeUpdate(retryUpdate, { args: [{ acceptBaselineFailures: true }] }),
    ).resolves.toMatch(/accepted/);
    const result = deliverableSchema.parse(await handle.result());
    expect(result.execution_status.status).toBe('SUCCESS');
    expect(calls.find((c) => c.phase === 'testing_validation')!.knownFailures).toEqual([
      'tests/test_tasks.py::test_broken_on_base',
    ]);
    expect(result.deliverables.test_results.already_failing_on_base).toEqual([
      'tests/test_tasks.py::test_broken_on_base',
    ]);
    expect(result.deliverables.test_results.new_failures).toEqual([]);
    expect(result.run.baseline).toMatchObject({ failures_accepted: true, tests_failed: 1 });
    expect(result.orchestration_context.next_recommended_action).toMatch(/already failed on the base/);
    await record(handle, 'baseline-accepted');
  });

  it('retry --rebase moves a run waiting on its base onto HEAD: analysis and baseline again, phases on the new base', async () => {
    baselineFailing['0'.repeat(40)] = ['tests/test_tasks.py::test_broken_on_base'];
    const handle = await start(true);
    await waitUntil(handle, (p) => p.status === 'waiting' && p.waiting?.step === 'baseline_tests');
    await expect(handle.executeUpdate(retryUpdate, { args: [{ rebase: true }] })).resolves.toMatch(
      /on the repository HEAD/,
    );
    const result = deliverableSchema.parse(await handle.result());
    expect(result.execution_status.status).toBe('SUCCESS');
    const names = calls.filter((c) => !c.phase).map((c) => c.name);
    expect(names.slice(0, 7)).toEqual([
      'loadTechnicalContext',
      'prepareWorkspace',
      'analyzeCodebase',
      'runBaselineTests',
      'rebaseWorkspace',
      'analyzeCodebase',
      'runBaselineTests',
    ]);
    // The first phase starts from the new base.
    expect(calls.find((c) => c.phase === 'domain_model')!.baseCommit).toBe('a'.repeat(40));
    expect(result.run.base_commit).toBe('a'.repeat(40));
    expect(result.deliverables.test_results.already_failing_on_base).toEqual([]);
    await record(handle, 'baseline-rebase');
  });

  it('refuses --rebase while a committed phase would stay, and re-runs every phase on HEAD with --phase 1', async () => {
    failNext.api_layer = 1;
    const handle = await start(false);
    await waitUntil(handle, (p) => p.status === 'waiting');
    const refused = await handle
      .executeUpdate(retryUpdate, { args: [{ rebase: true }] })
      .catch((e: Error) => e);
    expect((refused as Error & { cause?: Error }).cause?.message).toMatch(
      /only while no phase is committed; domain_model \(phase 1\), database_migration \(phase 2\), service_layer \(phase 3\) would stay/,
    );
    const accept = await handle
      .executeUpdate(retryUpdate, { args: [{ acceptBaselineFailures: true }] })
      .catch((e: Error) => e);
    expect((accept as Error & { cause?: Error }).cause?.message).toMatch(/--accept-failures applies only/);
    await handle.executeUpdate(retryUpdate, { args: [{ rebase: true, fromPhase: 1 }] });
    const result = deliverableSchema.parse(await handle.result());
    expect(result.execution_status.status).toBe('SUCCESS');
    const rerun = calls.filter((c) => c.phase === 'domain_model');
    expect(rerun.map((c) => c.baseCommit![0])).toEqual(['0', 'a']);
    expect(calls.filter((c) => c.name === 'runBaselineTests').map((c) => c.fresh)).toEqual([undefined, true]);
    expect(result.run.phases.map((p) => p.commit?.[0])).toEqual(['1', '2', '3', '4', '5', '6']);
    await record(handle, 'rebase-from-phase-1');
  });

  it('sends the worktree steps to the preparing worker; when it is gone, waits, and retry starts over on another', async () => {
    // Two workers' own queues (activities only, as `startWorker` runs them); A holds the first worktree.
    const [queueA, queueB] = ['wo-own-a', 'wo-own-b'];
    const own = await Promise.all(
      [queueA, queueB].map((queue) =>
        Worker.create({
          connection: env.nativeConnection,
          taskQueue: queue,
          activities: mockActivities(failNext, calls, memory),
        }),
      ),
    );
    const runs = own.map((w) => w.run());
    try {
      ownQueues.push(queueA, queueB);
      hangOn.queue = queueA;
      hangOn.phase = 'service_layer';
      const handle = await start(true, { workerTimeout: '2s' });
      // Phase 3 is running on A (its activity started there, not merely queued).
      await waitUntil(handle, () => calls.some((c) => c.phase === 'service_layer' && c.queue === queueA));
      // Worker A stops mid-phase 3: its activity fails, the retry waits on A's queue past the timeout.
      own[0]!.shutdown();
      await runs[0];
      const waiting = await waitUntil(handle, (p) => p.status === 'waiting');
      expect(waiting.worker).toBe(queueA);
      expect(waiting.waiting).toMatchObject({ step: 'service_layer', type: 'WorkerLost', phaseNumber: 3 });
      expect(waiting.waiting!.message).toMatch(
        /the worker holding this run's worktree \(task queue wo-own-a\) did not take service_layer within 2s: .*`retry` first asks that worker for 2s \(back on the same data folder, it retries service_layer in its worktree\); else it prepares a new worktree from the base 000000000000 on any worker and runs every phase again from phase 1/,
      );
      const before = calls.length;
      await expect(handle.executeUpdate(retryUpdate, { args: [{}] })).resolves.toMatch(
        /asking the worker wo-own-a whether it is back: if it is back, service_layer is retried in its worktree; else starting over on another worker: a new worktree from the base 000000000000, then every phase from phase 1/,
      );
      const result = deliverableSchema.parse(await handle.result());
      expect(result.execution_status.status).toBe('SUCCESS');
      expect(result.run.phases.map((p) => p.commit?.[0])).toEqual(['1', '2', '3', '4', '5', '6']);
      expect(result.run.phases.every((p) => p.status === 'completed')).toBe(true);

      // Before the loss: every worktree step (the sub-agents' phases too) on A.
      const first = calls.slice(0, before);
      expect(first.filter((c) => c.phase).map((c) => `${c.phase}@${c.queue}`)).toEqual([
        `domain_model@${queueA}`,
        `database_migration@${queueA}`,
        `service_layer@${queueA}`,
      ]);
      // After: a new worktree (from any worker, told what was lost), then all six phases again, on B.
      const after = calls.slice(before);
      expect(after[0]).toMatchObject({ name: 'prepareWorkspace', takeOver: { taskQueue: queueA } });
      expect(after.filter((c) => c.phase).map((c) => `${c.phase}@${c.queue}`)).toEqual(
        [
          'domain_model',
          'database_migration',
          'service_layer',
          'api_layer',
          'serialization',
          'testing_validation',
        ].map((phase) => `${phase}@${queueB}`),
      );
      expect(calls.filter((c) => c.phase === 'domain_model').map((c) => c.baseCommit![0])).toEqual([
        '0',
        '0',
      ]);
      expect(after.at(-1)).toMatchObject({
        name: 'releaseWorkspace',
        queue: queueB,
        release: { worktree: `/tmp/wt/${queueB}${handle.workflowId}` },
      });
      const final = await handle.query(progressQuery);
      expect(final.worker).toBe(queueB);
      // The activities scheduled in the history went to the queues that held the worktree.
      const events = (await handle.fetchHistory()).events ?? [];
      const scheduled = events
        .map((e) => e.activityTaskScheduledEventAttributes)
        .filter((a) => a)
        .map((a) => `${a!.activityType!.name}@${a!.taskQueue!.name}`);
      expect(scheduled).toEqual(
        expect.arrayContaining([
          `loadTechnicalContext@${taskQueue}`,
          `prepareWorkspace@${taskQueue}`,
          `analyzeCodebase@${queueA}`,
          `runBaselineTests@${queueA}`,
          `applyServiceLayerPhase@${queueA}`,
          `applyServiceLayerPhase@${queueB}`,
          `recordImplementationSummary@${taskQueue}`,
          `releaseWorkspace@${queueB}`,
        ]),
      );
      await record(handle, 'worker-lost-retry');
    } finally {
      for (const w of own) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.all(runs);
    }
  });

  it('on retry after a lost worker that is back (restarted on its data folder), retries the step in its worktree: nothing is done again', async () => {
    const queueA = 'wo-own-back';
    const startA = () =>
      Worker.create({
        connection: env.nativeConnection,
        taskQueue: queueA,
        activities: mockActivities(failNext, calls, memory),
      });
    let workerA = await startA();
    let runA = workerA.run();
    try {
      ownQueues.push(queueA);
      hangOn.queue = queueA;
      hangOn.phase = 'service_layer';
      const handle = await start(false, { workerTimeout: '2s' });
      await waitUntil(handle, () => calls.some((c) => c.phase === 'service_layer' && c.queue === queueA));
      workerA.shutdown();
      await runA;
      const waiting = await waitUntil(handle, (p) => p.status === 'waiting');
      expect(waiting.waiting).toMatchObject({ step: 'service_layer', type: 'WorkerLost' });
      // The same data folder's worker comes back (same own queue, the worktree still on its disk).
      delete hangOn.queue;
      workerA = await startA();
      runA = workerA.run();
      const before = calls.length;
      await expect(handle.executeUpdate(retryUpdate, { args: [{}] })).resolves.toMatch(
        /asking the worker wo-own-back whether it is back/,
      );
      const result = deliverableSchema.parse(await handle.result());
      expect(result.execution_status.status).toBe('SUCCESS');
      const after = calls.slice(before);
      // The question (no take-over), then phase 3 onwards in the same worktree, on the same worker.
      expect(after[0]).toEqual({ name: 'prepareWorkspace', queue: queueA });
      expect(after.filter((c) => c.phase).map((c) => `${c.phase}@${c.queue}`)).toEqual(
        ['service_layer', 'api_layer', 'serialization', 'testing_validation'].map(
          (phase) => `${phase}@${queueA}`,
        ),
      );
      expect(calls.filter((c) => c.name === 'prepareWorkspace' && c.takeOver)).toEqual([]);
      expect(calls.filter((c) => c.phase === 'domain_model')).toHaveLength(1);
      expect(result.run.phases.map((p) => p.commit?.[0])).toEqual(['1', '2', '3', '4', '5', '6']);
      expect(after.at(-1)).toMatchObject({ name: 'releaseWorkspace', queue: queueA });
      await record(handle, 'worker-back-retry');
    } finally {
      if (workerA.getState() === 'RUNNING') workerA.shutdown();
      await runA;
    }
  });
});
