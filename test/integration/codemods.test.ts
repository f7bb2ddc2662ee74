/**
 * Phases 1–5 on real copies of the samples, for specs covering the type matrix: the edited code
 * compiles, the sample's own suite still passes, and a hand-written end-to-end test of the new field
 * (test/fixtures/e2e) passes. A second application changes nothing. A sample whose dependencies the
 * shared venv does not hold (recipebox: FastAPI) runs in a virtualenv of its own, linked as its `.venv`.
 *
 * mypy runs for every spec (all four samples configure it; this is also where the samples are proven
 * type-clean after phases 1–5, once done by a file of its own that edited 13 of these specs again).
 *
 * Kept cheap without checking less: mypy shares one cache per sample across the file (the stdlib and
 * third-party modules are checked once; every copy's own modules are new paths, so mypy checks them
 * again); the second application of every spec runs the codemods on the edited files without writing
 * (what `filesModified` is made of), and the first spec of each sample re-applies through
 * `applyEditPhase` with all its checks, as a retried phase does.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/analysis/analyze-workspace';
import { applyEditPhase } from '../../src/phases/edit-phases';
import { EDIT_PHASES, FileSet, runPhase } from '../../src/phases/phase-codemods';
import { resolvePython } from '../../src/python/interpreter';
import { readProjectConfig } from '../../src/python/project-config';
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import { caseVenv } from '../cases/harness/case-repo';

const REPO = path.resolve(__dirname, '..', '..');
const EXAMPLES = path.join(REPO, 'examples');

interface Case {
  sample: 'taskqueue' | 'bookshelf' | 'recipebox' | 'marginalia';
  /** A file of examples/specs, or an inline spec for the rest of the type matrix. */
  spec: string;
  inline?: Record<string, unknown>;
  /** The JSON value the end-to-end test sends through the tool (omitted: suite only). */
  value?: unknown;
}

