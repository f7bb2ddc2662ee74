/**
 * The testing phase against real Python: the samples are copied to temp folders, edited by phases 1–5
 * (the codemod engine: analyzeWorkspace + applyEditPhase),
 * and the generated tests must pass there, fail on the original code, and catch a broken INSERT.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/analysis/analyze-workspace';
import type { AnchorMap } from '../../src/analysis/anchor-map';
import { SpecialistError } from '../../src/errors';
import type { TestingResult } from '../../src/phases/contract';
import { applyEditPhase } from '../../src/phases/edit-phases';
import { EDIT_PHASES } from '../../src/phases/phase-codemods';
import { gatherFacts, runTestingPhase } from '../../src/phases/testing-phase';
import { resolvePython } from '../../src/python/interpreter';
import { parseFeatureSpec, type FeatureSpec } from '../../src/spec/feature-spec';
import { runPytest } from '../../src/validation/pytest-runner';
import { sampleAnchors } from '../fixtures/testgen/sample-anchors';

// Real pytest runs on a shared 2-core machine; the project-level testTimeout is not applied per file.
jest.setTimeout(300_000);

const REPO = path.resolve(__dirname, '..', '..');
const temps: string[] = [];

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function copySample(sample: 'taskqueue' | 'bookshelf'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `testing-phase-${sample}-`));
  temps.push(dir);
  cpSync(path.join(REPO, 'examples', sample), dir, { recursive: true });
  return dir;
}

function loadSpec(name: string): FeatureSpec {
  return parseFeatureSpec(
    JSON.parse(readFileSync(path.join(REPO, 'examples', 'specs', `${name}.json`), 'utf8')),
  );
}

async function editWithEngine(root: string, spec: FeatureSpec): Promise<AnchorMap> {
  const anchors = await analyzeWorkspace(root, spec);
  for (const phase of EDIT_PHASES) await applyEditPhase(root, spec, phase, anchors);
  return anchors;
}

/** The phase's TestsFailed error (its details carry the full result). */
async function expectTestsFailed(promise: Promise<TestingResult>): Promise<TestingResult> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(SpecialistError);
  expect((error as SpecialistError).type).toBe('TestsFailed');
  return (error as SpecialistError).details.result as TestingResult;
}

/** Folders the run must never leave in the workspace (it commits the tree). */
function cacheFolders(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() && entry.name !== '.coverage') continue;
      if (['__pycache__', '.pytest_cache', '.mypy_cache', '.coverage'].includes(entry.name))
        found.push(entry.name);
      else if (entry.isDirectory()) walk(path.join(dir, entry.name));
    }
  };
  walk(root);
  return found;
}

/** Passing tests of the untouched sample: on the original code only these may pass. */
const passingOnOriginal = new Map<string, Promise<number>>();
function existingPassing(sample: 'taskqueue' | 'bookshelf'): Promise<number> {
  // The untouched sample's suite is the same for every describe below: run it once per sample.
  if (!passingOnOriginal.has(sample))
    passingOnOriginal.set(
      sample,
      (async () => {
        const root = copySample(sample);
        const run = await runPytest({ python: resolvePython(root), root, covPackages: [] });
        return run.junit!.passed;
      })(),
    );
  return passingOnOriginal.get(sample)!;
}

function expectAllGood(result: TestingResult): void {
  expect(result.failures).toEqual([]);
  expect([result.unitTestsPassed, result.integrationTestsPassed, result.migrationTestsPassed]).toEqual([
    true,
    true,
    true,
  ]);
  const touched = Object.values(result.touchedModuleCoverage);
  expect(touched.length).toBeGreaterThanOrEqual(4);
  for (const percent of touched) expect(percent).toBeGreaterThanOrEqual(90);
}

