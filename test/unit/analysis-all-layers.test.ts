/**
 * The analysis reports every layer it could not find at once, each with what it saw instead, names
 * that exist in the code (never made-up plurals, never test functions for code) and the spec key that
 * settles it; a spec's unknown `architecture` keys and paths that name nothing are refused first.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/analysis/analyze-workspace';
import { layerRefusal } from '../../src/analysis/layer-problems';
import { SpecialistError } from '../../src/errors';
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import { layerProblem, layersOf } from '../helpers/layer-problem';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'specialist-layers-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text.trimStart());
  }
  return root;
}

async function refusal(
  root: string,
  change: Record<string, unknown> = {},
  architecture: Record<string, unknown> = {},
): Promise<SpecialistError> {
  const spec = parseFeatureSpec({
    feature: 'x',
    architecture,
    data_models: { changes: [{ model: 'Bookmark', field: 'note', type: 'str', nullable: true, ...change }] },
  });
  try {
    await analyzeWorkspace(root, spec);
  } catch (err) {
    if (err instanceof SpecialistError) return err;
    throw err;
  }
  throw new Error('expected the analysis to refuse');
}

const MODELS = `
from pydantic import BaseModel


class Bookmark(BaseModel):
    id: str
    url: str
`;

const DB = `
class LinkDB:
    def __init__(self, conn):
        self.conn = conn

    async def init(self):
        await self.conn.execute("CREATE TABLE IF NOT EXISTS links (id TEXT PRIMARY KEY, href TEXT NOT NULL)")

    async def _run_migrations(self):
        cursor = await self.conn.execute("PRAGMA table_info(links)")
        names = [c[1] for c in await cursor.fetchall()]
        if "extra" not in names:
            await self.conn.execute("ALTER TABLE links ADD COLUMN extra TEXT")

    def _row_to_bookmark(self, row):
        return Bookmark(id=row["id"], url=row["href"])
`;

const SERVICE = `
from linkbox.models import Bookmark


class LinkService:
    def __init__(self, db):
        self.db = db

    async def add_bookmark(self, url: str) -> Bookmark:
        bookmark = Bookmark(id="1", url=url)
        await self.db.insert(bookmark)
        return bookmark
`;

/** FastMCP tools: no literal inputSchema for the tool to edit. */
const SERVER = `
from flask import Flask

from linkbox.service import LinkService

app = Flask(__name__)
service: LinkService


@app.post("/bookmarks")
async def bookmark_add(url: str) -> dict:
    bookmark = await service.add_bookmark(url=url)
    return {"id": bookmark.id}


@app.get("/bookmarks")
async def list_all() -> list:
    return []
`;

/** A project whose table is named unlike its model (links) and whose presentation is Flask routes (not supported). */
const TWO_MISSING = {
  'src/linkbox/__init__.py': '',
  'src/linkbox/models.py': MODELS,
  'src/linkbox/db.py': DB,
  'src/linkbox/service.py': SERVICE,
  'src/linkbox/server.py': SERVER,
  'tests/test_db.py': 'def _row_to_row(row):\n    return row\n',
};

