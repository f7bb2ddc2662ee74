import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createMemoryActivities } from '../../src/activities/memory-activities';
import {
  MemoryStore,
  createMemoryPool,
  migrateMemoryDatabase,
  type MemoryUpdateInput,
} from '../../src/memory';
import type { RunningPostgres } from '../../src/stack/embedded-postgres';
import { startTestPostgres } from '../helpers/postgres';
import { startTestTemporal } from '../helpers/temporal';
import { memoryRoundTripWorkflow } from './memory-workflows';

let pg: RunningPostgres;
let pool: Pool;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  [pg, env] = await Promise.all([startTestPostgres(), startTestTemporal()]);
  pool = createMemoryPool({ connectionString: pg.url, max: 4 });
  await migrateMemoryDatabase(pool);
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await Promise.all([env?.teardown(), pg?.stop()]);
}, 120_000);

describe('memory activities on a real Temporal worker', () => {
  it('add, update, get and search from a workflow; a retried write adds no version; a conflict is not retried', async () => {
    const real = createMemoryActivities({ pool });
    const calls: Record<string, number> = {};
    const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
    const activities = {
      ...real,
      async memoryAdd(input: Parameters<typeof real.memoryAdd>[0]) {
        count('memoryAdd');
        return real.memoryAdd(input);
      },
      // The first attempt commits its version and then "loses its reply": the retry must find it.
      async memoryUpdate(input: MemoryUpdateInput) {
        count('memoryUpdate');
        const result = await real.memoryUpdate(input);
        if (Context.current().info.attempt === 1) throw new Error('worker lost the reply after committing');
        return result;
      },
    };
    const taskQueue = 'memory-activities-test';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./memory-workflows'),
      activities,
    });
    const namespace = 'task:wf42:implementation';
    const result = await worker.runUntil(
      env.client.workflow.execute(memoryRoundTripWorkflow, {
        taskQueue,
        workflowId: 'memory-round-trip',
        args: [namespace],
      }),
    );

    expect(result.added).toMatchObject({ namespace, key: 'changes_summary', version: 1, replayed: false });
    expect(result.updated).toMatchObject({ version: 2, replayed: true });
    expect(calls.memoryUpdate).toBe(2);
    expect(result.latest).toMatchObject({
      version: 2,
      value: { test_coverage: 95.2 },
      memoryType: 'episodic',
    });
    expect(result.found).toEqual(['changes_summary']);
    expect(result.conflictType).toBe('MemoryConflict');
    expect(calls.memoryAdd).toBe(2); // the first add and the conflicting one, which was not retried

    const history = await new MemoryStore(pool).history({ namespace, key: 'changes_summary' });
    expect(history.map((e) => e.version)).toEqual([1, 2]);
    const audit = await new MemoryStore(pool).audit({ namespace, key: 'changes_summary' });
    expect(audit.map((a) => [a.action, a.idempotencyKey?.startsWith('memory-round-trip:')])).toEqual([
      ['add', true],
      ['update', true],
    ]);
  }, 180_000);
});