describe('testing phase on taskqueue (codemod engine)', () => {
  let originalPassing = 0;
  beforeAll(async () => {
    originalPassing = await existingPassing('taskqueue');
  });

  it('passes on the edited code, reports coverage ≥ 90% per touched module, and leaves no caches', async () => {
    const root = copySample('taskqueue');
    const spec = loadSpec('task-summary');
    const anchors = await editWithEngine(root, spec);
    // The edit phases' own py_compile may leave __pycache__; this phase must add nothing.
    const cachesBefore = cacheFolders(root);
    const beats: unknown[] = [];
    const result = await runTestingPhase(root, spec, anchors, { heartbeat: (d) => beats.push(d) });
    expectAllGood(result);
    expect(result.passed).toBeGreaterThan(originalPassing);
    expect(result.filesCreated).toEqual([
      'tests/test_task_summary_unit.py',
      'tests/test_task_summary_integration.py',
      'tests/test_task_summary_migration.py',
    ]);
    expect(result.mypy).toMatchObject({ configured: true, passed: true });
    expect(result.categories?.unit).toMatchObject({ file: 'tests/test_task_summary_unit.py', failed: 0 });
    expect(result.categories?.migration).toEqual({
      file: 'tests/test_task_summary_migration.py',
      tests: 2,
      passed: 2,
      failed: 0,
    });
    expect(result.checks.map((c) => c.name)).toEqual(['py_compile', 'pytest', 'coverage', 'mypy']);
    expect(beats.length).toBeGreaterThan(0);
    expect(cacheFolders(root)).toEqual(cachesBefore);
    expect(cacheFolders(root)).not.toContain('.pytest_cache');

    // Idempotent: a second run regenerates the same files and writes nothing.
    const again = await runTestingPhase(root, spec, anchors);
    expect([again.filesCreated, again.filesModified]).toEqual([[], []]);
    expect(again.passed).toBe(result.passed);
  });

  it('generates tests that all fail on the code before the edit', async () => {
    const root = copySample('taskqueue');
    const spec = loadSpec('task-summary');
    const anchors = await analyzeWorkspace(root, spec);
    const result = await expectTestsFailed(runTestingPhase(root, spec, anchors));
    expect(result.passed).toBe(originalPassing);
    expect(result.failures.length).toBeGreaterThanOrEqual(15);
    expect(result.failures.every((f) => f.id.startsWith('tests/test_task_summary_'))).toBe(true);
    expect([result.unitTestsPassed, result.integrationTestsPassed, result.migrationTestsPassed]).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('catches an INSERT that lost the new value, naming the test and the assertion', async () => {
    const root = copySample('taskqueue');
    const spec = loadSpec('task-summary');
    const anchors = await editWithEngine(root, spec);
    const file = path.join(root, 'src/taskqueue/infrastructure/database.py');
    const text = readFileSync(file, 'utf8');
    const broken = text
      .replace('session_id, summary\n', 'session_id\n')
      .replace(/VALUES \((\?, ){15}\?\)/, `VALUES (${'?, '.repeat(14)}?)`)
      .replace(/\n\s+task\.summary,/, '');
    expect(broken).not.toBe(text);
    writeFileSync(file, broken);
    const result = await expectTestsFailed(runTestingPhase(root, spec, anchors));
    const ids = result.failures.map((f) => f.id);
    expect(ids).toContain(
      'tests/test_task_summary_integration.py::test_insert_task_when_summary_given_stores_it',
    );
    expect(result.failures[0]!.message).toMatch(/assert None == 'test summary'/);
    expect(result.integrationTestsPassed).toBe(false);
    expect(result.unitTestsPassed).toBe(true);
  });
});

describe('testing phase on bookshelf (codemod engine)', () => {
  const spec = loadSpec('bookshelf-str-subtitle');

  it('passes on the edited code with strict asyncio and a repository, and fails on the original', async () => {
    const originalPassing = await existingPassing('bookshelf');
    const edited = copySample('bookshelf');
    const anchors = await editWithEngine(edited, spec);
    const cachesBefore = cacheFolders(edited);
    const result = await runTestingPhase(edited, spec, anchors);
    expectAllGood(result);
    expect(cacheFolders(edited)).toEqual(cachesBefore);
    expect(readFileSync(path.join(edited, 'tests/test_book_subtitle_integration.py'), 'utf8')).toContain(
      '@pytest.mark.asyncio',
    );
    const original = copySample('bookshelf');
    const before = await expectTestsFailed(
      runTestingPhase(original, spec, await analyzeWorkspace(original, spec)),
    );
    expect(before.passed).toBe(originalPassing);
    expect(before.failures.length).toBeGreaterThanOrEqual(14);
  });

  it('catches the repository INSERT without the new value', async () => {
    const root = copySample('bookshelf');
    const anchors = await editWithEngine(root, spec);
    const file = path.join(root, 'src/bookshelf/persistence/book_repository.py');
    const text = readFileSync(file, 'utf8');
    const broken = text
      .replace(', subtitle)', ')')
      .replace(/VALUES \((\?, ){11}\?\)/, `VALUES (${'?, '.repeat(10)}?)`)
      .replace(/\n\s+book\.subtitle,/, '');
    expect(broken).not.toBe(text);
    writeFileSync(file, broken);
    const result = await expectTestsFailed(runTestingPhase(root, spec, anchors));
    expect(result.failures.map((f) => f.id)).toEqual([
      'tests/test_book_subtitle_integration.py::test_register_book_when_subtitle_given_stores_it',
      'tests/test_book_subtitle_integration.py::test_add_when_subtitle_given_stores_it',
    ]);
  });
});

/** The rest of the spec matrix of examples/specs (task-summary and bookshelf-str-subtitle are above). */
describe('the spec matrix (codemod engine)', () => {
  const passing: Record<string, number> = {};
  beforeAll(async () => {
    passing.taskqueue = await existingPassing('taskqueue');
    passing.bookshelf = await existingPassing('bookshelf');
  });

  it.each([
    'taskqueue-bool-requires-review',
    'taskqueue-datetime-deadline',
    'taskqueue-dict-context',
    'taskqueue-enum-dependency-type',
    'taskqueue-int-timeout-seconds',
    'taskqueue-list-labels',
    'taskqueue-multi-field',
    'bookshelf-bool-favorite',
    'bookshelf-datetime-last-read-at',
    'bookshelf-enum-edition-format',
    'bookshelf-int-page-count',
    'bookshelf-list-co-authors',
  ])('%s: the generated tests pass on the edited code and all fail on the original', async (name) => {
    const sample = name.startsWith('bookshelf') ? 'bookshelf' : 'taskqueue';
    const spec = loadSpec(name);
    const edited = copySample(sample);
    const anchors = await editWithEngine(edited, spec);
    const result = await runTestingPhase(edited, spec, anchors);
    expectAllGood(result);
    const generated = Object.values(result.categories!).reduce((n, c) => n + c.tests, 0);
    const original = copySample(sample);
    const before = await expectTestsFailed(
      runTestingPhase(original, spec, await analyzeWorkspace(original, spec)),
    );
    expect(before.passed).toBe(passing[sample]);
    expect(before.failed + before.errors).toBe(generated);
  });
});

/**
 * A project grown like real code (test/fixtures/projects/linkbox): the database path defaults to a
 * file under HOME, the migrations live in a mixin, the service's collaborators are built from each
 * other (a string annotation under TYPE_CHECKING, an unannotated parameter), and pytest imports the
 * installed package (no `pythonpath`).
 */
describe('testing phase on a project grown like real code', () => {
  const spec = parseFeatureSpec({
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
        },
      ],
    },
  });

  function copyProject(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'testing-phase-linkbox-'));
    temps.push(dir);
    cpSync(path.join(REPO, 'test', 'fixtures', 'projects', 'linkbox'), dir, { recursive: true });
    return dir;
  }

  it('describes parameter types as the code means them: TYPE_CHECKING names, learned calls, a mixin, a default path', async () => {
    const root = copyProject();
    const anchors = await analyzeWorkspace(root, spec);
    const [facts] = await gatherFacts(resolvePython(root), root, spec, anchors);
    const classes = facts!.classes;
    // `db: "LinkDB"` with LinkDB imported only under TYPE_CHECKING.
    expect(classes['linkbox.ranking:TagRanker']!.init[0]).toMatchObject({
      name: 'db',
      type: { kind: 'class', cls: { module: 'linkbox.db', name: 'LinkDB' } },
    });
    // `Clock(ranker)` has no annotation: the conftest passes it `ranker = TagRanker(db)`.
    expect(classes['linkbox.ranking:Clock']!.init[0]).toMatchObject({
      name: 'ranker',
      type: { kind: 'class', cls: { module: 'linkbox.ranking', name: 'TagRanker' } },
      learnedFrom: expect.stringMatching(/^tests\/conftest\.py:\d+$/),
    });
    expect(classes['linkbox.db:LinkDB']).toMatchObject({
      bases: ['linkbox.migrations:SchemaMigrationsMixin'],
      init: [{ name: 'path', required: false, type: { kind: 'path' }, default: { kind: 'path' } }],
    });
  });

  it('builds the objects as the conftest does, opens only temporary databases and imports the workspace', async () => {
    const root = copyProject();
    // The user's own checkout, unedited, on the import path the way an editable install puts it.
    const checkout = copyProject();
    const home = mkdtempSync(path.join(os.tmpdir(), 'testing-phase-home-'));
    temps.push(home);
    const saved = { HOME: process.env.HOME, PYTHONPATH: process.env.PYTHONPATH };
    process.env.HOME = home;
    process.env.PYTHONPATH = path.join(checkout, 'src');
    let result: TestingResult;
    try {
      const anchors = await editWithEngine(root, spec);
      result = await runTestingPhase(root, spec, anchors);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    // The database class defaults to ~/.linkbox/links.db: nothing may appear there.
    expect(readdirSync(home)).toEqual([]);
    expect(result.failures).toEqual([]);
    expect(result.categories).toMatchObject({
      unit: { failed: 0 },
      integration: { tests: 4, failed: 0 },
      migration: { tests: 2, failed: 0 },
    });
    const migration = readFileSync(path.join(root, 'tests/test_bookmark_note_migration.py'), 'utf8');
    // The real class that inherits the migrations mixin, always on a temporary file.
    expect(migration).toContain('database = LinkDB(path)');
    expect(migration).not.toMatch(/LinkDB\(\)/);
    // The chain the conftest builds: TagRanker(db: "LinkDB"), Clock(ranker) learned from its call.
    expect(migration).toContain(
      'tag_ranker = TagRanker(database)\n    clock = Clock(tag_ranker)\n    link_service = LinkService(database, tag_ranker, clock)',
    );
    const integration = readFileSync(path.join(root, 'tests/test_bookmark_note_integration.py'), 'utf8');
    expect(integration).toContain(
      'async def test_add_bookmark_when_note_given_stores_it(links: LinkService)',
    );
  });
  it('refuses to describe the project when an installed copy is imported instead of the workspace', async () => {
    const root = copyProject();
    const checkout = copyProject();
    // An editable install whose finder comes before the import path (some build backends do this).
    const site = mkdtempSync(path.join(os.tmpdir(), 'testing-phase-site-'));
    temps.push(site);
    writeFileSync(
      path.join(site, 'sitecustomize.py'),
      [
        'import importlib.machinery, sys',
        'class _Editable(importlib.machinery.PathFinder):',
        '    @classmethod',
        '    def find_spec(cls, name, path=None, target=None):',
        '        if name == "linkbox":',
        `            return importlib.machinery.PathFinder.find_spec(name, [${JSON.stringify(path.join(checkout, 'src'))}], target)`,
        '        return None',
        'sys.meta_path.insert(0, _Editable)',
        '',
      ].join('\n'),
    );
    const saved = process.env.PYTHONPATH;
    process.env.PYTHONPATH = site;
    try {
      const anchors = await editWithEngine(root, spec).catch(() => analyzeWorkspace(root, spec));
      const error = await runTestingPhase(root, spec, anchors).catch((err: unknown) => err);
      expect((error as SpecialistError).type).toBe('TestsFailed');
      expect((error as SpecialistError).message).toMatch(
        /linkbox\.models is imported from .*testing-phase-linkbox-.*, not from the workspace/,
      );
    } finally {
      if (saved === undefined) delete process.env.PYTHONPATH;
      else process.env.PYTHONPATH = saved;
    }
  });
});

