/** The analysis refuses bad specs and unclear codebases before any file is touched, and says why. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/analysis/analyze-workspace';
import { SpecialistError } from '../../src/errors';
import { parseFeatureSpec, SpecError, type FeatureSpec } from '../../src/spec/feature-spec';

const FILES: Record<string, string> = {
  'src/app/__init__.py': '',
  'src/app/models.py': `
from enum import Enum
from pydantic import BaseModel, Field


class Kind(str, Enum):
    BUG = "bug"
    FEATURE = "feature"


class Task(BaseModel):
    description: str = Field(min_length=1)
    kind: Kind = Kind.BUG
`,
  'src/app/db.py': `
from app.models import Task


class Database:
    async def _create(self, conn):
        await conn.execute("CREATE TABLE IF NOT EXISTS tasks (description TEXT NOT NULL, kind TEXT NOT NULL)")

    async def _run_migrations(self, conn):
        cursor = await conn.execute("PRAGMA table_info(tasks)")
        names = [c[1] for c in await cursor.fetchall()]

    async def insert_task(self, task: Task) -> Task:
        await self.conn.execute("INSERT INTO tasks (description, kind) VALUES (?, ?)", (task.description, task.kind.value))
        return task

    def _row_to_task(self, row) -> Task:
        return Task(description=row["description"], kind=row["kind"])
`,
  'src/app/service.py': `
from app.models import Task


class TaskService:
    async def create_task(self, description: str) -> Task:
        return await self.db.insert_task(Task(description=description))
`,
  'src/app/server.py': `
TOOLS = [
    {"name": "task_create", "inputSchema": {"type": "object", "properties": {}}},
    {"name": "task_create_many", "inputSchema": {"type": "object", "properties": {}}},
]


class Server:
    async def call_tool(self, name, arguments):
        handlers = {"task_create": self._handle_create, "task_create_many": self._handle_create_again}
        return await handlers[name](arguments)

    async def _handle_create(self, arguments):
        return await self.service.create_task(description=arguments["description"])

    async def _handle_create_again(self, arguments):
        return await self.service.create_task(description=arguments["description"])
`,
};

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'specialist-analysis-'));
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text.trimStart());
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function spec(change: Record<string, unknown>): FeatureSpec {
  return parseFeatureSpec({
    feature: 'x',
    data_models: { changes: [{ model: 'Task', field: 'summary', type: 'str', nullable: true, ...change }] },
  });
}

async function refusal(s: FeatureSpec): Promise<SpecialistError> {
  try {
    await analyzeWorkspace(root, s);
  } catch (err) {
    if (err instanceof SpecialistError) return err;
    throw err;
  }
  throw new Error('expected the analysis to refuse');
}

function snapshot(): string {
  return Object.keys(FILES)
    .map((f) => readFileSync(path.join(root, f), 'utf8'))
    .join('\n');
}

describe('analyzeWorkspace', () => {
  test('finds every anchor and infers table, service method and tool when they are unambiguous', async () => {
    const map = await analyzeWorkspace(root, spec({ api_tool: 'task_create' }));
    const change = map.changes[0]!;
    expect(change.table).toBe('tasks');
    expect(change.sqlType).toBe('TEXT');
    expect(change.serviceMethod).toBe('create_task');
    expect(change.modelAnchor).toMatchObject({
      file: 'src/app/models.py',
      module: 'app.models',
      className: 'Task',
    });
    expect(change.migrations).toMatchObject({
      file: 'src/app/db.py',
      className: 'Database',
      connectionVar: 'conn',
    });
    expect(change.inserts.map((i) => i.function)).toEqual(['insert_task']);
    expect(change.rowMappers.map((r) => r.function)).toEqual(['_row_to_task']);
    expect(change.tool!.handler.function).toBe('_handle_create');
    expect(map.enums.map((e) => e.className)).toEqual(['Kind']);
    expect(JSON.parse(JSON.stringify(map))).toEqual(map);
  });

  test('refuses an unknown model and lists the models it found', async () => {
    const err = await refusal(spec({ model: 'Ticket' }));
    expect(err.type).toBe('SpecInvalid');
    expect(err.message).toMatch(/unknown model "Ticket".*Task/);
  });

  test('refuses an unknown table and lists the tables it found', async () => {
    const err = await refusal(spec({ table: 'tickets' }));
    expect(err.type).toBe('SpecInvalid');
    expect(err.message).toMatch(/unknown table "tickets".*tasks/);
  });

  test('refuses an enum type the codebase does not define', async () => {
    const err = await refusal(spec({ type: 'Priority' }));
    expect(err.type).toBe('SpecInvalid');
    expect(err.message).toMatch(/unknown type or enum "Priority".*Kind/);
  });

  test('refuses a type the engine does not know', () => {
    expect(() => spec({ type: 'Optional[str]' })).toThrow(SpecError);
    expect(() => spec({ type: 'bytes' })).toThrow(/not supported/);
  });

  test('refuses a Python keyword as field name, even when the spec skipped validation', async () => {
    expect(() => spec({ field: 'class' })).toThrow(/keyword/);
    const raw = {
      ...spec({}),
      data_models: { changes: [{ ...spec({}).data_models.changes[0]!, field: 'class' }] },
    };
    const err = await refusal(raw);
    expect(err.type).toBe('SpecInvalid');
  });

  test('refuses an SQL injection attempt in a name', async () => {
    expect(() => spec({ table: 'tasks; DROP TABLE tasks' })).toThrow(/safe SQL identifier/);
    expect(() => spec({ field: 'x TEXT); DROP TABLE tasks; --' })).toThrow(SpecError);
    const raw = {
      ...spec({}),
      data_models: { changes: [{ ...spec({}).data_models.changes[0]!, table: 'tasks--' }] },
    };
    const err = await refusal(raw);
    expect(err.type).toBe('SpecInvalid');
  });

  test('refuses a required field without a default: existing rows could not be migrated', async () => {
    const err = await refusal(spec({ nullable: false }));
    expect(err.type).toBe('SpecInvalid');
    expect(err.message).toMatch(/default/);
  });

  test('says which tools are candidates when two handlers call the service method', async () => {
    const err = await refusal(spec({}));
    expect(err.type).toBe('AnchorAmbiguous');
    expect(err.message).toMatch(/task_create → _handle_create, task_create_many → _handle_create_again/);
  });

  test('refuses an unknown service method and names the candidates', async () => {
    const err = await refusal(spec({ service_method: 'enqueue', api_tool: 'task_create' }));
    expect(err.type).toBe('SpecInvalid');
    expect(err.details.candidates).toEqual(['TaskService.create_task']);
  });

  test('touches no file while refusing', async () => {
    const before = snapshot();
    await refusal(spec({ model: 'Ticket' }));
    await refusal(spec({}));
    expect(snapshot()).toBe(before);
  });
});
