/**
 * `specialist dev` as a user runs it (a subprocess of the built CLI: run `npm run build` first), and
 * the one-line exit-2 errors for a port taken, a missing Temporal CLI and an unusable data folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/python/interpreter';
import { postgresAnswers } from '../../src/stack/ports';
import type { StackFile } from '../../src/stack/stack-file';
import { freePort } from '../helpers/free-port';
import { processesMentioning } from '../helpers/processes';
import { temporalCliPath } from '../helpers/temporal';

jest.setTimeout(180_000);

const BIN = path.join(PROJECT_ROOT, 'bin', 'specialist.js');

async function stackEnv(home: string, extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // A developer's own TEMPORAL_ADDRESS / DATABASE_URL would point the command elsewhere.
  delete env.TEMPORAL_ADDRESS;
  delete env.DATABASE_URL;
  return {
    ...env,
    SPECIALIST_HOME: home,
    SPECIALIST_TEMPORAL_PORT: String(await freePort()),
    SPECIALIST_UI_PORT: String(await freePort()),
    SPECIALIST_PG_PORT: String(await freePort()),
    TEMPORAL_CLI: temporalCliPath(),
    NO_COLOR: '1',
    ...extra,
  };
}

/** Runs the CLI to completion (for commands that fail fast). */
function runCli(args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts a long-running CLI command and resolves once `marker` appears on its stdout. */
function startCli(args: string[], env: NodeJS.ProcessEnv, marker: string) {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  // The exit code, or the signal that ended the process.
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes(marker)) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then((code) =>
      reject(new Error(`exited with ${code} before "${marker}":\n${stdout}\n${stderr}`)),
    );
  });
  return { child, ready, exited, output: () => ({ stdout, stderr }) };
}

describe('specialist dev', () => {
  let home: string;
  beforeAll(() => {
    if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'client', 'cli.js'))) {
      throw new Error('the CLI is not built: run `npm run build` first');
    }
  });
  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'specialist-dev-'));
    chmodSync(home, 0o755); // As root, embedded PostgreSQL runs as `postgres`, which must enter it.
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('serves the UI and PostgreSQL, reuses itself, and leaves nothing behind after Ctrl-C', async () => {
    const env = await stackEnv(path.join(home, 'data'));
    const dev = startCli(['dev'], env, 'specialist dev: ready');
    try {
      await dev.ready;
      const stack = JSON.parse(readFileSync(path.join(home, 'data', 'stack.json'), 'utf8')) as StackFile;
      expect(stack.uiUrl).toBe(`http://127.0.0.1:${env.SPECIALIST_UI_PORT}`);
      expect(dev.output().stdout).toContain(`DATABASE_URL  ${stack.databaseUrl}`);
      expect((await fetch(stack.uiUrl!)).status).toBe(200);
      expect(await postgresAnswers(stack.databaseUrl)).toBe(true);

      // The same data folder: says it is already up.
      const again = runCli(['dev'], env);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(`already running (pid ${stack.pid})`);

      // Another data folder on the same ports: reuses both servers instead of failing.
      const reuse = startCli(
        ['dev', '--no-worker'],
        { ...env, SPECIALIST_HOME: path.join(home, 'other') },
        'specialist dev: ready',
      );
      await reuse.ready;
      expect(reuse.output().stdout).toMatch(/PostgreSQL: reusing[\s\S]*Temporal: reusing/);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(reuse.child.exitCode).toBeNull(); // still up: it only ends on Ctrl-C
      reuse.child.kill('SIGINT');
      expect(await reuse.exited).toBe(0);
      expect(await postgresAnswers(stack.databaseUrl)).toBe(true);
    } finally {
      dev.child.kill('SIGINT');
    }
    expect(await dev.exited).toBe(0);
    expect(dev.output().stdout).toContain('stopped.');
    expect(processesMentioning(home)).toEqual([]);
    expect(existsSync(path.join(home, 'data', 'stack.json'))).toBe(false);
  });

  it('exits 2 with one line when the Temporal port is taken by another program', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const result = runCli(['dev'], await stackEnv(home, { SPECIALIST_TEMPORAL_PORT: String(port) }));
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(
            `^specialist: port ${port} \\(Temporal\\) is already in use by another program: .*SPECIALIST_TEMPORAL_PORT`,
          ),
        ),
      ]);
      expect(processesMentioning(home)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('exits 2 with one line when the Temporal CLI is missing', async () => {
    const result = runCli(['dev'], await stackEnv(home, { TEMPORAL_CLI: '/nonexistent/temporal', PATH: '' }));
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^specialist: TEMPORAL_CLI=\/nonexistent\/temporal is not an executable file: /),
    ]);
  });

  it('exits 2 with one line when the data folder is not writable', async () => {
    writeFileSync(path.join(home, 'a-file'), '');
    const result = runCli(['dev'], await stackEnv(path.join(home, 'a-file', 'data')));
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^specialist: the data folder .*a-file\/data is not writable \(ENOTDIR\): set SPECIALIST_HOME/,
      ),
    ]);
  });

  it('exits 2 naming every bad variable', async () => {
    const result = runCli(
      ['dev'],
      await stackEnv(home, { SPECIALIST_PG_PORT: 'abc', TEMPORAL_ADDRESS: 'nope' }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^specialist: invalid configuration: .*TEMPORAL_ADDRESS.*SPECIALIST_PG_PORT/,
    );
  });

  (process.getuid?.() === 0 ? it : it.skip)(
    'as root, exits 2 when the postgres user cannot reach the data folder',
    async () => {
      const locked = path.join(home, 'locked');
      mkdirSync(locked, { mode: 0o700 });
      chmodSync(locked, 0o700);
      const result = runCli(['dev'], await stackEnv(path.join(locked, 'data')));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^specialist: running as root, embedded PostgreSQL runs as user postgres, which cannot enter .*locked/,
      );
    },
  );
});