describe('failures other than tests', () => {
  it('reports a touched file that does not compile as CompileFailed, with file and line', async () => {
    const root = copySample('taskqueue');
    const spec = loadSpec('task-summary');
    const models = path.join(root, 'src/taskqueue/domain/models.py');
    writeFileSync(models, `${readFileSync(models, 'utf8')}\ndef broken(:\n    pass\n`);
    const error = await runTestingPhase(root, spec, sampleAnchors('taskqueue', spec, root)).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(SpecialistError);
    expect((error as SpecialistError).type).toBe('CompileFailed');
    expect((error as SpecialistError).details.problems).toEqual([
      expect.objectContaining({ file: 'src/taskqueue/domain/models.py', line: 94 }),
    ]);
  });

  it('blocks on a mypy error in a touched file even when every test passes', async () => {
    const root = copySample('taskqueue');
    const spec = loadSpec('task-summary');
    const anchors = await editWithEngine(root, spec);
    const service = path.join(root, 'src/taskqueue/services/task_queue_service.py');
    writeFileSync(service, `${readFileSync(service, 'utf8')}\n\nWRONG: int = "not an int"\n`);
    const error = await runTestingPhase(root, spec, anchors).catch((err: unknown) => err);
    expect((error as SpecialistError).type).toBe('TestsFailed');
    const details = (error as SpecialistError).details as { result: TestingResult; mypyErrors: string[] };
    expect(details.result.failures).toEqual([]);
    expect(details.result.mypy.passed).toBe(false);
    expect(details.mypyErrors).toEqual([
      expect.stringMatching(/^src\/taskqueue\/services\/task_queue_service\.py:\d+: Incompatible types/),
    ]);
  });

  it('fails (does not pass) when mypy is configured but cannot run', async () => {
    const root = copySample('taskqueue');
    const spec = loadSpec('task-summary');
    const anchors = await editWithEngine(root, spec);
    const pyproject = path.join(root, 'pyproject.toml');
    // A plugin mypy cannot import: mypy stops before checking anything (exit 2, no error lines).
    writeFileSync(
      pyproject,
      readFileSync(pyproject, 'utf8').replace(
        'plugins = ["pydantic.mypy"]',
        'plugins = ["no_such_plugin.mypy"]',
      ),
    );
    const error = await runTestingPhase(root, spec, anchors).catch((err: unknown) => err);
    expect((error as SpecialistError).type).toBe('TestsFailed');
    expect((error as SpecialistError).message).toMatch(/check\(s\) could not run/);
    expect((error as SpecialistError).message).toMatch(/mypy: mypy is configured but could not run/);
    const details = (error as SpecialistError).details as { result: TestingResult };
    expect(details.result.failures).toEqual([]);
    expect(details.result.checks).toContainEqual(expect.objectContaining({ name: 'mypy', passed: false }));
  });

  it('fails (does not pass) when coverage cannot be measured', async () => {
    const root = copySample('taskqueue');
    const spec = loadSpec('task-summary');
    const anchors = await editWithEngine(root, spec);
    const pyproject = path.join(root, 'pyproject.toml');
    // pytest-cov switched off by the project's own options: the --cov run cannot measure anything.
    writeFileSync(
      pyproject,
      readFileSync(pyproject, 'utf8').replace('addopts = "-ra"', 'addopts = "-ra -p no:pytest_cov"'),
    );
    const error = await runTestingPhase(root, spec, anchors).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SpecialistError);
    expect((error as SpecialistError).type).toBe('TestsFailed');
  });

  it('fails (does not pass) when the interpreter cannot run', async () => {
    const root = copySample('taskqueue');
    const spec = loadSpec('task-summary');
    const anchors = await editWithEngine(root, spec);
    const error = await runTestingPhase(root, spec, anchors, { python: '/nonexistent/bin/python3' }).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(SpecialistError);
    expect((error as SpecialistError).type).toBe('WorkspaceInvalid');
    expect((error as SpecialistError).message).toMatch(/\/nonexistent\/bin\/python3 does not exist/);
  });

  it('refuses to overwrite a test file of the same name that it did not generate', async () => {
    const root = copySample('taskqueue');
    const spec = loadSpec('task-summary');
    const mine = path.join(root, 'tests/test_task_summary_unit.py');
    writeFileSync(mine, 'def test_mine() -> None:\n    assert True\n');
    const error = await runTestingPhase(root, spec, sampleAnchors('taskqueue', spec, root)).catch(
      (err: unknown) => err,
    );
    expect((error as SpecialistError).type).toBe('WorkspaceInvalid');
    expect(readFileSync(mine, 'utf8')).toBe('def test_mine() -> None:\n    assert True\n');
  });

  it('fails when pytest does not collect the generated files', async () => {
    const root = copySample('taskqueue');
    const spec = loadSpec('task-summary');
    const pyproject = path.join(root, 'pyproject.toml');
    writeFileSync(
      pyproject,
      readFileSync(pyproject, 'utf8').replace(
        'testpaths = ["tests"]',
        'testpaths = ["tests/test_domain.py"]',
      ),
    );
    const error = await runTestingPhase(root, spec, sampleAnchors('taskqueue', spec, root)).catch(
      (err: unknown) => err,
    );
    expect((error as SpecialistError).type).toBe('TestsFailed');
    expect((error as SpecialistError).message).toMatch(
      /did not collect the generated unit, integration, migration tests/,
    );
  });
});

