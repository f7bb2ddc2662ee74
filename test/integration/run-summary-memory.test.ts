/**
 * The run's `changes_summary` write on a real PostgreSQL: runs of one feature on one repository share
 * a workflow id (one open at a time), so the idempotency key holds the run id — a retried attempt of a
 * run adds no version, the next run of the feature adds its own.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { createContextActivities, implementationNamespace } from '../../src/activities/context-activities';
import { createMemoryPool, migrateMemoryDatabase, MemoryStore } from '../../src/memory';
import type { RunningPostgres } from '../../src/stack/embedded-postgres';
import { startTestPostgres } from '../helpers/postgres';

let pg: RunningPostgres;
let pool: Pool;

beforeAll(async () => {
  pg = await startTestPostgres();
  pool = createMemoryPool({ connectionString: pg.url, max: 2 });
  await migrateMemoryDatabase(pool);
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await pg?.stop();
});

it('adds one version per run of the feature, none per retried attempt', async () => {
  const { recordImplementationSummary } = createContextActivities({ pool });
  const workflowId = 'feature-task-summary-0123abcd';
  const attempt = (runId: string, n: number) =>
    new MockActivityEnvironment({
      activityType: 'recordImplementationSummary',
      attempt: n,
      workflowExecution: { workflowId, runId },
    }).run(recordImplementationSummary, { workflowId, taskId: workflowId, value: { run: runId } });

  expect(await attempt('run-1', 1)).toEqual({ version: 1 });
  expect(await attempt('run-1', 2)).toEqual({ version: 1 });
  expect(await attempt('run-2', 1)).toEqual({ version: 2 });
  expect(await attempt('run-2', 2)).toEqual({ version: 2 });
  const versions = await new MemoryStore(pool).history({
    namespace: implementationNamespace(workflowId),
    key: 'changes_summary',
  });
  expect(versions.map((v) => v.value)).toEqual(expect.arrayContaining([{ run: 'run-1' }, { run: 'run-2' }]));
  expect(versions).toHaveLength(2);
});
