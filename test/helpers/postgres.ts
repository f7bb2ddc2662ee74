/** A throwaway embedded PostgreSQL for one test file: `const pg = await startTestPostgres(); ... await pg.stop();` */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/stack/embedded-postgres';
import { freePort } from './free-port';

export async function startTestPostgres(): Promise<RunningPostgres> {
  if (process.env.TEST_DATABASE_URL) {
    return { url: process.env.TEST_DATABASE_URL, port: 0, stop: async () => {} };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-pg-'));
  // As root, initdb runs as the `postgres` user, which must be able to enter the folder.
  chmodSync(dir, 0o755);
  const running = await startEmbeddedPostgres({
    dir: path.join(dir, 'data'),
    port: await freePort(),
    database: 'test',
  });
  return {
    ...running,
    stop: async () => {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
