/**
 * `specialist run` (the built CLI, a subprocess: run `npm run build` first) refuses what `plan` refuses
 * — an unknown model, a dataclass model, a project missing two layers at once (both in one message),
 * an unknown `architecture` key — with exit 2 and exactly plan's message, before anything exists: against a real Temporal server and PostgreSQL it leaves no workflow, no memory entry, no
 * branch, no worktree, and the user's checkout as it was (uncommitted changes included).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { copySample } from '../../src/client/demo';
import { git } from '../../src/git/git';
import { createMemoryPool, migrateMemoryDatabase } from '../../src/memory';
import { PROJECT_ROOT } from '../../src/python/interpreter';
import { startTestPostgres } from '../helpers/postgres';
import { PROJECT_SEARCH_ATTRIBUTES, startTestTemporal } from '../helpers/temporal';

jest.setTimeout(300_000);

const BIN = path.join(PROJECT_ROOT, 'bin', 'specialist.js');
const MODELS = 'src/taskqueue/domain/models.py';

describe('specialist run refuses before it starts anything', () => {
  let temporal: TestWorkflowEnvironment;
  let pg: Awaited<ReturnType<typeof startTestPostgres>>;
  let pool: Pool;
  let scratch: string;
  const repos: string[] = [];

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'specialist-run-refusal-'));
    [temporal, pg] = await Promise.all([startTestTemporal(PROJECT_SEARCH_ATTRIBUTES), startTestPostgres()]);
    pool = createMemoryPool({ connectionString: pg.url, max: 2 });
    await migrateMemoryDatabase(pool);
  }, 180_000);

  afterAll(async () => {
    await pool?.end();
    await Promise.all([temporal?.teardown(), pg?.stop()]);
    for (const repo of repos) rmSync(repo, { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: pg.url,
      TEMPORAL_TASK_QUEUE: 'run-refusal-cli',
      SPECIALIST_HOME: path.join(scratch, 'home'),
      NO_COLOR: '1',
      ...extra,
    };
    // Before the fix a refused run started a workflow and waited for a person: bounded here.
    const result = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  const specFile = (name: string, model: string, architecture: Record<string, unknown> = {}) => {
    const file = path.join(scratch, `${name}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        feature: name,
        architecture,
        data_models: { changes: [{ model, field: 'summary', type: 'str', nullable: true, default: null }] },
      }),
    );
    return file;
  };

  const sample = async () => {
    const repo = await copySample(path.join(PROJECT_ROOT, 'examples/taskqueue'));
    repos.push(repo);
    return repo;
  };

  /** Task as a @dataclass, committed. */
  const commitDataclassTask = async (repo: string) => {
    const file = path.join(repo, MODELS);
    const pydantic = readFileSync(file, 'utf8');
    const dataclass = `from dataclasses import dataclass\n${pydantic.replace('class Task(BaseModel):', '@dataclass\nclass Task:')}`;
    expect(dataclass).toContain('@dataclass\nclass Task:');
    writeFileSync(file, dataclass);
    await git(repo, [
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@localhost',
      'commit',
      '-qam',
      'Task as a dataclass',
    ]);
    return { pydantic, dataclass };
  };

  /** Nothing of a run exists: no workflow, no memory entry, no branch but main, no worktree. */
  const expectNothingStarted = async (repo: string, feature: string) => {
    const workflows: string[] = [];
    for await (const run of temporal.client.workflow.list()) workflows.push(run.workflowId);
    expect(workflows.filter((id) => id.startsWith(`feature-${feature}`))).toEqual([]);
    const memory = await pool.query<{ namespace: string }>(
      'SELECT namespace FROM memory_entries WHERE namespace LIKE $1',
      [`task:spec-${feature}-%`],
    );
    expect(memory.rows).toEqual([]);
    expect(await git(repo, ['for-each-ref', '--format=%(refname:short)', 'refs/heads'])).toBe('main');
    expect((await git(repo, ['worktree', 'list', '--porcelain'])).match(/^worktree /gm)).toHaveLength(1);
  };

  it("an unknown model: exit 2 with plan's message, nothing created", async () => {
    const repo = await sample();
    const spec = specFile('unknown-model', 'Ticket');
    const head = await git(repo, ['rev-parse', 'HEAD']);
    const plan = cli(['plan', spec, '--workspace', repo]);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toMatch(/unknown model "Ticket".*Pydantic models found: Task/);
    const run = cli(['run', spec, '--workspace', repo]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 2, stderr: plan.stderr });
    await expectNothingStarted(repo, 'unknown-model');
    expect(await git(repo, ['rev-parse', 'HEAD'])).toBe(head);
    expect(await git(repo, ['status', '--porcelain'])).toBe('');
  });

  it('a dataclass model: exit 2 naming it, nothing created', async () => {
    const repo = await sample();
    await commitDataclassTask(repo);
    const spec = specFile('dataclass-model', 'Task');
    const plan = cli(['plan', spec, '--workspace', repo]);
    expect(plan.stderr).toMatch(
      /Task \(src\/taskqueue\/domain\/models\.py:\d+\) is a dataclass, not a Pydantic model/,
    );
    const run = cli(['run', spec, '--workspace', repo]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 2, stderr: plan.stderr });
    await expectNothingStarted(repo, 'dataclass-model');
  });

  it('checks HEAD, which the run branches off, and leaves uncommitted changes as they are', async () => {
    const repo = await sample();
    const { pydantic } = await commitDataclassTask(repo);
    // The fix exists only in the checkout, not in the commit a run would start from.
    writeFileSync(path.join(repo, MODELS), pydantic);
    const status = await git(repo, ['status', '--porcelain']);
    const spec = specFile('dirty-checkout', 'Task');
    const run = cli(['run', spec, '--workspace', repo]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /Task \(src\/taskqueue\/domain\/models\.py:\d+\) is a dataclass, not a Pydantic model.*\(checked on HEAD [0-9a-f]{12}, which the run branches off/s,
    );
    await expectNothingStarted(repo, 'dirty-checkout');
    expect(await git(repo, ['status', '--porcelain'])).toBe(status);
    expect(readFileSync(path.join(repo, MODELS), 'utf8')).toBe(pydantic);
  });

  /**
   * A small project whose table is named unlike its model (`links`, columns unlike its fields) and
   * whose presentation is Flask routes (not supported): two layers the analysis cannot find.
   */
  const twoLayersMissing = async () => {
    const dir = path.join(scratch, 'two-layers-missing');
    const files: Record<string, string> = {
      'src/linkbox/__init__.py': '',
      'src/linkbox/models.py':
        'from pydantic import BaseModel\n\n\nclass Bookmark(BaseModel):\n    id: str\n    url: str\n',
      'src/linkbox/db.py':
        'from linkbox.models import Bookmark\n\n\nclass LinkDB:\n    def __init__(self, conn):\n        self.conn = conn\n\n    async def init(self):\n        await self.conn.execute("CREATE TABLE IF NOT EXISTS links (id TEXT PRIMARY KEY, href TEXT NOT NULL)")\n\n    def _row_to_bookmark(self, row):\n        return Bookmark(id=row["id"], url=row["href"])\n',
      'src/linkbox/service.py':
        'from linkbox.models import Bookmark\n\n\nclass LinkService:\n    def __init__(self, db):\n        self.db = db\n\n    async def add_bookmark(self, url: str) -> Bookmark:\n        return Bookmark(id="1", url=url)\n',
      'src/linkbox/server.py':
        'from flask import Flask\n\nfrom linkbox.service import LinkService\n\napp = Flask(__name__)\nservice: LinkService\n\n\n@app.post("/bookmarks")\nasync def bookmark_add(url: str) -> dict:\n    bookmark = await service.add_bookmark(url=url)\n    return {"id": bookmark.id}\n',
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    const repo = await copySample(dir);
    repos.push(repo);
    return repo;
  };

  it('a feature branch that no run holds: exit 2 naming it, before any stack is reached', async () => {
    const repo = await sample();
    await git(repo, ['branch', 'feature/branch-taken']);
    const spec = specFile('branch-taken', 'Task');
    // Temporal at an address nothing listens on: a refusal made after reaching the stack would say so.
    const run = cli(['run', spec, '--workspace', repo], { TEMPORAL_ADDRESS: '127.0.0.1:9' });
    expect(run.stderr).toMatch(
      /^specialist: branch feature\/branch-taken already exists in .* \(an earlier run, or a person, made it\): .*then run again\n$/,
    );
    expect(run.code).toBe(2);
    expect(await git(repo, ['worktree', 'list', '--porcelain'])).not.toMatch(/branch-taken/);
  });

  it('a project missing two layers: both in one exit-2 message, each with what was seen', async () => {
    const repo = await twoLayersMissing();
    const spec = specFile('two-layers', 'Bookmark');
    const plan = cli(['plan', spec, '--workspace', repo]);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toMatch(/^specialist: 2 layers of Bookmark\.summary were not found/);
    expect(plan.stderr).toMatch(
      /\n- table: the table of Bookmark not found .*; candidates: links — set data_models\.changes\[0\]\.table/,
    );
    expect(plan.stderr).toMatch(
      /\n- tool: an MCP tool for Bookmark not found .*seen instead: routes are `@app\.post\(\.\.\.\)` functions in src\/linkbox\/server\.py \(bookmark_add\)/,
    );
    const run = cli(['run', spec, '--workspace', repo]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 2, stderr: plan.stderr });
    await expectNothingStarted(repo, 'two-layers');
  });

  it('an unknown architecture key and a hint that names nothing: exit 2 at once, from plan and run', async () => {
    const repo = await sample();
    const spec = specFile('bad-architecture', 'Task', {
      servcie: 'src/taskqueue/services/task_queue_service.py',
      domain_models: 'src/taskqueue/models.py',
    });
    const plan = cli(['plan', spec, '--workspace', repo]);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toMatch(/architecture\.servcie: unknown key/);
    expect(plan.stderr).toMatch(
      /architecture\.domain_models: "src\/taskqueue\/models\.py" does not exist in the workspace \(files of that name: src\/taskqueue\/domain\/models\.py\)/,
    );
    const run = cli(['run', spec, '--workspace', repo]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 2, stderr: plan.stderr });
    await expectNothingStarted(repo, 'bad-architecture');
  });
});
