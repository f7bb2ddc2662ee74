/**
 * The samples stay type-clean after phases 1–5: phase 6 runs mypy where a project configures it
 * (both samples do), so an edit that compiles and passes pytest but breaks mypy would fail a run.
 * One spec per sample that touches every layer with several kinds of field.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { analyzeWorkspace } from '../../src/analysis/analyze-workspace';
import { applyEditPhase } from '../../src/phases/edit-phases';
import { EDIT_PHASES } from '../../src/phases/phase-codemods';
import { resolvePython } from '../../src/python/interpreter';
import { parseFeatureSpec } from '../../src/spec/feature-spec';

const run = promisify(execFile);
const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const CASES = [
  {
    sample: 'taskqueue',
    specs: [
      'task-summary',
      'taskqueue-multi-field',
      'taskqueue-enum-dependency-type',
      'taskqueue-datetime-deadline',
      'taskqueue-dict-context',
      'taskqueue-bool-requires-review',
      'taskqueue-int-timeout-seconds',
    ],
  },
  {
    sample: 'bookshelf',
    specs: [
      'bookshelf-str-subtitle',
      'bookshelf-int-page-count',
      'bookshelf-bool-favorite',
      'bookshelf-datetime-last-read-at',
      'bookshelf-enum-edition-format',
      'bookshelf-list-co-authors',
    ],
  },
];

describe.each(CASES)('the $sample sample after phases 1–5', ({ sample, specs }) => {
  test.each(specs)(
    'of %s still type-checks with its mypy configuration',
    async (specName) => {
      const tmp = await mkdtemp(path.join(os.tmpdir(), `examples-after-${sample}-`));
      try {
        const root = path.join(tmp, sample);
        await cp(path.join(EXAMPLES, sample), root, {
          recursive: true,
          filter: (source) => !/(__pycache__|\.pytest_cache|\.mypy_cache)$/.test(source),
        });
        const spec = parseFeatureSpec(
          JSON.parse(await readFile(path.join(EXAMPLES, 'specs', `${specName}.json`), 'utf8')),
          specName,
        );
        const anchors = await analyzeWorkspace(root, spec);
        for (const phase of EDIT_PHASES) await applyEditPhase(root, spec, phase, anchors);
        const result = await run(
          resolvePython(root),
          ['-m', 'mypy', '--cache-dir', path.join(tmp, 'mypy-cache')],
          {
            cwd: root,
          },
        ).catch((err: { stdout?: string; stderr?: string }) => ({
          stdout: `${err.stdout ?? ''}${err.stderr ?? ''}`,
        }));
        // On failure, show the offending generated lines next to mypy's message.
        const context = await Promise.all(
          [...result.stdout.matchAll(/^([^\s:]+\.py):(\d+): error/gm)].map(async ([, file, line]) => {
            const lines = (await readFile(path.join(root, file ?? ''), 'utf8')).split('\n');
            return `${file}:${line}: ${lines[Number(line) - 1]?.trim() ?? ''}`;
          }),
        );
        expect(`${result.stdout}${context.join('\n')}`).toMatch(/^Success: no issues found/m);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
