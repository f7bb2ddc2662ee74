/**
 * `specialist memory ...` as a user runs it: a subprocess of the built CLI (run `npm run build` first),
 * against the test database through DATABASE_URL — and, with no DATABASE_URL and no stack running, on
 * an embedded PostgreSQL the command starts and stops itself.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/python/interpreter';
import type { RunningPostgres } from '../../src/stack/embedded-postgres';
import { freePort } from '../helpers/free-port';
import { processesMentioning } from '../helpers/processes';
import { startTestPostgres } from '../helpers/postgres';

let pg: RunningPostgres;
let tmp: string;

beforeAll(async () => {
  if (!existsSync(path.join(PROJECT_ROOT, 'dist/client/commands/memory.js')))
    throw new Error('the CLI is not built: run `npm run build` first');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'memory-cli-'));
  chmodSync(tmp, 0o755);
  pg = await startTestPostgres();
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}, 60_000);

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function specialist(args: string[], env: NodeJS.ProcessEnv = { DATABASE_URL: pg.url }): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin/specialist.js'), 'memory', ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SPECIALIST_HOME: path.join(tmp, 'home'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function json(args: string[]): Promise<unknown> {
  const outcome = await specialist([...args, '--json']);
  expect(outcome).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(outcome.stdout);
}

describe('specialist memory', () => {
  const ns = 'task:cli1:technical_specs';

  it('adds, updates, gets, lists history, searches, lists namespaces, audits and deletes', async () => {
    expect(
      await json([
        'add',
        ns,
        'data_models',
        '--type',
        'semantic',
        '--value',
        '{"changes":[]}',
        '--by',
        'tester',
      ]),
    ).toMatchObject({ namespace: ns, key: 'data_models', version: 1, createdBy: 'tester', replayed: false });

    const file = path.join(tmp, 'value.json');
    writeFileSync(file, JSON.stringify({ changes: [{ model: 'Task', field: 'summary' }] }));
    expect(await json(['update', ns, 'data_models', '--value-file', file, '--task', 't-7'])).toMatchObject({
      version: 2,
      taskId: 't-7',
      updatedBy: expect.stringMatching(/^cli:/),
    });
    expect(await json(['get', ns, 'data_models'])).toMatchObject({
      version: 2,
      value: { changes: [{ model: 'Task', field: 'summary' }] },
    });
    expect(await json(['get', ns, 'data_models', '--version', '1'])).toMatchObject({
      value: { changes: [] },
    });
    expect(
      ((await json(['history', ns, 'data_models'])) as { version: number }[]).map((e) => e.version),
    ).toEqual([1, 2]);
    expect(((await json(['search', 'task:cli1'])) as { key: string }[]).map((e) => e.key)).toEqual([
      'data_models',
    ]);
    expect(await json(['namespaces', 'task:cli1'])).toEqual([
      { namespace: ns, entries: 1, updatedAt: expect.any(String) },
    ]);

    const table = await specialist(['search', 'task:cli1']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('data_models');
    expect(table.stdout).toContain('namespace');
    const shown = await specialist(['get', ns, 'data_models']);
    expect(shown.stdout).toContain('"field": "summary"');

    expect(await json(['delete', ns, 'data_models'])).toMatchObject({ version: 2, replayed: false });
    expect(((await json(['audit', ns, 'data_models'])) as { action: string }[]).map((a) => a.action)).toEqual(
      ['add', 'update', 'delete'],
    );
  }, 180_000);

  it.each([
    [['add', 'task::x', 'k', '--type', 'semantic', '--value', '{}'], /namespace must be/],
    [
      ['add', 'task:x', 'k', '--type', 'working', '--value', '{}'],
      /memoryType must be one of semantic, episodic, procedural/,
    ],
    [['add', 'task:x', 'k', '--type', 'semantic', '--value', '[1]'], /--value must be a JSON object/],
    [['add', 'task:x', 'k', '--type', 'semantic', '--value', '{oops'], /--value is not valid JSON/],
    [['add', 'task:x', 'k', '--value', '{}'], /--type semantic \| episodic \| procedural/],
    [['add', 'task:x', 'k', '--type', 'semantic'], /--value '<json object>' or --value-file/],
    [['get', 'task:cli-missing', 'nothing'], /memory get task:cli-missing\/nothing: no such entry/],
    [['get', 'task:x', 'k', '--version', 'two'], /not a whole number: two/],
  ])(
    'fails with one clear line and exit code 2: %j',
    async (args, expected) => {
      const outcome = await specialist(args);
      expect(outcome.code).toBe(2);
      expect(outcome.stdout).toBe('');
      expect(outcome.stderr).toMatch(expected);
      expect(outcome.stderr.trim().split('\n')).toHaveLength(1);
    },
    60_000,
  );

  it('starts an embedded PostgreSQL for the command when there is no DATABASE_URL and no stack', async () => {
    const home = path.join(tmp, 'embedded-home');
    const env = { SPECIALIST_HOME: home, SPECIALIST_PG_PORT: String(await freePort()) };
    const added = await specialist(
      ['add', 'task:embedded', 'k', '--type', 'episodic', '--value', '{"a":1}', '--json'],
      env,
    );
    expect(added).toMatchObject({ code: 0 });
    expect(JSON.parse(added.stdout)).toMatchObject({ version: 1 });
    const got = await specialist(['get', 'task:embedded', 'k', '--json'], env);
    expect(JSON.parse(got.stdout)).toMatchObject({ value: { a: 1 } });
    expect(processesMentioning(home)).toEqual([]);
  }, 120_000);
});
