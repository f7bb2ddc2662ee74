import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from '../../src/client/cli-error';
import { ensureDatabaseUrl, ensureStack } from '../../src/stack/ensure-stack';
import { readStackFile, stackFilePath, writeStackFile } from '../../src/stack/stack-file';

describe('ensureStack and ensureDatabaseUrl', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'specialist-ensure-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const external = {
    TEMPORAL_ADDRESS: 'temporal.example:7233',
    TEMPORAL_NAMESPACE: 'features',
    DATABASE_URL: 'postgres://u:p@db.example:5432/memory',
  };

  it('uses TEMPORAL_ADDRESS and DATABASE_URL as they are, starting nothing', async () => {
    const stack = await ensureStack({ env: { ...external, SPECIALIST_HOME: home } });
    expect(stack).toMatchObject({
      source: 'environment',
      temporalAddress: 'temporal.example:7233',
      namespace: 'features',
      taskQueue: 'python-backend-specialist',
      databaseUrl: external.DATABASE_URL,
    });
    await stack.stop();
  });

  it('uses DATABASE_URL for the database alone', async () => {
    const db = await ensureDatabaseUrl({
      env: { DATABASE_URL: external.DATABASE_URL, SPECIALIST_HOME: home },
    });
    expect(db.url).toBe(external.DATABASE_URL);
    await db.stop();
  });

  it('uses the stack of a running `specialist dev` of the same data folder', async () => {
    // Stands in for the `specialist dev` process (its command line names the tool).
    const dev = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', 'specialist', 'dev']);
    try {
      writeStackFile(home, {
        pid: dev.pid!,
        temporalAddress: '127.0.0.1:17233',
        namespace: 'default',
        taskQueue: 'python-backend-specialist',
        uiUrl: 'http://127.0.0.1:18233',
        databaseUrl: 'postgres://postgres:postgres@127.0.0.1:15432/specialist',
        pids: {},
        startedAt: new Date().toISOString(),
      });
      const stack = await ensureStack({ env: { SPECIALIST_HOME: home } });
      expect(stack).toMatchObject({
        source: 'dev',
        temporalAddress: '127.0.0.1:17233',
        uiUrl: 'http://127.0.0.1:18233',
      });
      const db = await ensureDatabaseUrl({ env: { SPECIALIST_HOME: home } });
      expect(db.url).toBe('postgres://postgres:postgres@127.0.0.1:15432/specialist');
    } finally {
      dev.kill();
    }
  });

  it('ignores and removes the stack file of a `specialist dev` that is gone', async () => {
    // Alive but not `specialist dev`: as when a crashed dev's pid is reused.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeStackFile(home, {
        pid: other.pid!,
        temporalAddress: '127.0.0.1:17233',
        namespace: 'default',
        taskQueue: 'python-backend-specialist',
        databaseUrl: 'postgres://postgres:postgres@127.0.0.1:15432/specialist',
        pids: {},
        startedAt: new Date().toISOString(),
      });
      expect(readStackFile(home)).toBeUndefined();
      expect(existsSync(stackFilePath(home))).toBe(false);
    } finally {
      other.kill();
    }
  });

  it('reports bad configuration as a one-line CLI error (exit 2)', async () => {
    await expect(ensureStack({ env: { SPECIALIST_PG_PORT: 'x', SPECIALIST_HOME: home } })).rejects.toEqual(
      expect.objectContaining({
        name: 'CliError',
        exitCode: 2,
        message: expect.stringContaining('SPECIALIST_PG_PORT'),
      }),
    );
  });

  it('reports a data folder it cannot write as a CLI error', async () => {
    writeFileSync(path.join(home, 'file'), '');
    const attempt = ensureDatabaseUrl({ env: { SPECIALIST_HOME: path.join(home, 'file', 'data') } });
    await expect(attempt).rejects.toBeInstanceOf(CliError);
    await expect(attempt).rejects.toThrow(/not writable/);
  });
});