describe('every layer that is missing, at once', () => {
  it('a table named unlike the model and Flask routes: both in one refusal, each with what was seen', async () => {
    const root = workspace(TWO_MISSING);
    const err = await refusal(root);
    expect(err.type).toBe('AnchorNotFound');
    expect(layersOf(err)).toEqual(['table', 'tool']);
    expect(err.message.split('\n')).toEqual([
      '2 layers of Bookmark.note were not found or cannot take the field — each below with what was seen and the spec key that settles it:',
      '- table: the table of Bookmark not found (searched CREATE TABLE statements for a table named after Bookmark or whose columns match its fields); candidates: links — set data_models.changes[0].table to the one that stores Bookmark',
      '- tool: an MCP tool for Bookmark not found (searched dict literals and Tool(...) calls that name a tool and its inputSchema, in 5 non-test files); seen instead: routes are `@app.post(...)` functions in src/linkbox/server.py (bookmark_add); routes are `@app.get(...)` functions in src/linkbox/server.py (list_all) — no spec key settles this: the tool adds the field to MCP tools whose inputSchema is a literal dict (low-level `mcp.server.Server` with `types.Tool(...)`); add the field note to the presentation layer by hand',
    ]);
    // Never a plural made up from the model's name.
    expect(err.message).not.toMatch(/bookmarkes|bookmarks\b/);
  });

  it('the spec key it names settles that layer: the table given, only the tool is left', async () => {
    const root = workspace(TWO_MISSING);
    const err = await refusal(root, { table: 'links' });
    expect(layersOf(err)).toEqual([]);
    expect(err.message).toMatch(
      /^an MCP tool for Bookmark not found .*routes are `@app\.post\(\.\.\.\)` functions/,
    );
  });

  it('a dataclass model beside a missing service: the model says what it is, the service what was seen', async () => {
    const root = workspace({
      ...TWO_MISSING,
      'src/linkbox/models.py':
        'from dataclasses import dataclass\n\n\n@dataclass\nclass Bookmark:\n    id: str\n    url: str\n',
      // The service takes a Bookmark built elsewhere and does nothing with it.
      'src/linkbox/service.py':
        'from linkbox.models import Bookmark\n\n\nclass LinkService:\n    async def save(self, bookmark: Bookmark) -> None:\n        pass\n',
    });
    const err = await refusal(root, { table: 'links' });
    expect(layersOf(err)).toEqual(['model', 'service', 'tool']);
    expect(layerProblem(err, 'model').message).toMatch(
      /^data_models\.changes\[0\]\.model: Bookmark \(src\/linkbox\/models\.py:5\) is a dataclass, not a Pydantic model/,
    );
    expect(layerProblem(err, 'service').message).toMatch(
      /seen instead: LinkService\.save \(src\/linkbox\/service\.py:5\) takes a Bookmark already built but does nothing with it — set data_models\.changes\[0\]\.service_method/,
    );
    // Without a service the tool layer is still looked at: what the project has instead is named.
    expect(layerProblem(err, 'tool').message).toMatch(/routes are `@app\.post\(\.\.\.\)` functions/);
  });

  it('names FastAPI routes and tools registered by add_tool as what the presentation layer is', async () => {
    const root = workspace({
      ...TWO_MISSING,
      'src/linkbox/server.py':
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.post("/bookmarks")\nasync def create(url: str) -> dict:\n    return {}\n\n\n@app.get("/bookmarks/{id}")\nasync def read(id: str) -> dict:\n    return {}\n',
      'src/linkbox/tools.py': 'def register(mcp):\n    mcp.add_tool(bookmark_add)\n',
    });
    const err = await refusal(root, { table: 'links' });
    expect(err.message).toMatch(
      /seen instead: FastAPI routes are `@app\.post\(\.\.\.\)` functions in src\/linkbox\/server\.py \(create\); FastAPI routes are `@app\.get\(\.\.\.\)` functions in src\/linkbox\/server\.py \(read\); tools are registered by `mcp\.add_tool\(\.\.\.\)` in src\/linkbox\/tools\.py \(bookmark_add\)/,
    );
  });

  it('row mapper candidates are functions of the code, never of the tests', async () => {
    const root = workspace({
      ...TWO_MISSING,
      'src/linkbox/db.py': DB.replace(
        'def _row_to_bookmark(self, row):\n        return Bookmark(id=row["id"], url=row["href"])',
        'def to_model(self, url):\n        return Bookmark(id="1", url=url)',
      ),
    });
    const err = layerProblem(await refusal(root, { table: 'links' }), 'row mappers');
    expect(err.message).not.toMatch(/_row_to_row/);
    expect(err.message).toMatch(
      /seen instead: Bookmark\(\.\.\.\) is built in .*LinkDB\.to_model \(src\/linkbox\/db\.py:\d+\).*, from no row/,
    );
  });

  it('a mapper written inline in a query method is a row mapper, whatever its name', async () => {
    const root = workspace({
      ...TWO_MISSING,
      'src/linkbox/db.py': DB.replace('def _row_to_bookmark(self, row):', 'def to_model(self, row):'),
    });
    expect(layersOf(await refusal(root, { table: 'links' }))).not.toContain('row mappers');
  });
});

describe('architecture keys and paths are refused at once', () => {
  it('an unknown key and a path that names nothing, both, before any layer is looked for', async () => {
    const root = workspace(TWO_MISSING);
    const err = await refusal(
      root,
      {},
      { servcie: 'src/linkbox/service.py', database: 'src/linkbox/dbs.py' },
    );
    expect(err.type).toBe('SpecInvalid');
    expect(err.message).toBe(
      'architecture.servcie: unknown key (the keys are package, domain_models, database, migrations, service, api, tests, python, fixtures, factories); a misspelt hint would be ignored; architecture.database: "src/linkbox/dbs.py" does not exist in the workspace',
    );
  });

  it('offers files of the same name, and accepts the end of a path as the finders do', async () => {
    const root = workspace(TWO_MISSING);
    expect((await refusal(root, {}, { database: 'linkbox/persistence/db.py' })).message).toBe(
      'architecture.database: "linkbox/persistence/db.py" does not exist in the workspace (files of that name: src/linkbox/db.py)',
    );
    // `linkbox/db.py` ends src/linkbox/db.py; a tests folder still to be created is fine.
    const err = await refusal(root, {}, { database: 'linkbox/db.py', tests: 'tests/generated' });
    expect(err.type).not.toBe('SpecInvalid');
  });
});

describe('the message of several layers', () => {
  const problem = (layer: 'table' | 'tool', change: string, index: number, message: string) => ({
    change,
    index,
    layer,
    error: new SpecialistError('AnchorNotFound', message, { what: layer }),
  });

  it('one problem is the error itself', () => {
    const p = problem('table', 'Bookmark.note', 0, 'the table of Bookmark not found');
    expect(layerRefusal([p])).toBe(p.error);
  });

  it('several problems of one change: one line each, the first type, every problem in the details', () => {
    const err = layerRefusal([
      problem('table', 'Bookmark.note', 0, 'no table'),
      problem('tool', 'Bookmark.note', 0, 'no tool'),
    ]);
    expect(err.type).toBe('AnchorNotFound');
    expect(err.message).toBe(
      '2 layers of Bookmark.note were not found or cannot take the field — each below with what was seen and the spec key that settles it:\n- table: no table\n- tool: no tool',
    );
    expect(err.details.problems).toEqual([
      expect.objectContaining({ layer: 'table', message: 'no table', type: 'AnchorNotFound' }),
      expect.objectContaining({ layer: 'tool', message: 'no tool' }),
    ]);
  });

  it('problems of several changes name the change and its spec path on each line', () => {
    const err = layerRefusal([
      problem('table', 'Bookmark.note', 0, 'no table'),
      problem('tool', 'Folder.color', 1, 'no tool'),
    ]);
    expect(err.message.split('\n').slice(1)).toEqual([
      '- Bookmark.note (data_models.changes[0]), table: no table',
      '- Folder.color (data_models.changes[1]), tool: no tool',
    ]);
  });
});
