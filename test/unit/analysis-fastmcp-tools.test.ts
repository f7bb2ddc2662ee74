/**
 * FastMCP tools (the signature is the schema): the analysis finds the tool function that calls the
 * service, whatever way it is registered — `@mcp.tool()`, `@mcp.tool(name=...)`, bare `@mcp.tool`,
 * inside a `register_*(mcp)` function, or `mcp.add_tool(fn)` — and how the tool reaches the service,
 * so that the generated test can hand it one built on a temporary database.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/analysis/analyze-workspace';
import { SpecialistError } from '../../src/errors';
import { parseFeatureSpec } from '../../src/spec/feature-spec';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const BASE: Record<string, string> = {
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


class LinkService:
    def __init__(self, db: LinkDB) -> None:
        self.db = db

    async def add_bookmark(self, url: str, title: str) -> Bookmark:
        bookmark = Bookmark(url=url, title=title)
        await self.db.insert_bookmark(bookmark)
        return bookmark
`,
};

function workspace(server: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'specialist-fastmcp-'));
  roots.push(root);
  for (const [file, text] of Object.entries({ ...BASE, 'src/linkbox/server.py': server })) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text.trimStart());
  }
  return root;
}

const spec = (change: Record<string, unknown> = {}) =>
  parseFeatureSpec({
    feature: 'x',
    data_models: { changes: [{ model: 'Bookmark', field: 'note', type: 'str', nullable: true, ...change }] },
  });

const HEAD = `
from mcp.server.fastmcp import FastMCP
from linkbox.service import LinkService

mcp = FastMCP("linkbox")
_service: LinkService | None = None
`;

describe('FastMCP tools', () => {
  it.each([
    [
      '@mcp.tool() on an async function',
      `${HEAD}\n@mcp.tool()\nasync def bookmark_add(url: str, title: str) -> dict:\n    return (await _service.add_bookmark(url=url, title=title)).model_dump()\n`,
      'bookmark_add',
    ],
    [
      'bare @mcp.tool on a sync function',
      `${HEAD}\n@mcp.tool\ndef bookmark_add(url: str, title: str) -> dict:\n    return _service.add_bookmark(url=url, title=title)\n`,
      'bookmark_add',
    ],
    [
      '@mcp.tool(name=...)',
      `${HEAD}\n@mcp.tool(name="bookmark.add")\nasync def add(url: str, title: str = "") -> dict:\n    return await _service.add_bookmark(url=url, title=title)\n`,
      'bookmark.add',
    ],
    [
      'mcp.add_tool(fn)',
      `${HEAD}\nasync def add(url: str, title: str) -> dict:\n    return await _service.add_bookmark(url=url, title=title)\n\n\nmcp.add_tool(add)\n`,
      'add',
    ],
  ])('finds %s and the module global it reaches the service through', async (_what, server, name) => {
    const change = (await analyzeWorkspace(workspace(server), spec())).changes[0]!;
    expect(change.apiTool).toBe(name);
    expect(change.tool!.fastmcp).toMatchObject({
      receiver: 'mcp',
      serverIsModuleName: true,
      serverImport: 'mcp.server.fastmcp',
      serviceReceiver: { kind: 'name', name: '_service' },
    });
    expect(change.inferred.join('\n')).toMatch(/FastMCP tool function \w+ calls add_bookmark/);
  });

  it('finds a tool registered inside register_*(mcp, service), the service being its parameter', async () => {
    const server = `
from mcp.server.fastmcp import FastMCP
from linkbox.service import LinkService


def register_tools(mcp: FastMCP, service: LinkService) -> None:
    @mcp.tool()
    async def bookmark_add(url: str, title: str) -> dict:
        return (await service.add_bookmark(url=url, title=title)).model_dump()
`;
    const change = (await analyzeWorkspace(workspace(server), spec())).changes[0]!;
    expect(change.tool!.required).toEqual(['url', 'title']);
    expect(change.tool!.fastmcp).toMatchObject({
      function: 'bookmark_add',
      registerFunction: 'register_tools',
      registerParams: 2,
      serviceReceiver: { kind: 'parameter', name: 'service', position: 1 },
    });
  });

  it('finds the Pydantic request model a tool takes, with its required fields', async () => {
    const server = `${HEAD}
from pydantic import BaseModel, Field


class AddBookmark(BaseModel):
    url: str = Field(min_length=1, description="The link")
    title: str
    folder: str = Field("inbox", description="Where it goes")


@mcp.tool()
async def bookmark_add(request: AddBookmark) -> dict:
    return (await _service.add_bookmark(url=request.url, title=request.title)).model_dump()
`;
    const change = (await analyzeWorkspace(workspace(server), spec())).changes[0]!;
    expect(change.tool!.fastmcp?.requestModel).toEqual({
      param: 'request',
      file: 'src/linkbox/server.py',
      module: 'linkbox.server',
      className: 'AddBookmark',
      required: ['url', 'title'],
    });
  });

  it('sees a getter the tool calls for its service', async () => {
    const server = `${HEAD}\ndef get_service() -> LinkService:\n    return _service\n\n\n@mcp.tool()\nasync def bookmark_add(url: str, title: str) -> dict:\n    return await get_service().add_bookmark(url=url, title=title)\n`;
    const change = (await analyzeWorkspace(workspace(server), spec())).changes[0]!;
    expect(change.tool!.fastmcp?.serviceReceiver).toEqual({ kind: 'call', name: 'get_service' });
  });

  it('refuses naming the FastMCP tools when none calls the service', async () => {
    const server = `${HEAD}\n@mcp.tool()\nasync def bookmark_list() -> list:\n    return []\n`;
    const err = await analyzeWorkspace(workspace(server), spec()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecialistError);
    expect((err as Error).message).toMatch(
      /no FastMCP tool calls add_bookmark.*@mcp\.tool\(\) functions: bookmark_list \(src\/linkbox\/server\.py:8\)/,
    );
  });

  it('does not take @router.tool() of a file that never mentions FastMCP for a FastMCP tool', async () => {
    const server = `
from other import Router
from linkbox.service import LinkService

router = Router()


@router.tool()
async def bookmark_add(url: str, title: str) -> dict:
    return await LinkService(None).add_bookmark(url=url, title=title)
`;
    const err = await analyzeWorkspace(workspace(server), spec()).catch((e: unknown) => e);
    expect((err as Error).message).not.toMatch(/FastMCP/);
  });
});
