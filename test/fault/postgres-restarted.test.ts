/**
 * Issue 10 item 7: PostgreSQL stopped for 30 s mid-run, then started again on the same data folder.
 * The run only touches the memory database at its start and at its end, so the outage is placed where
 * it hurts: it begins while phase 6 runs and lasts until writing the `changes_summary` has failed at
 * least once (and for 30 s in all). The `specialist worker` process survives its pool's broken
 * connections, the write is retried once the database is back, and the run ends SUCCESS with one
 * summary version and the tree of a clean run of the same spec (finished before the outage).
 */
import { FaultStack, sleep, until } from './harness';

const stack = new FaultStack('postgres-restarted');
const REFERENCE = `${stack.taskQueue}-reference`;

beforeAll(async () => {
  await stack.start();
}, 300_000);

afterAll(() => stack.stop(), 120_000);

it('a run survives PostgreSQL down for 30 s and records its summary once', async () => {
  await stack.startWorker(REFERENCE);
  const reference = await stack.startRun(await stack.sample(), undefined, REFERENCE);
  await stack.expectSucceeded(reference);

  const worker = await stack.startWorker();
  const run = await stack.startRun(await stack.sample());
  await stack.waitForPhases(run.repo, 5);
  await stack.pg.stop();
  const down = Date.now();
  stack.note('PostgreSQL stopped');
  const handle = stack.client.workflow.getHandle(run.id);
  await until(
    'the summary write to fail against the stopped database',
    async () =>
      (await handle.describe()).raw.pendingActivities?.some(
        (a) => a.activityType?.name === 'recordImplementationSummary' && (a.attempt ?? 0) > 1,
      ),
    900_000,
    1_000,
  );
  stack.note('summary write failed and waits for a retry');
  await sleep(Math.max(0, 30_000 - (Date.now() - down)));
  await stack.startPostgres();
  stack.note('PostgreSQL started again');

  await stack.expectSucceeded(run);
  expect(await stack.tree(run)).toBe(await stack.tree(reference));
  expect(worker.child.exitCode).toBeNull();
  await stack.expectNothingLeft();
}, 1_500_000);
