import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startStack, type RunningStack } from '../../src/stack/embedded-stack';
import { freePort } from '../helpers/free-port';
import { isAlive, processesMentioning } from '../helpers/processes';
import { temporalCliPath } from '../helpers/temporal';

jest.setTimeout(180_000);

describe('the local stack, started the way `specialist dev` starts it', () => {
  let home: string;
  let stack: RunningStack;
  let uiPort: number;
  let connection: Connection;
  let client: Client;
  const workflowId = `health-check-stack-test-${Date.now()}`;

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'specialist-stack-'));
    chmodSync(home, 0o755); // As root, embedded PostgreSQL runs as `postgres`, which must enter it.
    uiPort = await freePort();
    stack = await startStack({
      dataDir: home,
      temporalPort: await freePort(),
      uiPort,
      pgPort: await freePort(),
      namespace: 'default',
      taskQueue: 'stack-test',
      temporalCli: temporalCliPath(),
    });
    connection = await Connection.connect({ address: stack.temporalAddress });
    client = new Client({ connection, namespace: stack.namespace });
  });

  afterAll(async () => {
    await connection?.close();
    await stack?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('started Temporal, PostgreSQL and a worker itself', () => {
    expect(stack.started).toEqual({ temporal: true, postgres: true, worker: true });
    expect(stack.uiUrl).toBe(`http://127.0.0.1:${uiPort}`);
    expect(stack.databaseUrl).toMatch(/^postgres:\/\/.*\/specialist$/);
  });

  it('runs the health-check workflow through the worker against PostgreSQL', async () => {
    const result = await client.workflow.execute('healthCheckWorkflow', {
      taskQueue: 'stack-test',
      workflowId,
      args: [{ echo: 'stack-test' }],
      workflowExecutionTimeout: '1 minute',
    });
    expect(result).toMatchObject({ echo: 'stack-test', database: 'specialist' });
    expect((result as { postgres: string }).postgres).toMatch(/^PostgreSQL \d+/);
  });

  it('reads the finished run back through the client', async () => {
    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.type).toBe('healthCheckWorkflow');
  });

  it("reads the finished run back through the Web UI's HTTP API", async () => {
    const response = await fetch(`${stack.uiUrl}/api/v1/namespaces/default/workflows/${workflowId}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      workflowExecutionInfo: { type: { name: string }; status: string };
    };
    expect(body.workflowExecutionInfo.type.name).toBe('healthCheckWorkflow');
    expect(body.workflowExecutionInfo.status).toBe('WORKFLOW_EXECUTION_STATUS_COMPLETED');
  });

  it('has the project search attributes registered', async () => {
    const response = await fetch(`${stack.uiUrl}/api/v1/namespaces/default/search-attributes`);
    const body = (await response.json()) as { customAttributes: Record<string, string> };
    expect(body.customAttributes).toMatchObject({
      SpecialistFeature: 'INDEXED_VALUE_TYPE_KEYWORD',
      SpecialistPhase: 'INDEXED_VALUE_TYPE_KEYWORD',
      SpecialistStatus: 'INDEXED_VALUE_TYPE_KEYWORD',
    });
  });

  it('keeps history in the data folder and leaves no process behind when stopped', async () => {
    await connection.close();
    await stack.stop();
    expect(Object.values(stack.pids).filter((pid) => pid && isAlive(pid))).toEqual([]);
    expect(processesMentioning(home)).toEqual([]);
    expect(existsSync(path.join(home, 'temporal', 'history.db'))).toBe(true);
    expect(existsSync(path.join(home, 'postgres', 'PG_VERSION'))).toBe(true);
  });
});
