import { parseMarkedJson } from '../../src/python/run-process';
import { parseCoverageJson, touchedCoverage } from '../../src/validation/coverage-report';
import { nodeId, parseJunitXml } from '../../src/validation/junit-report';
import { parseMypyOutput } from '../../src/validation/mypy-runner';
import { headline } from '../../src/phases/testing-phase';
import {
  parseDuration,
  pytestTimeoutMs,
  DEFAULT_PYTEST_TIMEOUT_MS,
} from '../../src/validation/pytest-runner';

const JUNIT = `<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5" time="0.3">
<testcase classname="tests.test_task_summary_unit" name="test_task_summary_when_valid_value_is_kept" file="tests/test_task_summary_unit.py" line="10" time="0.001" />
<testcase classname="tests.test_task_summary_integration" name="test_enqueue_task_when_summary_given_stores_it" file="tests/test_task_summary_integration.py" line="20" time="0.020"><failure message="AssertionError: assert None == &apos;test summary&apos;&#10; +  where None = Task(...).summary">async def test_enqueue_task_when_summary_given_stores_it(service):
&gt;       assert stored.summary == "test summary"
E       AssertionError: assert None == 'test summary'
E        +  where None = Task(...).summary

tests/test_task_summary_integration.py:24: AssertionError</failure></testcase>
<testcase classname="tests.test_server.TestTools" name="test_list[task_get]" file="tests/test_server.py" line="5" time="0.002"><skipped type="pytest.skip" message="not today">tests/test_server.py:5: not today</skipped></testcase>
<testcase classname="tests.test_database" name="test_initialize" file="tests/test_database.py" line="3" time="0.004"><error message="failed on setup with &quot;sqlite3.OperationalError: locked&quot;">fixture error</error></testcase>
<testcase classname="" name="tests.test_broken" time="0.000"><error message="collection failure">SyntaxError: invalid syntax</error></testcase>
</testsuite></testsuites>`;

describe('JUnit report parser', () => {
  const summary = parseJunitXml(JUNIT);

  it('counts every outcome', () => {
    expect([summary.passed, summary.failed, summary.errors, summary.skipped]).toEqual([1, 1, 2, 1]);
  });

  it('gives pytest node ids, with classes and parameters', () => {
    expect(summary.cases.map((c) => c.id)).toEqual([
      'tests/test_task_summary_unit.py::test_task_summary_when_valid_value_is_kept',
      'tests/test_task_summary_integration.py::test_enqueue_task_when_summary_given_stores_it',
      'tests/test_server.py::TestTools::test_list[task_get]',
      'tests/test_database.py::test_initialize',
      'tests/test_broken.py',
    ]);
  });

  it('keeps the assertion text of a failure, entities decoded', () => {
    const failure = summary.cases[1]!;
    expect(failure.outcome).toBe('failed');
    expect(failure.message).toContain("AssertionError: assert None == 'test summary'");
    expect(failure.message).toContain('where None = Task(...).summary');
  });

  it('reports setup and collection errors as errors with their message', () => {
    expect(summary.cases[3]).toMatchObject({
      outcome: 'error',
      message: 'failed on setup with "sqlite3.OperationalError: locked"',
    });
    expect(summary.cases[4]).toMatchObject({ outcome: 'error', file: 'tests/test_broken.py' });
  });

  it('reads a report with a single testsuite root', () => {
    const single = parseJunitXml(
      '<testsuite><testcase classname="t" name="test_a" file="t.py" time="0.1"/></testsuite>',
    );
    expect(single.cases).toEqual([
      { id: 't.py::test_a', file: 't.py', name: 'test_a', outcome: 'passed', durationSec: 0.1 },
    ]);
  });

  it('guesses the file from the classname when junit has no file attribute', () => {
    expect(nodeId('tests.test_x', 'test_a', undefined)).toEqual({
      id: 'tests/test_x.py::test_a',
      file: 'tests/test_x.py',
    });
  });
});