describe('long pytest runs', () => {
  it('stop when the signal aborts, killing the process group', async () => {
    const root = copySample('taskqueue');
    const spec = loadSpec('task-summary');
    const anchors = sampleAnchors('taskqueue', spec, root);
    const controller = new AbortController();
    const started = Date.now();
    const outcome = runTestingPhase(root, spec, anchors, {
      signal: controller.signal,
      heartbeat: (detail) => {
        if ((detail as { step?: string }).step === 'pytest') controller.abort(new Error('cancelled by test'));
      },
    });
    await expect(outcome).rejects.toThrow('cancelled by test');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(existsSync(path.join(root, '.pytest_cache'))).toBe(false);
  });

  it('fail with TestsFailed when the timeout passes', async () => {
    const root = copySample('taskqueue');
    const spec = loadSpec('task-summary');
    const error = await runTestingPhase(root, spec, sampleAnchors('taskqueue', spec, root), {
      timeoutMs: 50,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SpecialistError);
    expect((error as SpecialistError).details).toMatchObject({ timedOut: true });
  });
});

/** docs/testing-phase.md, The judgement: accepted base failures do not fail the phase; new ones do. */
describe('tests already failing on the base (knownFailures)', () => {
  const spec = loadSpec('task-summary');
  const OLD = 'tests/test_base_broken.py::test_broken_on_base';

  it('passes with only the accepted base failure failing, and names only the new failure otherwise', async () => {
    const root = copySample('taskqueue');
    writeFileSync(
      path.join(root, 'tests/test_base_broken.py'),
      'def test_broken_on_base() -> None:\n    assert 1 + 1 == 3, "broken on the base"\n',
    );
    const anchors = await editWithEngine(root, spec);
    const result = await runTestingPhase(root, spec, anchors, { knownFailures: [OLD] });
    expect(result.baseFailures).toEqual([OLD]);
    expect(result.newFailures).toEqual([]);
    expect(result.failed).toBe(1);
    expect(result.unitTestsPassed && result.integrationTestsPassed && result.migrationTestsPassed).toBe(true);
    expect(result.checks.find((c) => c.name === 'pytest')!.detail).toMatch(
      /1 failed, .*\(1 already failing on the base, accepted\)/,
    );

    // A failure the base did not have fails the phase, and only it is named as failing.
    writeFileSync(
      path.join(root, 'tests/test_new_break.py'),
      'def test_new_break() -> None:\n    assert "new" == "old"\n',
    );
    const failed = await expectTestsFailed(runTestingPhase(root, spec, anchors, { knownFailures: [OLD] }));
    expect(failed.newFailures).toEqual(['tests/test_new_break.py::test_new_break']);
    expect(failed.baseFailures).toEqual([OLD]);
    expect(failed.failures[0]!.id).toBe('tests/test_new_break.py::test_new_break');
  });
});
