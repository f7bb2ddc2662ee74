/**
 * The analysis refuses a model that is not a Pydantic model, a project without any, and a field that
 * would rebind a name its class body reads — naming the class, its file and line, and what it is.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/analysis/analyze-workspace';
import { SpecialistError } from '../../src/errors';
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import { layerProblem } from '../helpers/layer-problem';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'specialist-refusals-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text.trimStart());
  }
  return root;
}

async function refusal(root: string, change: Record<string, unknown>): Promise<SpecialistError> {
  const spec = parseFeatureSpec({
    feature: 'x',
    data_models: { changes: [{ field: 'note', type: 'str', nullable: true, ...change }] },
  });
  try {
    await analyzeWorkspace(root, spec);
  } catch (err) {
    if (err instanceof SpecialistError) return err;
    throw err;
  }
  throw new Error('expected the analysis to refuse');
}

const DB = `
class LinkDB:
    async def init(self, conn):
        await conn.execute("CREATE TABLE IF NOT EXISTS bookmarks (id TEXT PRIMARY KEY, url TEXT NOT NULL)")
`;

describe('the analysis refuses models it cannot add a field to', () => {
  it.each([
    [
      '@dataclass',
      'from dataclasses import dataclass\n\n\n@dataclass\nclass Bookmark:\n    url: str\n',
      'a dataclass',
    ],
    ['@attrs.define', 'import attrs\n\n\n@attrs.define\nclass Bookmark:\n    url: str\n', 'an attrs class'],
    [
      'TypedDict',
      'from typing import TypedDict\n\n\nclass Bookmark(TypedDict):\n    url: str\n',
      'a TypedDict',
    ],
    [
      'NamedTuple',
      'from typing import NamedTuple\n\n\nclass Bookmark(NamedTuple):\n    url: str\n',
      'a NamedTuple',
    ],
    ['a plain class', 'class Bookmark:\n    url: str\n', 'a plain class'],
  ])('a %s model', async (_label, models, what) => {
    const root = workspace({
      'src/linkbox/__init__.py': '',
      'src/linkbox/models.py': models,
      'src/linkbox/db.py': DB,
    });
    const before = readFileSync(path.join(root, 'src/linkbox/models.py'), 'utf8');
    // The model's problem, beside those of the layers this small project lacks (service, tool, ...).
    const err = layerProblem(await refusal(root, { model: 'Bookmark' }), 'model');
    expect(err.type).toBe('SpecInvalid');
    expect(err.message).toMatch(
      new RegExp(
        `^data_models\\.changes\\[0\\]\\.model: Bookmark \\(src/linkbox/models\\.py:\\d+\\) is ${what}, not a Pydantic model\\. .*pydantic\\.BaseModel`,
      ),
    );
    expect(readFileSync(path.join(root, 'src/linkbox/models.py'), 'utf8')).toBe(before);
  });

  it('prefers the Pydantic class when a dataclass elsewhere has the same name', async () => {
    const root = workspace({
      'src/linkbox/__init__.py': '',
      'src/linkbox/models.py':
        'from pydantic import BaseModel\n\n\nclass Bookmark(BaseModel):\n    url: str\n',
      'src/linkbox/rows.py':
        'from dataclasses import dataclass\n\n\n@dataclass\nclass Bookmark:\n    url: str\n',
      'src/linkbox/db.py': DB,
    });
    // It gets past the model (and the migrations, created when a project has none) to the service,
    // which this project lacks.
    const err = await refusal(root, { model: 'Bookmark' });
    expect(err.type).toBe('AnchorNotFound');
    expect(err.message).toMatch(/service method (or function )?that builds Bookmark/);
  });

  it('says so when the project has no Pydantic model at all (rows as plain dicts)', async () => {
    const root = workspace({
      'src/linkbox/__init__.py': '',
      'src/linkbox/db.py': `${DB}\n    async def add(self, row: dict) -> dict:\n        return row\n`,
    });
    const err = await refusal(root, { model: 'Bookmark' });
    expect(err.type).toBe('SpecInvalid');
    expect(err.message).toMatch(
      /unknown model "Bookmark": no class Bookmark in 2 Python files, and no Pydantic model at all/,
    );
    expect(err.message).toMatch(/adds the field to a Pydantic V2 model/);
  });

  it('refuses a field that would rebind a name the class body reads', async () => {
    const root = workspace({
      'src/linkbox/__init__.py': '',
      'src/linkbox/models.py':
        'from datetime import date\nfrom pydantic import BaseModel, Field\n\n\nclass Bookmark(BaseModel):\n    url: str\n    saved_on: date | None = None\n',
      'src/linkbox/db.py': DB,
    });
    const err = layerProblem(await refusal(root, { model: 'Bookmark', field: 'date' }), 'model');
    expect(err.message).toMatch(
      /^data_models\.changes\[0\]\.field: "date" is a name the body of Bookmark \(src\/linkbox\/models\.py:5\) reads/,
    );
    // The new field's own line reads Optional / Field even where the body does not yet.
    expect(
      layerProblem(await refusal(root, { model: 'Bookmark', field: 'Optional' }), 'model').message,
    ).toMatch(/"Optional" is a name/);
    expect((await refusal(root, { model: 'Bookmark', field: 'saved_at' })).message).not.toMatch(
      /is a name the body/,
    );
  });
});
