/**
 * A codebase less tidy than the samples: a module-level `_run_migrations(db)` with a set
 * check, a service method that runs its own raw INSERT from its parameters, tools listed by a decorated
 * function and dispatched by `if name == ...` inside `call_tool`, a row mapper reading `dict(row).get`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planFeature } from '../../src/phases/plan-feature';
import { syntaxErrorAt } from '../../src/python-syntax/parse';
import { parseFeatureSpec } from '../../src/spec/feature-spec';

const FILES: Record<string, string> = {
  'app/__init__.py': '',
  'app/models.py': `
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field


class Ticket(BaseModel):
    # Identity
    id: str
    title: str = Field(min_length=1)

    # Routing
    queue: Optional[str] = None

    model_config = ConfigDict(frozen=False)
`,
  'app/storage.py': `
async def _run_migrations(db):
    cursor = await db.execute("PRAGMA table_info(tickets)")
    existing = {row[1] for row in await cursor.fetchall()}
    if "queue" not in existing:
        await db.execute("ALTER TABLE tickets ADD COLUMN queue TEXT")
        await db.commit()


SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    queue TEXT
)
"""


def _row_to_ticket(row):
    data = dict(row)
    return Ticket(id=data["id"], title=data["title"], queue=data.get("queue"))
`,
  'app/service.py': `
class TicketService:
    async def open_ticket(self, title, queue=None, **extra):
        """Open a ticket.

        :param title: what it is about
        :param queue: where it goes
        """
        ticket = Ticket(id=new_id(), title=title, queue=queue, **extra)
        await self.db.execute(
            "INSERT INTO tickets (id, title, queue) VALUES (?, ?, ?)",
            (ticket.id, title, queue),
        )
        return ticket
`,
  'app/server.py': `
class Server:
    def register(self):
        @self.app.list_tools()
        async def list_tools():
            return [
                {
                    "name": "ticket_open",
                    "inputSchema": {
                        "type": "object",
                        "properties": {"title": {"type": "string"}, "queue": {"type": "string"}},
                        "required": ["title"],
                    },
                }
            ]

    async def call_tool(self, name, arguments):
        if name == "ticket_open":
            ticket = await self.service.open_ticket(arguments["title"], queue=arguments.get("queue"))
            return _serialize_ticket(ticket)
        raise ValueError(name)


def _serialize_ticket(ticket: Ticket) -> dict:
    return {"id": ticket.id, "title": ticket.title, "queue": ticket.queue}
`,
};

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'specialist-messy-'));
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text.trimStart());
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const spec = parseFeatureSpec({
  feature: 'ticket-priority',
  data_models: {
    changes: [{ model: 'Ticket', field: 'priority', type: 'int', default: 3, constraints: { ge: 1, le: 5 } }],
  },
});

test('plans every layer of a messy codebase, in its own style', async () => {
  const plan = await planFeature(root, spec);
  const after = Object.fromEntries(plan.files.map((f) => [f.path, f.after]));
  for (const text of Object.values(after)) expect(syntaxErrorAt(text)).toBeUndefined();
  expect(plan.anchors.changes[0]).toMatchObject({
    table: 'tickets',
    serviceMethod: 'open_ticket',
    apiTool: 'ticket_open',
  });
  expect(plan.anchors.changes[0]!.tool!.handler.function).toBe('call_tool');
  expect(after['app/models.py']).toContain(
    '    queue: Optional[str] = None\n\n    priority: int = Field(default=3, ge=1, le=5, description="Priority of the ticket")\n\n    model_config',
  );
  expect(after['app/storage.py']).toContain(
    '    if "priority" not in existing:\n        await db.execute("ALTER TABLE tickets ADD COLUMN priority INTEGER NOT NULL DEFAULT 3")\n        await db.commit()\n',
  );
  expect(after['app/storage.py']).toContain('    queue TEXT,\n    priority INTEGER NOT NULL DEFAULT 3\n)');
  expect(after['app/storage.py']).toContain('priority=data.get("priority")');
  // The service's own INSERT is phase 3's: it gets the parameter itself.
  expect(after['app/service.py']).toContain(
    'async def open_ticket(self, title, queue=None, priority=3, **extra):',
  );
  expect(after['app/service.py']).toContain(':param priority: Priority of the ticket');
  expect(after['app/service.py']).toContain(
    'Ticket(id=new_id(), title=title, queue=queue, priority=priority, **extra)',
  );
  expect(after['app/service.py']).toContain(
    '"INSERT INTO tickets (id, title, queue, priority) VALUES (?, ?, ?, ?)",',
  );
  expect(after['app/service.py']).toContain('(ticket.id, title, queue, ticket.priority)');
  expect(after['app/server.py']).toContain(
    '"queue": {"type": "string"}, "priority": {"type": "integer", "minimum": 1, "maximum": 5, "default": 3, "description": "Priority of the ticket"}}',
  );
  expect(after['app/server.py']).toContain(
    'queue=arguments.get("queue"), priority=arguments.get("priority", 3))',
  );
  expect(after['app/server.py']).toContain('"queue": ticket.queue, "priority": ticket.priority}');
  expect(
    plan.changes.find((c) => c.file === 'app/service.py' && c.codemod === 'add-insert-column')?.phase,
  ).toBe('service_layer');
});

test('planning the planned code changes nothing', async () => {
  const plan = await planFeature(root, spec);
  const copy = mkdtempSync(path.join(os.tmpdir(), 'specialist-messy-after-'));
  try {
    for (const [file, text] of Object.entries(FILES)) {
      mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      writeFileSync(
        path.join(copy, file),
        plan.files.find((f) => f.path === file)?.after ?? text.trimStart(),
      );
    }
    expect((await planFeature(copy, spec)).diff).toBe('');
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

test('a column the table already has in another case is refused, naming it', async () => {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'specialist-messy-case-'));
  try {
    for (const [file, text] of Object.entries(FILES)) {
      mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      writeFileSync(
        path.join(copy, file),
        text.trimStart().replace('    queue TEXT\n)', '    queue TEXT,\n    Priority INTEGER\n)'),
      );
    }
    await expect(planFeature(copy, spec)).rejects.toThrow(
      /table tickets already has a column "Priority" \(CREATE TABLE at app\/storage\.py:\d+\); SQLite column names are case-insensitive/,
    );
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});
