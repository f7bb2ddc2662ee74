/**
 * Reads pytest's JUnit XML (`--junitxml`, written with `-o junit_family=xunit1` so each case carries
 * its file) into per-test results with pytest node ids and the assertion text of each failure.
 */
import { XMLParser } from 'fast-xml-parser';

export type TestOutcome = 'passed' | 'failed' | 'error' | 'skipped';

export interface TestCaseResult {
  /** pytest node id, e.g. `tests/test_x.py::TestA::test_b[1]`. */
  id: string;
  /** Workspace-relative file the test lives in (empty for a collection error without file). */
  file: string;
  name: string;
  outcome: TestOutcome;
  /** For failures and errors: the message and the `E   ` lines of the traceback. */
  message?: string;
  durationSec: number;
}

export interface JunitSummary {
  cases: TestCaseResult[];
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
}

interface RawProblem {
  message?: string;
  '#text'?: string;
}
interface RawCase {
  classname?: string;
  name?: string;
  file?: string;
  time?: string;
  failure?: RawProblem[];
  error?: RawProblem[];
  skipped?: RawProblem[];
}
interface RawSuite {
  testcase?: RawCase[];
}

const ARRAYS = new Set(['testsuite', 'testcase', 'failure', 'error', 'skipped']);

/** The assertion lines pytest marks with `E   ` in a traceback, at most `max` of them. */
function assertionLines(text: string | undefined, max = 20): string[] {
  if (!text) return [];
  return text
    .split('\n')
    .filter((line) => /^E\s/.test(line))
    .slice(0, max)
    .map((line) => line.replace(/^E\s+/, '').trimEnd());
}

function problemText(problems: RawProblem[]): string {
  const parts: string[] = [];
  for (const problem of problems) {
    if (problem.message) parts.push(problem.message.trim());
    const lines = assertionLines(problem['#text']).filter((line) => !parts.includes(line));
    if (lines.length > 0) parts.push(...lines);
    else if (!problem.message && problem['#text'])
      parts.push(problem['#text'].trim().split('\n').slice(-5).join('\n'));
  }
  return parts.join('\n');
}

/** Builds the pytest node id from junit's dotted classname and the case's file. */
export function nodeId(
  classname: string,
  name: string,
  file: string | undefined,
): { id: string; file: string } {
  if (file) {
    const module = file.replace(/\.py$/, '').split(/[\\/]/).join('.');
    const rest =
      classname === module
        ? ''
        : classname.startsWith(`${module}.`)
          ? classname.slice(module.length + 1)
          : '';
    const classes = rest ? `::${rest.split('.').join('::')}` : '';
    return { id: `${file}${classes}::${name}`, file };
  }
  if (!classname) {
    // A collection error: pytest puts the module's dotted path in `name`.
    const guessed = `${name.split('.').join('/')}.py`;
    return { id: guessed, file: guessed };
  }
  const guessed = `${classname.split('.').join('/')}.py`;
  return { id: `${guessed}::${name}`, file: guessed };
}

/** Parses a pytest JUnit XML report. */
export function parseJunitXml(xml: string): JunitSummary {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    // pytest writes newlines in attributes as numeric character references (&#10;).
    htmlEntities: true,
    isArray: (tagName) => ARRAYS.has(tagName),
  });
  const doc = parser.parse(xml) as { testsuites?: { testsuite?: RawSuite[] }; testsuite?: RawSuite[] };
  const suites = doc.testsuites?.testsuite ?? doc.testsuite ?? [];
  const cases: TestCaseResult[] = [];
  for (const suite of suites) {
    for (const raw of suite.testcase ?? []) {
      const { id, file } = nodeId(raw.classname ?? '', raw.name ?? '', raw.file);
      let outcome: TestOutcome = 'passed';
      let message: string | undefined;
      if (raw.error?.length) {
        outcome = 'error';
        message = problemText(raw.error);
      } else if (raw.failure?.length) {
        outcome = 'failed';
        message = problemText(raw.failure);
      } else if (raw.skipped?.length) {
        outcome = 'skipped';
        message = problemText(raw.skipped);
      }
      cases.push({
        id,
        file,
        name: raw.name ?? '',
        outcome,
        ...(message ? { message } : {}),
        durationSec: Number(raw.time ?? 0) || 0,
      });
    }
  }
  const count = (outcome: TestOutcome) => cases.filter((c) => c.outcome === outcome).length;
  return {
    cases,
    passed: count('passed'),
    failed: count('failed'),
    errors: count('error'),
    skipped: count('skipped'),
  };
}
