/**
 * Issue 10 item 7: the Temporal dev server stopped and started again mid-run (phase 3), with its
 * history kept in its SQLite file (`start-dev --db-filename`, as `specialist dev` runs it). The
 * `specialist worker` process rides the outage out and the run ends SUCCESS with the tree of a clean
 * run of the same spec, finished before the restart on its own task queue.
 */
import { FaultStack, sleep } from './harness';

const stack = new FaultStack('temporal-restarted');
const REFERENCE = `${stack.taskQueue}-reference`;

beforeAll(async () => {
  await stack.start();
}, 300_000);

afterAll(() => stack.stop(), 120_000);

it('a run survives a restart of the Temporal server and ends with a clean run’s tree', async () => {
  // The clean reference first: the restart must not touch it.
  await stack.startWorker(REFERENCE);
  const reference = await stack.startRun(await stack.sample(), undefined, REFERENCE);
  await stack.expectSucceeded(reference);

  await stack.startWorker();
  const run = await stack.startRun(await stack.sample());
  await stack.waitForPhases(run.repo, 2);
  await stack.temporal.stop();
  stack.note('Temporal stopped');
  await sleep(5_000);
  await stack.startTemporal();
  stack.note('Temporal started again on the same history');

  await stack.expectSucceeded(run);
  expect(await stack.tree(run)).toBe(await stack.tree(reference));
  await stack.expectNothingLeft();
}, 1_500_000);