const CASES: Case[] = [
  { sample: 'taskqueue', spec: 'task-summary', value: 'Short summary' },
  { sample: 'taskqueue', spec: 'taskqueue-int-timeout-seconds', value: 120 },
  { sample: 'taskqueue', spec: 'taskqueue-bool-requires-review', value: true },
  { sample: 'taskqueue', spec: 'taskqueue-datetime-deadline', value: '2030-01-02T03:04:05+00:00' },
  { sample: 'taskqueue', spec: 'taskqueue-enum-dependency-type', value: 'parallel' },
  { sample: 'taskqueue', spec: 'taskqueue-list-labels', value: ['backend', 'urgent'] },
  { sample: 'taskqueue', spec: 'taskqueue-dict-context', value: { repo: 'abathur' } },
  { sample: 'recipebox', spec: 'recipebox-str-notes', value: 'Less salt next time' },
  { sample: 'recipebox', spec: 'recipebox-int-prep-minutes', value: 45 },
  { sample: 'recipebox', spec: 'recipebox-bool-vegetarian', value: true },
  { sample: 'recipebox', spec: 'recipebox-datetime-last-cooked-at', value: '2030-01-02T03:04:05+00:00' },
  { sample: 'recipebox', spec: 'recipebox-enum-cuisine', value: 'japanese' },
  { sample: 'recipebox', spec: 'recipebox-list-tags', value: ['quick', 'weeknight'] },
  { sample: 'taskqueue', spec: 'taskqueue-multi-field' },
  { sample: 'bookshelf', spec: 'bookshelf-str-subtitle', value: 'A subtitle' },
  { sample: 'bookshelf', spec: 'bookshelf-int-page-count', value: 412 },
  { sample: 'bookshelf', spec: 'bookshelf-bool-favorite', value: true },
  { sample: 'bookshelf', spec: 'bookshelf-datetime-last-read-at', value: '2024-05-06T07:08:09+00:00' },
  { sample: 'bookshelf', spec: 'bookshelf-enum-edition-format', value: 'ebook' },
  { sample: 'bookshelf', spec: 'bookshelf-list-co-authors', value: ['Brian Herbert'] },
  // FastMCP tools on aiosqlite (the parameter on the tool function): the whole matrix.
  { sample: 'marginalia', spec: 'marginalia-str-note', value: 'Read before Friday' },
  { sample: 'marginalia', spec: 'marginalia-int-read-minutes', value: 12 },
  { sample: 'marginalia', spec: 'marginalia-bool-starred', value: true },
  { sample: 'marginalia', spec: 'marginalia-datetime-remind-at', value: '2030-01-02T03:04:05+00:00' },
  { sample: 'marginalia', spec: 'marginalia-enum-status', value: 'reading' },
  { sample: 'marginalia', spec: 'marginalia-list-authors', value: ['Ada Lovelace', 'Charles Babbage'] },
  { sample: 'marginalia', spec: 'marginalia-float-score', value: 4.5 },
  {
    sample: 'marginalia',
    spec: 'marginalia-uuid-collection-id',
    value: '12345678-1234-5678-1234-567812345678',
  },
  // The rest of the type matrix, inline: UUID, float bounds, a pattern, list[UUID], nullable enum.
  {
    sample: 'taskqueue',
    spec: 'inline-uuid-reviewer',
    inline: { model: 'Task', field: 'reviewer_id', type: 'UUID', nullable: true },
    value: '12345678-1234-5678-1234-567812345678',
  },
  {
    sample: 'taskqueue',
    spec: 'inline-float-cost',
    inline: { model: 'Task', field: 'cost', type: 'float', default: 0, constraints: { ge: 0, lt: 1000 } },
    value: 12.5,
  },
  {
    sample: 'bookshelf',
    spec: 'inline-str-pattern-language',
    inline: {
      model: 'Book',
      field: 'language',
      type: 'str',
      default: 'en',
      constraints: { pattern: '^[a-z]{2}$' },
    },
    value: 'fr',
  },
  {
    sample: 'bookshelf',
    spec: 'inline-list-uuid-related',
    inline: { model: 'Book', field: 'related_ids', type: 'list[UUID]', default: [] },
    value: ['12345678-1234-5678-1234-567812345678'],
  },
  {
    sample: 'bookshelf',
    spec: 'inline-nullable-enum-condition-at-purchase',
    inline: { model: 'Book', field: 'purchase_condition', type: 'BookCondition', nullable: true },
    value: 'good',
  },
];

const OWN_VENV = new Set<Case['sample']>(['recipebox', 'marginalia']);

function loadSpec(name: string, inline?: Record<string, unknown>) {
  if (inline) return parseFeatureSpec({ feature: name, data_models: { changes: [inline] } }, name);
  return parseFeatureSpec(
    JSON.parse(readFileSync(path.join(EXAMPLES, 'specs', `${name}.json`), 'utf8')),
    name,
  );
}

/** The first spec of each sample re-applies with every check; the others without writing or checking. */
const FULL_REAPPLY = new Set(
  [...new Set(CASES.map((c) => c.sample))].map((sample) => CASES.find((c) => c.sample === sample)!.spec),
);

/** Each own-venv sample's virtualenv, looked up once per file. */
const venvs = new Map<string, Promise<string>>();
const sampleVenv = (sample: string) => {
  if (!venvs.has(sample)) venvs.set(sample, caseVenv(path.join(EXAMPLES, sample)));
  return venvs.get(sample)!;
};

