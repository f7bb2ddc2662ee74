/**
 * Issue 10 item 4, "specs that cannot hurt", with the built CLI against a real PostgreSQL and Temporal:
 * each hostile spec is refused with exit 2 and one clear line, before anything is written — no file
 * outside the workspace, no memory row, no workflow.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { storeTechnicalSpecs } from '../../src/client/commands/run-specs';
import { SpecialistError } from '../../src/errors';
import { createMemoryPool, migrateMemoryDatabase, MemoryStore } from '../../src/memory';
import { writeGenerated } from '../../src/phases/testing-phase';
import { PROJECT_ROOT } from '../../src/python/interpreter';
import { parseFeatureSpec, type FeatureSpec } from '../../src/spec/feature-spec';
import type { RunningPostgres } from '../../src/stack/embedded-postgres';
import { freePort } from '../helpers/free-port';
import { startTestPostgres } from '../helpers/postgres';
import { startTestTemporal } from '../helpers/temporal';

const BIN = path.join(PROJECT_ROOT, 'bin', 'specialist.js');

let pg: RunningPostgres;
let pool: Pool;
let temporal: TestWorkflowEnvironment;
let scratch: string;
let workspace: string;

beforeAll(async () => {
  if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'client', 'cli.js')))
    throw new Error('the CLI is not built: run `npm run build` first');
  pg = await startTestPostgres();
  pool = createMemoryPool({ connectionString: pg.url, max: 4 });
  await migrateMemoryDatabase(pool);
  temporal = await startTestTemporal();
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await pg?.stop();
  await temporal?.teardown();
}, 60_000);

beforeEach(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'hostile-specs-'));
  // The user's checkout, with a sibling folder a `..` path would reach.
  // A real project: `run` plans the feature before anything else (a spec that plans cleanly reaches
  // the later checks, such as the database's).
  workspace = path.join(scratch, 'checkout');
  cpSync(path.join(PROJECT_ROOT, 'examples', 'taskqueue'), workspace, {
    recursive: true,
    filter: (src) => !/(__pycache__|\.pytest_cache|\.mypy_cache|\.venv)$/.test(src),
  });
  const git = (...args: string[]) =>
    spawnSync('git', ['-C', workspace, ...args], { encoding: 'utf8' }).status === 0 ||
    (() => {
      throw new Error(`git ${args.join(' ')} failed`);
    })();
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'base');
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const SPEC = {
  feature: 'task-summary',
  data_models: { changes: [{ model: 'Task', field: 'summary', type: 'str', nullable: true }] },
};

function cli(args: string[], extra: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    DATABASE_URL: pg.url,
    SPECIALIST_HOME: path.join(scratch, 'home'),
    NO_COLOR: '1',
    ...extra,
  };
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env,
    encoding: 'utf8',
    timeout: 90_000,
    cwd: scratch,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeSpec(name: string, content: string | Buffer): string {
  const file = path.join(scratch, name);
  writeFileSync(file, content);
  return file;
}

async function memoryRows(): Promise<{ entries: number; versions: number; audit: number }> {
  const { rows } = await pool.query<{ entries: number; versions: number; audit: number }>(`
    SELECT (SELECT count(*)::int FROM memory_entries) AS entries,
           (SELECT count(*)::int FROM memory_versions) AS versions,
           (SELECT count(*)::int FROM memory_audit) AS audit`);
  return rows[0]!;
}

async function workflowCount(): Promise<number> {
  let count = 0;
  for await (const _ of temporal.client.workflow.list()) count++;
  return count;
}

/** Every file under `dir` (relative), to prove nothing was added. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => !f.split(path.sep).includes('.git'))
    .sort();
}

describe('an architecture path outside the workspace', () => {
  it('is refused by `run` before anything starts, naming the key; nothing is written anywhere', async () => {
    const spec = writeSpec(
      'escape.json',
      JSON.stringify({ ...SPEC, architecture: { tests: '../outside', service: '/tmp/x.py' } }),
    );
    const before = { files: tree(scratch), rows: await memoryRows(), workflows: await workflowCount() };
    const result = cli(['run', spec, '--workspace', workspace]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('architecture.tests: "../outside" is outside the workspace');
    expect(result.stderr).toContain('architecture.service: "/tmp/x.py" is outside the workspace');
    expect(tree(scratch)).toEqual(before.files);
    expect(await memoryRows()).toEqual(before.rows);
    expect(await workflowCount()).toBe(before.workflows);
  });

  it('is refused by `plan` (the analysis) too', () => {
    const spec = writeSpec('escape.json', JSON.stringify({ ...SPEC, architecture: { tests: '../../x' } }));
    const result = cli(['plan', spec, '--workspace', workspace]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('architecture.tests: "../../x" is outside the workspace');
  });

  it('never reaches the disk through phase 6 (the writer refuses it on its own)', async () => {
    const outside = path.join(scratch, 'outside', 'test_x_unit.py');
    const error = await writeGenerated(workspace, [
      { path: '../outside/test_x_unit.py', category: 'unit', content: 'def test_x():\n    pass\n' },
    ]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SpecialistError);
    expect((error as SpecialistError).message).toMatch(/outside the workspace: refusing to write it/);
    expect(existsSync(outside)).toBe(false);
  });
});

describe('a spec file that is not text', () => {
  it('is refused with exit 2 and not echoed', () => {
    const bytes = Buffer.concat([Buffer.from('\u001b[2J\u001b]0;pwned\u0007'), Buffer.from([0, 0xff, 0xfe])]);
    const spec = writeSpec('binary.json', bytes);
    const result = cli(['run', spec, '--workspace', workspace]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${spec} is not a text JSON file`);
    expect(result.stderr).not.toContain('\u001b');
    expect(result.stderr).not.toContain('pwned');
    expect(result.stdout).toBe('');
  });
});

describe('an unpaired surrogate in the spec', () => {
  it('is refused by the schema naming its JSON path; memory is unchanged', async () => {
    const text = JSON.stringify({
      ...SPEC,
      data_models: { changes: [{ ...SPEC.data_models.changes[0], description: 'SURROGATE' }] },
    }).replace('SURROGATE', 'bad \\ud800 text');
    const spec = writeSpec('surrogate.json', text);
    const before = await memoryRows();
    const result = cli(['run', spec, '--workspace', workspace]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('data_models.changes[0].description: invalid Unicode');
    expect(result.stderr).not.toMatch(/unsupported Unicode escape|22P05/);
    expect(await memoryRows()).toEqual(before);
  });

  it('that slips past the schema still leaves no half-written tech spec (one transaction)', async () => {
    const spec: FeatureSpec = parseFeatureSpec(SPEC);
    const bad = {
      ...spec,
      data_models: { changes: [{ ...spec.data_models.changes[0]!, description: 'bad \ud800' }] },
    } as FeatureSpec;
    const before = await memoryRows();
    // `architecture` is written first; `data_models` fails: the first write must be undone.
    await expect(storeTechnicalSpecs(pg.url, 'spec-hostile-1', bad)).rejects.toThrow(/invalid Unicode/);
    expect(await memoryRows()).toEqual(before);
    await storeTechnicalSpecs(pg.url, 'spec-hostile-1', spec);
    const after = await memoryRows();
    expect(after.entries - before.entries).toBe(3);
  });
});

describe('MemoryStore.transaction', () => {
  it('keeps every write or none', async () => {
    const store = new MemoryStore(pool);
    const before = await memoryRows();
    await expect(
      store.transaction(async (tx) => {
        await tx.add({
          namespace: 'test:tx:1',
          key: 'a',
          value: { n: 1 },
          memoryType: 'semantic',
          createdBy: 't',
        });
        await tx.add({
          namespace: 'test:tx:1',
          key: 'b',
          value: { n: 2 },
          memoryType: 'semantic',
          createdBy: 't',
        });
        // A conflict inside (the key exists): nothing of this transaction stays.
        await tx.add({
          namespace: 'test:tx:1',
          key: 'a',
          value: { n: 3 },
          memoryType: 'semantic',
          createdBy: 't',
        });
      }),
    ).rejects.toThrow(/already exists/);
    expect(await memoryRows()).toEqual(before);

    await store.transaction(async (tx) => {
      await tx.add({
        namespace: 'test:tx:2',
        key: 'a',
        value: { n: 1 },
        memoryType: 'semantic',
        createdBy: 't',
      });
      await tx.update({ namespace: 'test:tx:2', key: 'a', value: { n: 2 }, updatedBy: 't' });
    });
    expect((await store.get({ namespace: 'test:tx:2', key: 'a' })).version).toBe(2);
  });
});

describe('a database that cannot be reached', () => {
  it('is one line naming it and how to start it, exit 2, and no workflow starts', async () => {
    const port = await freePort();
    const spec = writeSpec('ok.json', JSON.stringify(SPEC));
    const before = await workflowCount();
    const result = cli(['run', spec, '--workspace', workspace], {
      DATABASE_URL: `postgres://specialist:hunter2@127.0.0.1:${port}/specialist`,
    });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`PostgreSQL at 127.0.0.1:${port}`);
    expect(lines[0]).toContain('`specialist dev`');
    expect(lines[0]).toContain('DATABASE_URL');
    expect(result.stderr).not.toContain('hunter2');
    expect(await workflowCount()).toBe(before);
  });
});
