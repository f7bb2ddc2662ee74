/**
 * Determinism guard: replays the histories recorded by test/integration/workflow-orchestration.test.ts
 * (RECORD_HISTORIES=1) against today's workflow code. A change that alters the commands a recorded run
 * issued fails here before it breaks running executions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

const DIR = path.join(__dirname, '../replay/histories');

describe('replaying recorded histories', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it('replays every recorded run of implementFeature without nondeterminism', async () => {
    const histories = files.map((file) => {
      const recorded = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as {
        workflowId: string;
        history: object;
      };
      return {
        workflowId: recorded.workflowId,
        history: temporal.api.history.v1.History.fromObject(recorded.history),
      };
    });
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowsPath: require.resolve('../../src/workflows') },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
