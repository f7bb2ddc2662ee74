/**
 * The sample projects under examples/ are what the codemods and the generated tests run on, so they
 * must hold up on their own: copied out of this repository and `git init`-ed (as a run's worktree
 * would see them), their pytest suites pass with at least 90% coverage, mypy is clean where they
 * configure it, and running the tools leaves `git status` clean. Every spec in examples/specs/ must
 * validate.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import { parseFieldType } from '../../src/spec/field-type';
import { resolvePython } from '../../src/python/interpreter';
import { caseVenv } from '../cases/harness/case-repo';

const run = promisify(execFile);
const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const SAMPLES = [
  { name: 'taskqueue', pkg: 'taskqueue' },
  { name: 'bookshelf', pkg: 'bookshelf' },
  { name: 'papertrail', pkg: 'papertrail' },
  // FastAPI is not in the shared venv: this sample runs in one built from its own pyproject.
  { name: 'recipebox', pkg: 'recipebox', ownVenv: true },
  // FastMCP needs `mcp`, which the shared venv does not hold: the sample gets its own venv.
  { name: 'marginalia', pkg: 'marginalia', ownVenv: true },
];
const ARTIFACTS = new Set(['__pycache__', '.pytest_cache', '.mypy_cache', '.coverage', '.venv']);

async function copySample(name: string, into: string): Promise<string> {
  const target = path.join(into, name);
  await cp(path.join(EXAMPLES, name), target, {
    recursive: true,
    filter: (source) => !ARTIFACTS.has(path.basename(source)),
  });
  const git = (...args: string[]) => run('git', args, { cwd: target });
  await git('init', '-q');
  await git('add', '-A');
  await git('-c', 'user.name=test', '-c', 'user.email=test@example.invalid', 'commit', '-q', '-m', 'sample');
  return target;
}

describe.each(SAMPLES)(
  'the $name sample',
  ({ name, pkg, ownVenv }: (typeof SAMPLES)[number] & { ownVenv?: boolean }) => {
    let tmp: string;
    let root: string;
    let python: string;

    beforeAll(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), `example-${name}-`));
      root = await copySample(name, tmp);
      python = ownVenv
        ? path.join(await caseVenv(path.join(EXAMPLES, name)), 'bin', 'python')
        : resolvePython(root);
    }, 900_000);

    afterAll(async () => {
      await rm(tmp, { recursive: true, force: true });
    });

    it('passes its own pytest suite with at least 90% line coverage', async () => {
      const report = path.join(tmp, 'coverage.json');
      const { stdout } = await run(
        python,
        ['-m', 'pytest', '-q', `--cov=${pkg}`, '--cov-report=term', `--cov-report=json:${report}`],
        { cwd: root, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, maxBuffer: 10_000_000 },
      );
      expect(stdout).toMatch(/\d+ passed/);
      expect(stdout).not.toMatch(/failed|error/i);
      const coverage = JSON.parse(await readFile(report, 'utf8')) as { totals: { percent_covered: number } };
      expect(coverage.totals.percent_covered).toBeGreaterThanOrEqual(90);
    });

    it('type-checks with the mypy configuration it ships', async () => {
      const { stdout } = await run(python, ['-m', 'mypy', '--cache-dir', path.join(tmp, 'mypy-cache')], {
        cwd: root,
      });
      expect(stdout).toMatch(/^Success: no issues found/m);
    });

    it('leaves its git worktree clean after the tools ran', async () => {
      const { stdout } = await run('git', ['status', '--porcelain'], { cwd: root });
      expect(stdout).toBe('');
    });
  },
);

describe('the example feature specs', () => {
  it('include the bundled task-summary example', async () => {
    const files = await readdir(path.join(EXAMPLES, 'specs'));
    expect(files).toContain('task-summary.json');
  });

  it('all validate against the feature spec schema', async () => {
    const dir = path.join(EXAMPLES, 'specs');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      const json: unknown = JSON.parse(await readFile(path.join(dir, file), 'utf8'));
      expect(() => parseFeatureSpec(json, file)).not.toThrow();
    }
  });

  it('name only models and enums that exist in the samples, and fields they do not have yet', async () => {
    const dir = path.join(EXAMPLES, 'specs');
    const models: Record<string, string> = {
      Task: 'taskqueue/src/taskqueue/domain/models.py',
      Agent: 'taskqueue/src/taskqueue/domain/models.py',
      Book: 'bookshelf/src/bookshelf/domain/book.py',
      Paper: 'papertrail/src/papertrail/domain/models.py',
      Recipe: 'recipebox/src/recipebox/domain/models.py',
      Clip: 'marginalia/src/marginalia/domain/models.py',
    };
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json'))) {
      const spec = parseFeatureSpec(JSON.parse(await readFile(path.join(dir, file), 'utf8')), file);
      for (const change of spec.data_models.changes) {
        const modelFile = models[change.model];
        expect(modelFile).toBeDefined();
        const source = await readFile(path.join(EXAMPLES, modelFile ?? ''), 'utf8');
        expect(source).toContain(`class ${change.model}(BaseModel):`);
        expect(source).not.toMatch(new RegExp(`^\\s+${change.field}\\s*:`, 'm'));
        const type = parseFieldType(change.type);
        if (type.kind === 'enum') expect(source).toContain(`class ${type.name}(`);
      }
    }
  });
});
