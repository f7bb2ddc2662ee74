/**
 * Services that receive the model already built (`create(self, task: Task)`) and pass it on to a
 * repository that INSERTs it: the analysis takes the receiver for the service (not the tool handler
 * that builds the Task), finds where the presentation layer builds the object, and the plan adds
 * nothing to the service's signature and the field to the tool's `Task(...)` call.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/analysis/analyze-workspace';
import { SpecialistError } from '../../src/errors';
import { planFeature } from '../../src/phases/plan-feature';
import { parseFeatureSpec } from '../../src/spec/feature-spec';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const MODELS = `
from pydantic import BaseModel, Field


class Task(BaseModel):
    id: str = Field(default="x")
    title: str
`;

const DB = `
from taskboard.models import Task


class Database:
    async def _create_tables(self):
        await self.conn.execute("CREATE TABLE IF NOT EXISTS tasks (id TEXT PRIMARY KEY, title TEXT NOT NULL)")

    async def _run_migrations(self):
        cursor = await self.conn.execute("PRAGMA table_info(tasks)")
        columns = [row[1] for row in await cursor.fetchall()]
        if "title" not in columns:
            await self.conn.execute("ALTER TABLE tasks ADD COLUMN title TEXT NOT NULL DEFAULT ''")
`;

const REPOSITORY = `
from taskboard.models import Task


class TaskRepository:
    async def add(self, task: Task) -> None:
        await self.db.conn.execute("INSERT INTO tasks (id, title) VALUES (?, ?)", (task.id, task.title))

    async def get(self, task_id: str) -> Task | None:
        row = await self.db.fetch(task_id)
        return self._row_to_task(row) if row else None

    def _row_to_task(self, row) -> Task:
        return Task(id=row["id"], title=row["title"])
`;

const SERVICE = `
from taskboard.models import Task


class TaskService:
    def __init__(self, repository):
        self.repository = repository

    async def create(self, task: Task) -> Task:
        await self.repository.add(task)
        return task
`;

const tools = (handlerBody: string) => `
from mcp.types import Tool
from taskboard.models import Task


class TaskTools:
    def list_tools(self):
        return [Tool(name="task_create", description="Add", inputSchema={"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]})]

    async def handle_task_create(self, arguments):
${handlerBody}
`;

const BUILDS = tools(`        task = Task(title=arguments["title"])
        return await self.service.create(task)`);

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'specialist-receives-'));
  roots.push(root);
  const all: Record<string, string> = {
    'src/taskboard/__init__.py': '',
    'src/taskboard/models.py': MODELS,
    'src/taskboard/database.py': DB,
    'src/taskboard/repository.py': REPOSITORY,
    'src/taskboard/service.py': SERVICE,
    'src/taskboard/tools.py': BUILDS,
    ...files,
  };
  for (const [file, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text.trimStart());
  }
  return root;
}

const spec = (change: Record<string, unknown> = {}) =>
  parseFeatureSpec({
    feature: 'x',
    data_models: {
      changes: [{ model: 'Task', field: 'note', type: 'str', nullable: true, ...change }],
    },
  });

async function refusal(root: string, change: Record<string, unknown> = {}): Promise<SpecialistError> {
  const err = await analyzeWorkspace(root, spec(change)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SpecialistError);
  return err as SpecialistError;
}

describe('a service that receives the model built', () => {
  it('is the service (not the tool handler that builds the Task), and the handler build is found', async () => {
    const change = (await analyzeWorkspace(workspace({}), spec())).changes[0]!;
    expect(change.service).toMatchObject({
      className: 'TaskService',
      method: 'create',
      receives: { parameter: 'task', className: 'Task', position: 0, keywordOnly: false },
    });
    expect(change.service.constructorCall).toBeUndefined();
    expect(change.tool).toMatchObject({
      name: 'task_create',
      handler: { function: 'handle_task_create' },
      modelBuild: { className: 'Task', line: 10, fromArguments: false },
    });
    expect(change.inferred.join('\n')).toMatch(
      /service_method: create \(the method of TaskService that receives the Task the presentation layer builds \(its parameter task\) and passes it on to the INSERT\)/,
    );
    // The repository's INSERT reads the object: phase 2 edits it, not phase 3.
    expect(change.inserts.map((i) => [i.function, i.inServiceMethod])).toEqual([['add', false]]);
  });

  it('as a module function taking the database first; the model built inline in the call', async () => {
    const root = workspace({
      'src/taskboard/service.py': `
from taskboard.models import Task


async def add_task(db, task: Task) -> Task:
    await db.repository.add(task)
    return task
`,
      'src/taskboard/tools.py': `
from mcp.types import Tool
from taskboard import service
from taskboard.models import Task

TOOLS = [Tool(name="task_create", description="Add", inputSchema={"type": "object", "properties": {}})]


async def handle_task_create(arguments):
    return await service.add_task(_db, Task(title=arguments["title"]))
`,
    });
    const change = (await analyzeWorkspace(root, spec())).changes[0]!;
    expect(change.service).toMatchObject({
      module: 'taskboard.service',
      method: 'add_task',
      databaseAttribute: 'db',
      receives: { parameter: 'task', position: 1 },
    });
    expect(change.tool!.modelBuild).toEqual({ className: 'Task', line: 9, fromArguments: false });
    // Named as module.function too.
    const named = await analyzeWorkspace(root, spec({ service_method: 'service.add_task' }));
    expect(named.changes[0]!.service.receives?.parameter).toBe('task');
  });

  it('a FastMCP tool that builds the Task', async () => {
    const change = (
      await analyzeWorkspace(
        workspace({
          'src/taskboard/tools.py': `
from mcp.server.fastmcp import FastMCP
from taskboard.models import Task
from taskboard.service import TaskService

mcp = FastMCP("taskboard")
_service: TaskService | None = None


@mcp.tool()
async def task_create(title: str) -> dict:
    created = await _service.create(Task(title=title))
    return created.model_dump()
`,
        }),
        spec(),
      )
    ).changes[0]!;
    expect(change.service).toMatchObject({ className: 'TaskService', method: 'create' });
    expect(change.tool!.fastmcp).toBeDefined();
    expect(change.tool!.modelBuild).toEqual({ className: 'Task', line: 11, fromArguments: false });
  });

  it.each([
    ['Task(**arguments)', '        task = Task(**arguments)\n        return await self.service.create(task)'],
    [
      'Task.model_validate(arguments)',
      '        return await self.service.create(Task.model_validate(arguments))',
    ],
  ])('built from the arguments whole (%s): the field arrives with them', async (_shape, body) => {
    const change = (await analyzeWorkspace(workspace({ 'src/taskboard/tools.py': tools(body) }), spec()))
      .changes[0]!;
    expect(change.tool!.modelBuild).toMatchObject({ className: 'Task', fromArguments: true });
  });

  it.each(['TaskService.create', 'create'])(
    'is named by service_method "%s" (Class.method or method)',
    async (name) => {
      const change = (await analyzeWorkspace(workspace({}), spec({ service_method: name }))).changes[0]!;
      expect(change.service).toMatchObject({ className: 'TaskService', method: 'create' });
      expect(change.service.receives?.parameter).toBe('task');
    },
  );

  it('refuses a handler that hands on a Task built elsewhere, saying what it saw and the key that settles it', async () => {
    const err = await refusal(
      workspace({
        'src/taskboard/tools.py': tools(`        return await self.service.create(build_task(arguments))`),
      }),
    );
    expect(err.message).toMatch(
      /the Task\(\.\.\.\) that the tool handler handle_task_create \(src\/taskboard\/tools\.py:9\) builds and passes to create\(\.\.\.\) not found .*seen instead: task is `build_task\(arguments\)` \(line 10\), not a Task\(\.\.\.\) built here — set data_models\.changes\[0\]\.service_method to a method that builds Task\(\.\.\.\) from its parameters/,
    );
  });

  it('a receiver that passes the Task to no INSERT is not the service, and is named as seen', async () => {
    const err = await refusal(
      workspace({
        'src/taskboard/service.py': `
from taskboard.models import Task


class TaskService:
    async def create(self, task: Task) -> Task:
        self.log.append(task)
        return task
`,
      }),
    );
    expect(err.message).toMatch(
      /TaskService\.create \(src\/taskboard\/service\.py:5\) takes a Task already built but passes it to no INSERT/,
    );
  });

  it('a service that builds the model keeps the parameter it had (a receiver elsewhere changes nothing)', async () => {
    const change = (
      await analyzeWorkspace(
        workspace({
          'src/taskboard/service.py': `
from taskboard.models import Task


class TaskService:
    async def create_task(self, title: str) -> Task:
        task = Task(title=title)
        await self.store(task)
        return task

    async def store(self, task: Task) -> None:
        await self.repository.add(task)
`,
          'src/taskboard/tools.py': tools(
            `        return await self.service.create_task(arguments["title"])`,
          ),
        }),
        spec(),
      )
    ).changes[0]!;
    expect(change.service.method).toBe('create_task');
    expect(change.service.receives).toBeUndefined();
  });
});

describe('the plan for a receiving service', () => {
  it('adds nothing to the service, passes the field into the handler Task(...), and says so', async () => {
    const plan = await planFeature(workspace({}), spec());
    expect(plan.notes).toEqual(
      expect.arrayContaining([
        'the field reaches TaskService.create through Task (its parameter task): nothing to add to its signature',
        'the tool task_create builds the Task that TaskService.create receives (line 10): note is passed to that Task(...) call',
      ]),
    );
    expect(plan.files.map((f) => f.path)).not.toContain('src/taskboard/service.py');
    expect(plan.diff).toMatch(
      /\+\s+task = Task\(title=arguments\["title"\], note=arguments\.get\("note"\)\)/,
    );
    expect(plan.diff).toMatch(/\+.*INSERT INTO tasks \(id, title, note\) VALUES \(\?, \?, \?\)/);
    expect(plan.diff).toMatch(/\(task\.id, task\.title, task\.note\)/);
  });
});

describe('a FastAPI route in front of a receiving service', () => {
  const api = (route: string) => `
from fastapi import Depends, FastAPI
from pydantic import BaseModel
from taskboard.models import Task
from taskboard.service import TaskService

app = FastAPI()


class TaskIn(BaseModel):
    title: str


def get_service() -> TaskService:
    raise NotImplementedError


${route}
`;

  it('that builds the Task from its request model: the field goes on the request model and into Task(...)', async () => {
    const root = workspace({
      'src/taskboard/tools.py': '',
      'src/taskboard/api.py': api(`@app.post("/tasks")
async def create_task(body: TaskIn, service: TaskService = Depends(get_service)) -> Task:
    return await service.create(Task(title=body.title))`),
    });
    const change = (await analyzeWorkspace(root, spec())).changes[0]!;
    expect(change.service).toMatchObject({ className: 'TaskService', method: 'create' });
    expect(change.route).toMatchObject({
      function: 'create_task',
      request: { className: 'TaskIn' },
      modelBuild: { className: 'Task', fromArguments: false },
    });
    const plan = await planFeature(root, spec());
    expect(plan.diff).toMatch(/\+\s+note: str \| None = Field\(/);
    expect(plan.diff).toMatch(
      /\+\s+return await service\.create\(Task\(title=body\.title, note=body\.note\)\)/,
    );
  });

  it('that passes its Task body on: nothing to pass, the body carries the field', async () => {
    const root = workspace({
      'src/taskboard/tools.py': '',
      'src/taskboard/api.py': api(`@app.post("/tasks")
async def create_task(task: Task, service: TaskService = Depends(get_service)) -> Task:
    return await service.create(task)`),
    });
    const change = (await analyzeWorkspace(root, spec())).changes[0]!;
    expect(change.route!.modelBuild).toMatchObject({ className: 'Task', fromArguments: true });
    const plan = await planFeature(root, spec());
    expect(plan.files.map((f) => f.path)).not.toContain('src/taskboard/api.py');
  });
});
