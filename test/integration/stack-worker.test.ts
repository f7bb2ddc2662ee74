/**
 * `specialist worker` against an existing cluster and database (TEMPORAL_ADDRESS / DATABASE_URL), as
 * with docker-compose or a shared cluster: registers the missing search attributes, serves workflows,
 * and stops cleanly on SIGTERM. Needs the built CLI (`npm run build`).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { PROJECT_ROOT } from '../../src/python/interpreter';
import type { RunningPostgres } from '../../src/stack/embedded-postgres';
import { registerSearchAttributes } from '../../src/stack/register-search-attributes';
import { startTestPostgres } from '../helpers/postgres';
import { startTestTemporal } from '../helpers/temporal';

jest.setTimeout(180_000);

describe('specialist worker on an existing cluster', () => {
  let temporal: TestWorkflowEnvironment;
  let postgres: RunningPostgres;

  beforeAll(async () => {
    [temporal, postgres] = await Promise.all([startTestTemporal(), startTestPostgres()]);
  });
  afterAll(async () => {
    await temporal?.teardown();
    await postgres?.stop();
  });

  it('registers the search attributes the cluster lacks, then serves the health check until SIGTERM', async () => {
    const address = temporal.address;
    const taskQueue = `worker-test-${Date.now()}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: postgres.url,
      NO_COLOR: '1',
    };
    const worker = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'specialist.js'), 'worker'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('worker polling')) resolve();
        };
        worker.stdout.on('data', onData);
        worker.stderr.on('data', onData);
        void exited.then((code) => reject(new Error(`worker exited with ${code}:\n${output}`)));
      });
      expect(output).toContain(
        'registered search attributes: SpecialistFeature, SpecialistPhase, SpecialistStatus',
      );
      const client = new Client({ connection: temporal.connection, namespace: 'default' });
      const result = await client.workflow.execute('healthCheckWorkflow', {
        taskQueue,
        workflowId: `health-check-worker-test-${Date.now()}`,
        args: [{ echo: 'worker' }],
        workflowExecutionTimeout: '1 minute',
      });
      expect(result).toMatchObject({ echo: 'worker', database: 'test' });
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // A second registration finds them all present.
    expect(await registerSearchAttributes(address, 'default')).toEqual([]);
  });
});
