/**
 * Places the engine cannot edit (an INSERT or a row mapper in a shape the codemods refuse): listed at
 * analysis with file, function and line beside the other layers' results, and marked by the spec's
 * `handled_by_hand` so that the run proceeds without them; inline row mappers found in query methods.
 * On copies of the in-repo case projects.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/analysis/analyze-workspace';
import { buildDeliverable } from '../../src/deliverable';
import { SpecialistError } from '../../src/errors';
import { planFeature } from '../../src/phases/plan-feature';
import { handEditHint } from '../../src/phases/round-trip-probe';
import type { FieldAnchors } from '../../src/analysis/anchor-map';
import { parseFeatureSpec, SpecError } from '../../src/spec/feature-spec';
import { layerProblem, layersOf } from '../helpers/layer-problem';

const CASES = path.resolve(__dirname, '..', 'cases');
const SITE = 'src/linkbox/db.py:LinkDB.import_bookmarks';
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function copyCase(name: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'specialist-hand-'));
  roots.push(root);
  cpSync(path.join(CASES, name, 'project'), root, { recursive: true });
  return root;
}

const noteSpec = (change: Record<string, unknown> = {}) =>
  parseFeatureSpec({
    feature: 'bookmark-note',
    data_models: {
      changes: [{ model: 'Bookmark', field: 'note', type: 'str', nullable: true, ...change }],
    },
  });

async function refusal(root: string, spec: ReturnType<typeof noteSpec>): Promise<SpecialistError> {
  try {
    await analyzeWorkspace(root, spec);
  } catch (err) {
    if (err instanceof SpecialistError) return err;
    throw err;
  }
  throw new Error('expected the analysis to refuse');
}

describe('handled_by_hand in the spec', () => {
  it('takes "file:function" and "file:Class.method" entries', () => {
    const spec = noteSpec({ handled_by_hand: [SITE, 'src/app/db.py:save'] });
    expect(spec.data_models.changes[0]!.handled_by_hand).toEqual([SITE, 'src/app/db.py:save']);
  });

  it('refuses a line number, a missing function and a repeated entry, each with its path', () => {
    const problems = (entries: string[]) => {
      try {
        noteSpec({ handled_by_hand: entries });
      } catch (err) {
        if (err instanceof SpecError) return err.problems;
        throw err;
      }
      return [];
    };
    expect(problems(['src/linkbox/db.py:42'])).toEqual([
      expect.stringMatching(
        /^data_models\.changes\[0\]\.handled_by_hand\[0\]: expected "<file>\.py:<function>"/,
      ),
    ]);
    expect(problems(['src/linkbox/db.py'])).toHaveLength(1);
    expect(problems([SITE, SITE])).toEqual([
      expect.stringMatching(/^data_models\.changes\[0\]\.handled_by_hand\[1\]: ".*" is listed twice/),
    ]);
  });
});

describe('places the engine cannot edit', () => {
  it('are refused before any phase, each with file, function and line, naming the option', async () => {
    const root = copyCase('insert-handled-by-hand');
    const err = await refusal(root, noteSpec());
    expect(err.type).toBe('CodemodFailed');
    expect(err.message).toMatch(
      /src\/linkbox\/db\.py:LinkDB\.import_bookmarks \(line \d+, insert\): INSERT INTO bookmarks in LinkDB\.import_bookmarks \(line \d+\): columns \(line \d+\) holds something other than plain column names/,
    );
    expect(err.message).toContain(`data_models.changes[0].handled_by_hand (e.g. ["${SITE}"])`);
  });

  it('are listed with the other layers that could not be found, at once', async () => {
    const root = copyCase('insert-handled-by-hand');
    // A second refused place (a row mapper reading a SELECT built at run time) and no tool at all.
    const db = path.join(root, 'src/linkbox/db.py');
    writeFileSync(
      db,
      readFileSync(db, 'utf8').replace(
        'cursor = await self.conn.execute("SELECT * FROM bookmarks WHERE id = ?", (bookmark_id,))',
        'cursor = await self.conn.execute(f"SELECT {COLUMNS} FROM bookmarks WHERE id = ?", (bookmark_id,))',
      ),
    );
    writeFileSync(path.join(root, 'src/linkbox/server.py'), '"""No tools yet."""\n');
    const err = await refusal(root, noteSpec());
    expect(layersOf(err)).toEqual(['tool', 'inserts and row mappers']);
    const sites = layerProblem(err, 'inserts and row mappers').message;
    expect(sites).toMatch(/2 place\(s\) of Bookmark\.note the engine cannot edit/);
    expect(sites).toMatch(/src\/linkbox\/db\.py:LinkDB\.import_bookmarks \(line \d+, insert\)/);
    expect(sites).toMatch(
      /src\/linkbox\/db\.py:LinkDB\._row_to_bookmark \(line \d+, row mapper\): .*builds its column list at run time \(\{COLUMNS\}\)/,
    );
  });

  it('marked handled_by_hand: analysis keeps them, plan skips them and says so', async () => {
    const root = copyCase('insert-handled-by-hand');
    const spec = noteSpec({ handled_by_hand: [SITE] });
    const map = await analyzeWorkspace(root, spec);
    expect(map.changes[0]!.handEdits).toEqual([
      expect.objectContaining({ site: SITE, function: 'LinkDB.import_bookmarks', layer: 'insert' }),
    ]);
    const plan = await planFeature(root, spec);
    expect(plan.notes.join('\n')).toMatch(
      /left to be edited by hand \(handled_by_hand\): INSERT INTO bookmarks in LinkDB\.import_bookmarks/,
    );
    const db = plan.files.find((f) => f.path === 'src/linkbox/db.py')!;
    // The other INSERT gets the column; the marked one is as it was.
    expect(db.after).toContain('INSERT INTO bookmarks (id, url, title, tags, created_at, note)');
    expect(db.after).toContain('columns = ["id", "url", "title", "tags", "created_at", *extra_columns]');
  });

  it('an entry naming no refused place is a spec error (exit 2), with the places refused', async () => {
    const root = copyCase('insert-handled-by-hand');
    const err = await refusal(
      root,
      noteSpec({ handled_by_hand: [SITE, 'src/linkbox/db.py:LinkDB.insert_bookmark'] }),
    );
    expect(err.type).toBe('SpecInvalid');
    expect(err.message).toMatch(
      /^data_models\.changes\[0\]\.handled_by_hand\[1\]: "src\/linkbox\/db\.py:LinkDB\.insert_bookmark" names no place the engine refuses to edit for Bookmark\.note \(the places it refuses: src\/linkbox\/db\.py:LinkDB\.import_bookmarks\)/,
    );
  });

  it('an entry in a project where nothing is refused is a spec error too', async () => {
    const root = copyCase('mapper-inline-in-query-methods');
    const err = await refusal(root, noteSpec({ handled_by_hand: ['src/linkbox/db.py:LinkDB.get_bookmark'] }));
    expect(err.type).toBe('SpecInvalid');
    expect(err.message).toMatch(/it refuses none/);
  });

  it('the deliverable lists them, and does not call the branch ready to merge', () => {
    const spec = noteSpec({ handled_by_hand: [SITE] });
    const d = buildDeliverable({
      spec,
      workflowId: 'w',
      techSpecTaskId: 't',
      taskId: 'w',
      branch: 'feature/bookmark-note',
      baseCommit: '0'.repeat(40),
      delegate: false,
      outcome: 'completed',
      phases: [],
      results: {},
    });
    expect(d.deliverables.left_to_edit_by_hand).toEqual([{ field: 'Bookmark.note', site: SITE }]);
    expect(d.orchestration_context.next_recommended_action).toMatch(
      /^Left to be edited by hand before merging feature\/bookmark-note: src\/linkbox\/db\.py:LinkDB\.import_bookmarks/,
    );
  });
});

describe('a round trip through a place left by hand', () => {
  it('names that place as the likely reason when it fails, and says nothing without one', () => {
    const hand = {
      site: SITE,
      file: 'src/linkbox/db.py',
      function: 'LinkDB.import_bookmarks',
      line: 64,
      layer: 'insert' as const,
      reason: 'x',
    };
    expect(handEditHint({ handEdits: [hand] } as unknown as FieldAnchors)).toBe(
      ` — likely reason: ${SITE} (line 64, insert) is left to be edited by hand (handled_by_hand) and not edited yet`,
    );
    expect(handEditHint({ handEdits: [] } as unknown as FieldAnchors)).toBe('');
    expect(handEditHint({} as unknown as FieldAnchors)).toBe('');
  });
});

describe('row mappers inline in query methods', () => {
  it('are found by name and by position, whatever the method is called', async () => {
    const root = copyCase('mapper-inline-in-query-methods');
    const map = await analyzeWorkspace(
      root,
      parseFeatureSpec({
        feature: 'bookmark-pinned',
        data_models: { changes: [{ model: 'Bookmark', field: 'pinned', type: 'bool', default: false }] },
      }),
    );
    expect(
      map.changes[0]!.rowMappers.map((r) => ({ fn: r.function, access: r.access, inline: r.inline })),
    ).toEqual([
      { fn: 'get_bookmark', access: 'subscript', inline: true },
      { fn: 'list_bookmarks', access: 'position', inline: true },
    ]);
    // The service builds Bookmark from its parameters: no row, no mapper.
    expect(map.changes[0]!.rowMappers.map((r) => r.file)).toEqual(['src/linkbox/db.py', 'src/linkbox/db.py']);
  });
});
