/**
 * A service written as module-level functions (`async def add_bookmark(db, url, ...)`): the analysis
 * finds it by the model it builds, accepts `module.function` (and `Class.method`) as `service_method`,
 * and a tool handler that calls it through its module.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/analysis/analyze-workspace';
import { SpecialistError } from '../../src/errors';
import { parseFeatureSpec } from '../../src/spec/feature-spec';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const FILES: Record<string, string> = {
  'src/linkbox/__init__.py': '',
  'src/linkbox/models.py': `
from pydantic import BaseModel, Field


class Bookmark(BaseModel):
    id: str = Field(default="x")
    url: str
    title: str
`,
  'src/linkbox/db.py': `
from linkbox.models import Bookmark


class LinkDB:
    async def _create_tables(self):
        await self.conn.execute("CREATE TABLE IF NOT EXISTS bookmarks (id TEXT PRIMARY KEY, url TEXT NOT NULL, title TEXT NOT NULL)")

    async def _run_migrations(self):
        cursor = await self.conn.execute("PRAGMA table_info(bookmarks)")
        columns = [row[1] for row in await cursor.fetchall()]
        if "title" not in columns:
            await self.conn.execute("ALTER TABLE bookmarks ADD COLUMN title TEXT NOT NULL DEFAULT ''")

    async def insert_bookmark(self, b: Bookmark) -> None:
        await self.conn.execute("INSERT INTO bookmarks (id, url, title) VALUES (?, ?, ?)", (b.id, b.url, b.title))

    def _row_to_bookmark(self, row) -> Bookmark:
        return Bookmark(id=row["id"], url=row["url"], title=row["title"])
`,
  'src/linkbox/service.py': `
from linkbox.db import LinkDB
from linkbox.models import Bookmark


async def add_bookmark(db: LinkDB, url: str, title: str) -> Bookmark:
    bookmark = Bookmark(url=url, title=title)
    await db.insert_bookmark(bookmark)
    return bookmark
`,
  'src/linkbox/server.py': `
from mcp.types import Tool
from linkbox import service

TOOLS = [Tool(name="bookmark_add", description="Save", inputSchema={"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]})]


async def handle_bookmark_add(arguments):
    return await service.add_bookmark(_db, url=arguments["url"], title=arguments["title"])
`,
};

function workspace(extra: Record<string, string> = {}): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'specialist-svcfn-'));
  roots.push(root);
  for (const [file, text] of Object.entries({ ...FILES, ...extra })) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text.trimStart());
  }
  return root;
}

const spec = (change: Record<string, unknown> = {}) =>
  parseFeatureSpec({
    feature: 'x',
    data_models: {
      changes: [{ model: 'Bookmark', field: 'note', type: 'str', nullable: true, ...change }],
    },
  });

describe('a module-level service function', () => {
  it('is found by the model it builds, reaching the database through its first parameter', async () => {
    const anchors = await analyzeWorkspace(workspace(), spec());
    const change = anchors.changes[0]!;
    expect(change.service.className).toBeUndefined();
    expect(change.service).toMatchObject({ module: 'linkbox.service', method: 'add_bookmark' });
    expect(change.service.databaseAttribute).toBe('db');
    expect(change.inferred.join('\n')).toMatch(/function of linkbox\.service that builds Bookmark/);
    expect(change.tool!.handler.function).toBe('handle_bookmark_add');
    expect(change.apiTool).toBe('bookmark_add');
  });

  it.each(['add_bookmark', 'service.add_bookmark', 'linkbox.service.add_bookmark'])(
    'is named by service_method "%s"',
    async (name) => {
      const anchors = await analyzeWorkspace(workspace(), spec({ service_method: name }));
      expect(anchors.changes[0]!.service).toMatchObject({
        module: 'linkbox.service',
        method: 'add_bookmark',
      });
    },
  );

  it('refuses an owner that has no such function, naming the forms it accepts', async () => {
    const err = await analyzeWorkspace(
      workspace(),
      spec({ service_method: 'LinkService.add_bookmark' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecialistError);
    expect((err as Error).message).toMatch(/"module\.function"/);
  });

  it('gives way to a service class method that builds the model (as before)', async () => {
    const anchors = await analyzeWorkspace(
      workspace({
        'src/linkbox/classy.py': `
from linkbox.models import Bookmark


class LinkService:
    async def add_bookmark(self, url: str, title: str) -> Bookmark:
        return Bookmark(url=url, title=title)
`,
      }),
      spec({ api_tool: 'bookmark_add' }),
    );
    expect(anchors.changes[0]!.service.className).toBe('LinkService');
  });

  it('names a class method by service_method "Class.method" beside a module function of the same name', async () => {
    const root = workspace({
      'src/linkbox/classy.py': `
from linkbox.models import Bookmark


class LinkService:
    async def add_bookmark(self, url: str, title: str) -> Bookmark:
        return Bookmark(url=url, title=title)
`,
    });
    const byClass = await analyzeWorkspace(
      root,
      spec({ service_method: 'LinkService.add_bookmark', api_tool: 'bookmark_add' }),
    );
    expect(byClass.changes[0]!.service).toMatchObject({
      className: 'LinkService',
      module: 'linkbox.classy',
    });
    const byModule = await analyzeWorkspace(root, spec({ service_method: 'service.add_bookmark' }));
    expect(byModule.changes[0]!.service.className).toBeUndefined();
    expect(byModule.changes[0]!.service.module).toBe('linkbox.service');
  });
});
