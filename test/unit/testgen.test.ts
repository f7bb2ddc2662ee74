import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ProjectFacts } from '../../src/python/introspect';
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import { generateTests, testFilePath } from '../../src/testgen/generate-tests';
import { ImportSet, pyLiteral, pyString, snakeCase } from '../../src/testgen/python-text';
import { conftestFixtures } from '../../src/testgen/project-wiring';
import { sampleAnchors, type SampleName } from '../fixtures/testgen/sample-anchors';

/**
 * Each folder under test/fixtures/testgen/cases holds `input.json` (the sample, the spec, the project
 * facts recorded from the original sample, the conftest text, the asyncio mode) and `expected/`, the
 * generated files. Set UPDATE_TESTGEN_FIXTURES=1 to rewrite `expected/` after a deliberate change.
 */
const CASES = path.join(__dirname, '..', 'fixtures', 'testgen', 'cases');

interface CaseInput {
  sample: SampleName;
  spec: unknown;
  asyncioMode?: string;
  conftest: string | null;
  facts: ProjectFacts[];
}

function generate(name: string) {
  const input = JSON.parse(readFileSync(path.join(CASES, name, 'input.json'), 'utf8')) as CaseInput;
  const spec = parseFeatureSpec(input.spec);
  const anchors = sampleAnchors(input.sample, spec, `/samples/${input.sample}`);
  return generateTests({
    spec,
    anchors,
    facts: input.facts,
    ...(input.conftest !== null ? { conftestText: input.conftest } : {}),
    ...(input.asyncioMode ? { asyncioMode: input.asyncioMode } : {}),
  });
}

describe('test generator', () => {
  const cases = readdirSync(CASES).sort();

  it.each(cases)('generates the expected files for %s', (name) => {
    const files = generate(name);
    const expectedDir = path.join(CASES, name, 'expected');
    if (process.env.UPDATE_TESTGEN_FIXTURES) {
      mkdirSync(expectedDir, { recursive: true });
      for (const f of files) writeFileSync(path.join(expectedDir, path.basename(f.path)), f.content);
    }
    expect(files.map((f) => f.category)).toEqual(['unit', 'integration', 'migration']);
    for (const f of files) {
      const expected = path.join(expectedDir, path.basename(f.path));
      expect(existsSync(expected)).toBe(true);
      expect(f.content).toBe(readFileSync(expected, 'utf8'));
    }
  });

  it.each(cases)('regenerates byte-identical files for %s', (name) => {
    expect(generate(name)).toEqual(generate(name));
  });

  it('names the files after the feature and the category in the tests folder', () => {
    const [unit] = generate('task-summary');
    expect(unit?.path).toBe('tests/test_task_summary_unit.py');
  });

  it('reuses the conftest fixtures by what they build', () => {
    const integration = generate('task-summary')[1]!.content;
    expect(integration).toContain(
      'async def test_enqueue_task_when_summary_given_stores_it(service: TaskQueueService)',
    );
    expect(integration).not.toContain('@pytest.fixture');
  });

  it('defines its own fixtures when the conftest has none', () => {
    const integration = generate('taskqueue-no-conftest-fixtures')[1]!.content;
    expect(integration).toContain('async def database(tmp_path: Path) -> AsyncIterator[Database]:');
    expect(integration).toContain('def task_queue_service(database: Database) -> TaskQueueService:');
  });

  it('marks async tests and fixtures in strict asyncio mode and keeps single quotes', () => {
    const integration = generate('bookshelf-enum-edition-format')[1]!.content;
    expect(integration).toContain(
      '@pytest.mark.asyncio\nasync def test_register_book_when_edition_format_given_stores_it',
    );
    expect(integration).toContain("'isbn': '9780441013593'");
    expect(integration).not.toMatch(/"[a-z_]+": /);
  });
});

describe('python text helpers', () => {
  it('escapes the quote character, backslashes and newlines in string literals', () => {
    expect(pyString(`it's a "t"\\\n`, "'")).toBe(`'it\\'s a "t"\\\\\\n'`);
    expect(pyString(`it's`, '"')).toBe(`"it's"`);
  });

  it('writes JSON values as Python literals', () => {
    expect(pyLiteral({ a: [1, null, true], b: 'x' }, '"')).toBe('{"a": [1, None, True], "b": "x"}');
  });

  it('groups and sorts imports like isort', () => {
    const imports = new ImportSet()
      .name('taskqueue.models', 'Task')
      .module('pytest')
      .name('pathlib', 'Path')
      .name('taskqueue.server', '_serialize_task')
      .name('taskqueue.server', 'TaskServer')
      .module('sqlite3');
    expect(imports.render()).toBe(
      'import sqlite3\nfrom pathlib import Path\n\nimport pytest\n\nfrom taskqueue.models import Task\nfrom taskqueue.server import TaskServer, _serialize_task',
    );
  });

  it('converts class names to snake case', () => {
    expect(snakeCase('TaskQueueService')).toBe('task_queue_service');
    expect(snakeCase('HTTPServer')).toBe('http_server');
  });

  it('maps conftest fixtures to what their bodies build', () => {
    const text = [
      '@pytest.fixture',
      'def db_path(tmp_path):',
      '    return tmp_path / "x.db"',
      '',
      '@pytest_asyncio.fixture',
      'async def db(db_path):',
      '    database = await connect(db_path)',
      '    yield database',
      '',
      '@pytest.fixture',
      'def library(db):',
      '    return LibraryService(BookRepository(db))',
    ].join('\n');
    expect(
      conftestFixtures(text, { connect: 'db-type', LibraryService: 'svc', BookRepository: 'repo' }),
    ).toEqual({
      // A fixture provides what it returns, not every object it builds on the way.
      'db-type': 'db',
      svc: 'library',
    });
  });
});

it('puts generated files at the root when the tests folder is the root', () => {
  const anchors = { tests: { folder: '.' } } as Parameters<typeof testFilePath>[0];
  expect(testFilePath(anchors, 'task-summary', 'migration')).toBe('test_task_summary_migration.py');
});
