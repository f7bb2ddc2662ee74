/**
 * pytest always ends: on a real tiny project whose conftest leaves an aiosqlite connection open after
 * its database failed to initialise (test/fixtures/pytest-exit), real pytest from the shared venv must
 * exit at once with its own status, the JUnit report and the coverage data written, and the error
 * (`sqlite3.OperationalError`) readable in what phase 6 reports. Without our plugin this run waits
 * until the timeout (the connection's thread is not a daemon).
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { headline } from '../../src/phases/testing-phase';
import { SHARED_VENV } from '../../src/python/interpreter';
import { runProcess } from '../../src/python/run-process';
import { PYTEST_PLUGIN_DIR, runPytest } from '../../src/validation/pytest-runner';

jest.setTimeout(240_000);

const FIXTURE = path.join(__dirname, '../fixtures/pytest-exit');
const PYTHON = path.join(SHARED_VENV, 'bin', 'python');
/** Far above the seconds the run takes, far below the 10 minutes a hang would take. */
const TIMEOUT_MS = 90_000;

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function copyFixture(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pytest-exit-'));
  temps.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).sort();
}

describe('pytest always ends', () => {
  it('exits at once with the report, the coverage and the database error when a connection is left open', async () => {
    const root = copyFixture();
    const before = listFiles(root);
    const run = await runPytest({ python: PYTHON, root, covPackages: ['inventory'], timeoutMs: TIMEOUT_MS });

    expect(run.timedOut).toBe(false);
    expect(run.exitCode).toBe(1);
    expect(run.durationMs).toBeLessThan(TIMEOUT_MS / 2);
    expect(run.outputTail).toMatch(/thread\(s\) still run .*exiting with status 1/);
    // The JUnit report is complete: one pass, the setup error with its sqlite text.
    expect(run.junit).toMatchObject({ passed: 1, failed: 0, errors: 1 });
    const error = run.junit!.cases.find((c) => c.outcome === 'error')!;
    expect(error.id).toBe('tests/test_inventory.py::test_database_opens');
    expect(headline(error.message!)).toMatch(/sqlite3\.OperationalError: no such table: stock/);
    // Coverage data was written before the exit.
    expect(run.coverage).toBeDefined();
    expect(Object.keys(run.coverage!.files)).toContain('src/inventory/database.py');
    // Nothing of ours was written into the project.
    expect(listFiles(root)).toEqual(before);
  });

  it('hangs without the plugin: the fixture really leaves a thread that blocks the exit', async () => {
    const root = copyFixture();
    const outcome = await runProcess(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], {
      cwd: root,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTEST_ADDOPTS: '' },
      timeoutMs: 15_000,
    });
    expect(outcome.stdout).toMatch(/1 passed, 1 error/);
    expect(outcome.timedOut).toBe(true);
  });

  it('also ends when the conftest itself fails on import with the connection open (no session)', async () => {
    const root = copyFixture();
    writeFileSync(
      path.join(root, 'tests', 'conftest.py'),
      [
        'import asyncio',
        '',
        'from inventory.database import Database',
        '',
        '# At import: pytest cannot even start its session.',
        'asyncio.run(Database(":memory:").initialize())',
        '',
      ].join('\n'),
    );
    const run = await runPytest({ python: PYTHON, root, covPackages: ['inventory'], timeoutMs: TIMEOUT_MS });
    expect(run.timedOut).toBe(false);
    // pytest's own status for a conftest that cannot be imported.
    expect(run.exitCode).toBe(4);
    expect(run.junit).toBeUndefined();
    expect(run.outputTail).toMatch(/sqlite3\.OperationalError: no such table: stock/);
  });

  it('leaves a clean run alone: exit 0 and no message when no thread is left', async () => {
    const root = copyFixture();
    const run = await runPytest({
      python: PYTHON,
      root,
      covPackages: ['inventory'],
      targets: ['tests/test_inventory.py::test_item_label_is_title_case'],
      timeoutMs: TIMEOUT_MS,
    });
    expect(run.exitCode).toBe(0);
    expect(run.junit).toMatchObject({ passed: 1, errors: 0 });
    expect(run.outputTail).not.toMatch(/still run/);
  });

  it('keeps its plugin outside the project, in the folder shipped beside dist/', () => {
    expect(listFiles(PYTEST_PLUGIN_DIR)).toContain('specialist_pytest_exit.py');
    expect(path.relative(FIXTURE, PYTEST_PLUGIN_DIR).startsWith('..')).toBe(true);
  });
});