describe('phases 1–5 on the samples', () => {
  let dir: string;
  let mypyCaches: string;
  beforeAll(() => {
    mypyCaches = mkdtempSync(path.join(os.tmpdir(), 'specialist-codemods-mypy-'));
  });
  afterAll(() => {
    if (mypyCaches) rmSync(mypyCaches, { recursive: true, force: true });
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-codemods-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test.each(CASES)(
    '$spec on $sample compiles, keeps the suite green and carries the field end to end',
    async (c) => {
      cpSync(path.join(EXAMPLES, c.sample), dir, {
        recursive: true,
        filter: (src) => !/(__pycache__|\.pytest_cache|\.mypy_cache)$/.test(src),
      });
      // FastAPI and mcp are not in the shared venv: those samples get one built from their own pyproject.
      if (OWN_VENV.has(c.sample)) symlinkSync(await sampleVenv(c.sample), path.join(dir, '.venv'));
      const spec = loadSpec(c.spec, c.inline);
      const anchors = await analyzeWorkspace(dir, spec);
      for (const phase of EDIT_PHASES) {
        const result = await applyEditPhase(dir, spec, phase, anchors);
        expect(result.checks.filter((check) => !check.passed)).toEqual([]);
        // A sample without serializers (recipebox: its response model carries the field) has no phase 5 edit.
        const noSerializers = anchors.changes.every((c) => c.serializers.length === 0);
        if (!(phase === 'serialization' && noSerializers))
          expect(result.filesModified.length).toBeGreaterThan(0);
      }
      if (FULL_REAPPLY.has(c.spec)) {
        for (const phase of EDIT_PHASES) {
          const again = await applyEditPhase(dir, spec, phase);
          expect(again.filesModified).toEqual([]);
        }
      } else {
        // What applyEditPhase's filesModified is made of: the phase's codemods on a fresh analysis.
        const edited = await analyzeWorkspace(dir, spec);
        for (const phase of EDIT_PHASES) {
          const files = new FileSet(dir);
          runPhase(phase, spec, edited, files);
          expect({ phase, changed: files.changed() }).toEqual({ phase, changed: [] });
        }
      }

      // Every sample configures mypy, and phase 6 runs it: the edits must keep the sample type-clean.
      expect((await readProjectConfig(resolvePython(dir), dir)).mypy.configured).toBe(true);
      const cache = ['--cache-dir', path.join(mypyCaches, c.sample)];
      const mypy = spawnSync(resolvePython(dir), ['-m', 'mypy', ...cache], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 240_000,
      });
      if (mypy.status !== 0 || !/^Success: no issues found/m.test(mypy.stdout)) {
        // The offending lines next to mypy's messages.
        const context = [...mypy.stdout.matchAll(/^([^\s:]+\.py):(\d+): error/gm)].map(([, file, line]) => {
          const lines = readFileSync(path.join(dir, file ?? ''), 'utf8').split('\n');
          return `${file}:${line}: ${lines[Number(line) - 1]?.trim() ?? ''}`;
        });
        throw new Error(
          `mypy failed for ${c.spec} (exit ${mypy.status}):\n${mypy.stdout.slice(-3000)}${mypy.stderr.slice(-1000)}\n${context.join('\n')}`,
        );
      }
      const args = ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'];
      const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
      if (c.value !== undefined) {
        const field = spec.data_models.changes[0]!.field;
        copyFileSync(
          path.join(REPO, 'test', 'fixtures', 'e2e', `${c.sample}_new_field_test.py`),
          path.join(dir, 'tests', 'test_specialist_new_field.py'),
        );
        env.SPECIALIST_E2E_CASE = JSON.stringify({ field, value: c.value });
      }
      const run = spawnSync(resolvePython(dir), args, { cwd: dir, env, encoding: 'utf8', timeout: 240_000 });
      const summary = run.stdout.trim().split('\n').pop() ?? '';
      if (run.status !== 0)
        throw new Error(
          `pytest failed for ${c.spec}:\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-2000)}`,
        );
      expect(summary).toMatch(/passed/);
      expect(summary).not.toMatch(/failed|error|skipped/);
      if (c.value !== undefined) expect(run.stdout).not.toMatch(/SPECIALIST_E2E_CASE not set/);
    },
  );
});
