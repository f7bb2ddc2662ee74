/**
 * Issue 10 item 7: the worker SIGKILLed (no clean-up of any kind) while phase 2 runs, again while
 * phase 3 runs, and again while phase 6's pytest runs — each time a replacement `specialist worker`
 * (same data folder) is started. The run ends SUCCESS with one commit per phase and the same tree as
 * a clean run of the same spec (a reference run on its own task queue, whose worker is never killed);
 * the replacement worker kills the pytest the dead one left and removes its temp folders.
 * Each kill costs the activity's heartbeat timeout (1 minute for phases 2 and 3, 2 minutes for
 * phase 6) before Temporal hands it to the new worker: about 4 minutes of waiting on purpose.
 */
import { readdirSync } from 'node:fs';
import { FaultStack, until } from './harness';

const stack = new FaultStack('worker-killed');
const REFERENCE = `${stack.taskQueue}-reference`;

beforeAll(async () => {
  await stack.start();
}, 300_000);

afterAll(() => stack.stop(), 120_000);

it('SIGKILLed in phases 2, 3 and 6, a run ends SUCCESS with a clean run’s tree', async () => {
  const [repo, referenceRepo] = [await stack.sample(), await stack.sample()];
  let [worker] = await Promise.all([stack.startWorker(), stack.startWorker(REFERENCE)]);
  const [run, reference] = await Promise.all([
    stack.startRun(repo),
    stack.startRun(referenceRepo, undefined, REFERENCE),
  ]);

  for (const committed of [1, 2]) {
    // Phase `committed + 1` starts as soon as the previous one is committed.
    await stack.waitForPhases(repo, committed);
    await stack.killWorker(worker!);
    worker = await stack.startWorker();
  }
  // Phase 6: kill while its pytest runs (its temp folder exists once phase 5 is committed).
  await stack.waitForPhases(repo, 5);
  await until(
    'phase 6 pytest',
    async () => readdirSync(stack.tmp).some((f) => f.startsWith('specialist-pytest-')),
    300_000,
    100,
  );
  await stack.killWorker(worker!);
  worker = await stack.startWorker();
  // The replacement removed what the dead worker left of phase 6 (its pytest temp folder at least).
  expect(worker.output()).toMatch(
    /removed what a stopped worker left: \d+ process group\(s\), [1-9]\d* temp folder\(s\)/,
  );

  await stack.expectSucceeded(run);
  await stack.expectSucceeded(reference);
  expect(await stack.tree(run)).toBe(await stack.tree(reference));
  await stack.expectNothingLeft();
}, 1_500_000);
