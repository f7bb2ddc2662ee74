/**
 * FastAPI routes as the presentation layer: the analysis finds the route that calls the service
 * method (on the app or on an APIRouter included by the app), its request and response models, the
 * `Depends(...)` provider of the service and the application; phase 4 puts the field on the request
 * model and through the route.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/analysis/analyze-workspace';
import { planFeature } from '../../src/phases/plan-feature';
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import { SpecialistError } from '../../src/errors';

const CASE = path.resolve(__dirname, '..', 'cases', 'presentation-fastapi');
const spec = (extra: Record<string, unknown> = {}) =>
  parseFeatureSpec({
    feature: 'bookmark-note',
    data_models: {
      changes: [
        {
          model: 'Bookmark',
          field: 'note',
          type: 'str',
          nullable: true,
          default: null,
          constraints: { max_length: 500 },
          description: 'Why the link was saved',
          ...extra,
        },
      ],
    },
  });

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const MODELS = `
from pydantic import BaseModel, Field


class Bookmark(BaseModel):
    id: str = Field(default="x")
    url: str
    title: str
`;
const DB = `
from linkbox.models import Bookmark


class LinkDB:
    async def _create_tables(self):
        await self.conn.execute("CREATE TABLE IF NOT EXISTS bookmarks (id TEXT PRIMARY KEY, url TEXT NOT NULL, title TEXT NOT NULL)")

    async def _run_migrations(self):
        cursor = await self.conn.execute("PRAGMA table_info(bookmarks)")
        columns = [row[1] for row in await cursor.fetchall()]
        if "title" not in columns:
            await self.conn.execute("ALTER TABLE bookmarks ADD COLUMN title TEXT NOT NULL DEFAULT ''")

    async def insert(self, b: Bookmark):
        await self.conn.execute("INSERT INTO bookmarks (id, url, title) VALUES (?, ?, ?)", (b.id, b.url, b.title))

    def _row_to_bookmark(self, row):
        return Bookmark(id=row["id"], url=row["url"], title=row["title"])
`;
const SERVICE = `
from linkbox.models import Bookmark


class LinkService:
    def __init__(self, db):
        self.db = db

    async def add_bookmark(self, url: str, title: str) -> Bookmark:
        bookmark = Bookmark(url=url, title=title)
        await self.db.insert(bookmark)
        return bookmark
`;

function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fastapi-'));
  roots.push(root);
  const all = {
    'src/linkbox/__init__.py': '',
    'src/linkbox/models.py': MODELS,
    'src/linkbox/db.py': DB,
    'src/linkbox/service.py': SERVICE,
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

test('the case project: the app route, its request model, the Depends provider and the app', async () => {
  const map = await analyzeWorkspace(path.join(CASE, 'project'), spec());
  const change = map.changes[0]!;
  expect(change.tool).toBeUndefined();
  expect(change.route).toMatchObject({
    file: 'src/linkbox/server.py',
    module: 'linkbox.server',
    function: 'create_bookmark',
    routeName: 'create_bookmark',
    async: true,
    method: 'post',
    path: '/bookmarks',
    decoratedBy: 'app',
    request: { className: 'BookmarkIn', variable: 'body', requiredFields: ['url', 'title'] },
    dependency: { parameter: 'service', provider: 'get_service', providerModule: 'linkbox.server' },
    app: { module: 'linkbox.server', variable: 'app' },
  });
  expect(change.route!.response).toBeUndefined();
  expect(change.apiTool).toBe('POST /bookmarks');
  expect(change.inferred.join('\n')).toMatch(/FastAPI route create_bookmark calls add_bookmark/);
});

test('phase 4 on the case: the request model gets the field and the route passes it', async () => {
  const plan = await planFeature(path.join(CASE, 'project'), spec());
  const server = plan.files.find((f) => f.path === 'src/linkbox/server.py')!;
  expect(server.after).toContain(
    '    note: str | None = Field(default=None, max_length=500, description="Why the link was saved")',
  );
  expect(server.after).toContain('tags=body.tags, note=body.note)');
  // The serializer the route returns carries it (phase 5).
  expect(server.after).toContain('"note": bookmark.note,');
});

test('an APIRouter route with a response model, included by the app of another module (sync route, Annotated Depends)', async () => {
  const root = project({
    'src/linkbox/schemas.py': `
from pydantic import BaseModel, Field


class BookmarkCreate(BaseModel):
    url: str = Field(min_length=1)
    title: str = "untitled"
    tags: list[str] = Field(default_factory=list)
    rank: int = Field(3, ge=0)
    owner: str = Field(..., max_length=20)


class BookmarkOut(BaseModel):
    id: str
    url: str
`,
    'src/linkbox/api/__init__.py': '',
    'src/linkbox/api/routes.py': `
from typing import Annotated

from fastapi import APIRouter, Depends

from ..schemas import BookmarkCreate, BookmarkOut
from ..deps import get_links
from linkbox.service import LinkService

router = APIRouter(prefix="/api")


@router.get("/bookmarks")
def list_bookmarks(service: Annotated[LinkService, Depends(get_links)]):
    return service.list()


@router.post("/bookmarks", response_model=BookmarkOut, name="new-bookmark")
def create(payload: BookmarkCreate, service: Annotated[LinkService, Depends(get_links)]):
    return service.add_bookmark(payload.url, payload.title)
`,
    'src/linkbox/main.py': `
from fastapi import FastAPI

from linkbox.api import routes

application = FastAPI(title="links")
application.include_router(routes.router)
`,
  });
  const change = (await analyzeWorkspace(root, spec())).changes[0]!;
  expect(change.route).toMatchObject({
    function: 'create',
    routeName: 'new-bookmark',
    async: false,
    decoratedBy: 'router',
    request: {
      className: 'BookmarkCreate',
      module: 'linkbox.schemas',
      variable: 'payload',
      requiredFields: ['url', 'owner'],
    },
    response: { className: 'BookmarkOut', module: 'linkbox.schemas' },
    dependency: { provider: 'get_links', providerModule: 'linkbox.deps' },
    app: { module: 'linkbox.main', variable: 'application' },
  });
  const plan = await planFeature(root, spec());
  const after = (p: string) => plan.files.find((f) => f.path === p)!.after;
  expect(after('src/linkbox/schemas.py')).toMatch(/class BookmarkCreate[\s\S]*note: str \| None = Field\(/);
  expect(after('src/linkbox/schemas.py')).toMatch(/class BookmarkOut[\s\S]*note: str \| None = Field\(/);
  expect(after('src/linkbox/api/routes.py')).toContain(
    'service.add_bookmark(payload.url, payload.title, note=payload.note)',
  );
});

test('two POST routes calling the service are ambiguous until api_tool names one', async () => {
  const routes = `
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class In(BaseModel):
    url: str
    title: str


@app.post("/a")
async def first(body: In, service=None):
    return await service.add_bookmark(body.url, body.title)


@app.post("/b")
async def second(body: In, service=None):
    return await service.add_bookmark(body.url, body.title)
`;
  const root = project({ 'src/linkbox/server.py': routes });
  await expect(analyzeWorkspace(root, spec())).rejects.toThrow(
    /FastAPI route calling add_bookmark\(\.\.\.\) is ambiguous: POST \/a \(first, src\/linkbox\/server\.py:\d+\), POST \/b/,
  );
  await expect(analyzeWorkspace(root, spec())).rejects.toBeInstanceOf(SpecialistError);
  const change = (await analyzeWorkspace(root, spec({ api_tool: 'second' }))).changes[0]!;
  expect(change.route!.function).toBe('second');
  expect((await analyzeWorkspace(root, spec({ api_tool: 'first' }))).changes[0]!.route!.function).toBe(
    'first',
  );
});

test('a route without Depends: the module-level name or getter it calls the service on', async () => {
  const routes = (call: string) => `
from fastapi import FastAPI
from pydantic import BaseModel

from linkbox.state import get_links, links

app = FastAPI()


class In(BaseModel):
    url: str
    title: str


@app.post("/a")
async def add(body: In):
    return await ${call}.add_bookmark(body.url, body.title)
`;
  const byName = (await analyzeWorkspace(project({ 'src/linkbox/server.py': routes('links') }), spec()))
    .changes[0]!.route!;
  expect(byName.dependency).toBeUndefined();
  expect(byName.serviceVia).toEqual({ kind: 'name', name: 'links' });
  const byGetter = (
    await analyzeWorkspace(project({ 'src/linkbox/server.py': routes('get_links()') }), spec())
  ).changes[0]!.route!;
  expect(byGetter.serviceVia).toEqual({ kind: 'call', name: 'get_links' });
});
