/**
 * Persistence shapes not supported yet are refused by name: a schema managed by Alembic (before
 * anything else, even beside a CREATE TABLE string) and a table declared through SQLAlchemy instead of
 * a CREATE TABLE string. A table search that finds nothing lists only table names that exist.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/analysis/analyze-workspace';
import { SpecialistError } from '../../src/errors';
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import { layerProblem } from '../helpers/layer-problem';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'specialist-unsupported-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    // A name ending in `/` is an (empty) folder.
    if (file.endsWith('/')) mkdirSync(path.join(root, file), { recursive: true });
    else {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text.trimStart());
    }
  }
  return root;
}

async function refusal(root: string, change: Record<string, unknown> = {}): Promise<SpecialistError> {
  const spec = parseFeatureSpec({
    feature: 'x',
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
    url: str
    title: str
`;

/** A CREATE TABLE string and nothing else: analysis gets past the table and stops at the migrations. */
const SQL_DB = `
class LinkDB:
    async def init(self, conn):
        await conn.execute("CREATE TABLE IF NOT EXISTS bookmarks (id TEXT PRIMARY KEY, url TEXT NOT NULL)")
`;

const base = { 'src/linkbox/__init__.py': '', 'src/linkbox/models.py': MODELS };

describe('a schema managed by Alembic is refused before anything else', () => {
  const REVISION = `
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.add_column("bookmarks", sa.Column("tags", sa.Text()))
`;
  const ENV = 'from alembic import context\n\ncontext.run_migrations()\n';

  it.each([
    [
      'alembic.ini, alembic/env.py and a revision',
      {
        'alembic.ini': '[alembic]\nscript_location = alembic\n',
        'alembic/env.py': ENV,
        'alembic/versions/0001_add_tags.py': REVISION,
      },
      'alembic/versions/0001_add_tags.py, alembic.ini, alembic/env.py',
    ],
    ['alembic.ini alone', { 'alembic.ini': '[alembic]\n' }, 'alembic.ini'],
    [
      'migrations/ with env.py and an empty versions/',
      { 'migrations/env.py': 'print("env")\n', 'migrations/versions/': '' },
      'migrations/env.py',
    ],
    [
      'a revision importing alembic.op, anywhere',
      { 'db/revs/0002_x.py': REVISION.replace('from alembic import op', 'import alembic.op as op') },
      'db/revs/0002_x.py',
    ],
  ])('%s', async (_label, files, seen) => {
    const root = workspace({ ...base, 'src/linkbox/db.py': SQL_DB, ...files });
    const err = await refusal(root);
    expect(err.type).toBe('AnchorNotFound');
    expect(err.message).toBe(
      `the schema is managed by Alembic (${seen}): Alembic migrations are not supported yet — the tool writes hand-written migration code and never a second migration system beside Alembic; add this field by hand, with a new Alembic revision on the current head (alembic revision -m "...", op.add_column)`,
    );
  });

  it('comes before the model is even looked for', async () => {
    const root = workspace({ ...base, 'alembic.ini': '[alembic]\n' });
    expect((await refusal(root, { model: 'Nothing' })).message).toMatch(/^the schema is managed by Alembic/);
  });

  it('a migrations/ folder of hand-written code is not Alembic', async () => {
    const root = workspace({
      ...base,
      'src/linkbox/db.py': SQL_DB,
      'migrations/env.py': 'print("env")\n',
      'migrations/m0001.py': 'def migrate(conn):\n    pass\n',
    });
    // Not Alembic: the analysis goes on and looks at that folder as hand-written migration code.
    const err = await refusal(root);
    expect(err.message).not.toMatch(/alembic/i);
    expect(layerProblem(err, 'migrations').message).toMatch(
      /^the migration function of bookmarks not found: migrate \(migrations\/m0001\.py:1\)/,
    );
  });
});

describe('a table declared through SQLAlchemy is refused by name', () => {
  const DECLARATIVE = `
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class BookmarkRow(Base):
    __tablename__ = "bookmarks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
`;
  const CORE = `
import sqlalchemy as sa

metadata = sa.MetaData()

links = sa.Table(
    "links",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
)
`;

  it('a declarative class with __tablename__', async () => {
    const root = workspace({ ...base, 'src/linkbox/db.py': DECLARATIVE });
    const err = layerProblem(await refusal(root), 'table');
    expect(err.type).toBe('AnchorNotFound');
    expect(err.message).toBe(
      'the table of Bookmark: `bookmarks` is defined by SQLAlchemy `__tablename__` (src/linkbox/db.py:10): SQLAlchemy ORM persistence is not supported yet — the tool adds columns to CREATE TABLE strings and hand-written sqlite3/aiosqlite migrations; add this field by hand (the mapped column and its migration)',
    );
  });

  it('a Table("...", metadata) whose name the model does not suggest, when it is the only kind of table', async () => {
    const root = workspace({ ...base, 'src/linkbox/db.py': CORE });
    expect(layerProblem(await refusal(root), 'table').message).toMatch(
      /^the table of Bookmark: `links` is defined by SQLAlchemy `Table\(\.\.\.\)` \(src\/linkbox\/db\.py:5\): SQLAlchemy ORM persistence is not supported yet/,
    );
  });

  it('a given table declared by the ORM beside CREATE TABLE strings names those as the way out', async () => {
    const root = workspace({
      ...base,
      'src/linkbox/db.py': DECLARATIVE,
      'src/linkbox/legacy.py': SQL_DB.replace('bookmarks', 'old_links'),
    });
    expect(layerProblem(await refusal(root, { table: 'bookmarks' }), 'table').message).toMatch(
      /`bookmarks` is defined by SQLAlchemy `__tablename__` .*not supported yet.*set data_models\.changes\[0\]\.table to a table created by a CREATE TABLE string \(old_links\)$/,
    );
  });

  it('an ORM table beside the CREATE TABLE string of the model is no reason to refuse', async () => {
    const root = workspace({
      ...base,
      'src/linkbox/db.py': SQL_DB,
      'src/linkbox/audit.py': DECLARATIVE.replace('BookmarkRow', 'AuditRow').replace(
        '"bookmarks"',
        '"audit"',
      ),
    });
    // No refusal of the ORM table: the analysis goes on to the next layer (no service in this project).
    const message = (await refusal(root)).message;
    expect(message).not.toMatch(/SQLAlchemy/);
    expect(message).toMatch(/service method or function that builds Bookmark/);
  });

  it('a Table class of another library is not SQLAlchemy', async () => {
    const root = workspace({
      ...base,
      'src/linkbox/db.py': 'from rich.table import Table\n\nt = Table("bookmarks")\n',
    });
    const err = await refusal(root);
    expect(err.message).not.toMatch(/SQLAlchemy/);
  });
});

describe('a table that is not found', () => {
  it('lists the tables that exist, never names made up from the model', async () => {
    const root = workspace({
      ...base,
      'src/linkbox/db.py': SQL_DB.replace('bookmarks', 'links').replace('url TEXT', 'href TEXT'),
    });
    const err = layerProblem(await refusal(root), 'table');
    expect(err.type).toBe('AnchorNotFound');
    expect(err.message).toBe(
      'the table of Bookmark not found (searched CREATE TABLE statements for a table named after Bookmark or whose columns match its fields); candidates: links — set data_models.changes[0].table to the one that stores Bookmark',
    );
  });
});