describe('coverage report parser', () => {
  const json = JSON.stringify({
    meta: { version: '7' },
    files: {
      'src/taskqueue/domain/models.py': { summary: { percent_covered: 100 } },
      'src/taskqueue/infrastructure/database.py': { summary: { percent_covered: 93.456 } },
    },
    totals: { percent_covered: 96.04 },
  });

  it('reads the total and the per-file percentages with one decimal', () => {
    expect(parseCoverageJson(json, '/work/sample')).toEqual({
      totalPercent: 96,
      files: { 'src/taskqueue/domain/models.py': 100, 'src/taskqueue/infrastructure/database.py': 93.5 },
    });
  });

  it('reports touched modules, unmeasured ones as 0, non-Python files left out', () => {
    const summary = parseCoverageJson(json, '/work/sample');
    expect(
      touchedCoverage(summary, [
        'src/taskqueue/infrastructure/database.py',
        'src/taskqueue/new.py',
        'README.md',
      ]),
    ).toEqual({ 'src/taskqueue/infrastructure/database.py': 93.5, 'src/taskqueue/new.py': 0 });
  });

  it('makes absolute paths relative to the workspace', () => {
    const abs = JSON.stringify({
      files: { '/work/sample/src/a.py': { summary: { percent_covered: 50 } } },
      totals: {},
    });
    expect(parseCoverageJson(abs, '/work/sample').files).toEqual({ 'src/a.py': 50 });
  });
});

describe('mypy output parser', () => {
  it('reads error lines with and without columns and ignores notes', () => {
    const output = [
      'src/taskqueue/infrastructure/database.py:288: error: Argument 1 to "loads" has incompatible type  [arg-type]',
      'src/x.py:3:5: error: Name "y" is not defined  [name-defined]',
      'src/x.py:4: note: See https://mypy.rtfd.io',
      'Found 2 errors in 2 files (checked 10 source files)',
    ].join('\n');
    expect(parseMypyOutput(output)).toEqual([
      {
        file: 'src/taskqueue/infrastructure/database.py',
        line: 288,
        message: 'Argument 1 to "loads" has incompatible type  [arg-type]',
      },
      { file: 'src/x.py', line: 3, message: 'Name "y" is not defined  [name-defined]' },
    ]);
  });
});

describe('pytest timeout', () => {
  const saved = process.env.SPECIALIST_PYTEST_TIMEOUT;
  afterEach(() => {
    if (saved === undefined) delete process.env.SPECIALIST_PYTEST_TIMEOUT;
    else process.env.SPECIALIST_PYTEST_TIMEOUT = saved;
  });

  it('parses durations with units, bare numbers as seconds', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1500ms')).toBe(1_500);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('prefers the option, then SPECIALIST_PYTEST_TIMEOUT, then ten minutes', () => {
    delete process.env.SPECIALIST_PYTEST_TIMEOUT;
    expect(pytestTimeoutMs()).toBe(DEFAULT_PYTEST_TIMEOUT_MS);
    process.env.SPECIALIST_PYTEST_TIMEOUT = '2m';
    expect(pytestTimeoutMs()).toBe(120_000);
    expect(pytestTimeoutMs(5_000)).toBe(5_000);
  });
});

describe('helper script output', () => {
  it('reads the marked JSON even when the imported project printed first', () => {
    const stdout = 'Migrating database schema\nhello\n@@specialist-json@@{"a": [1]}\n';
    expect(parseMarkedJson(stdout)).toEqual({ a: [1] });
  });

  it('says what the helper wrote when there is no result', () => {
    expect(() => parseMarkedJson('Traceback: boom')).toThrow(
      'helper script wrote no result: Traceback: boom',
    );
  });
});

describe('the headline of a failure', () => {
  it('keeps a specific first line', () => {
    expect(headline('failed on setup with "sqlite3.OperationalError: no such table: stock"\nmore')).toBe(
      'failed on setup with "sqlite3.OperationalError: no such table: stock"',
    );
    expect(headline("AssertionError: assert None == 'x'\n+  where None = t.summary")).toBe(
      "AssertionError: assert None == 'x'",
    );
  });

  it('adds the error itself to a generic first line', () => {
    expect(headline('collection failure\nsqlite3.OperationalError: unable to open database file')).toBe(
      'collection failure: sqlite3.OperationalError: unable to open database file',
    );
  });
});
