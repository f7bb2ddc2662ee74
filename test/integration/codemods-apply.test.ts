/** applyEditPhase refuses without leaving a half-edited workspace, and reports its checks. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyEditPhase } from '../../src/phases/edit-phases';
import { SpecialistError } from '../../src/errors';
import { parseFeatureSpec } from '../../src/spec/feature-spec';

const REPO = path.resolve(__dirname, '..', '..');
const SERVICE = 'src/taskqueue/services/task_queue_service.py';
const spec = parseFeatureSpec(
  JSON.parse(readFileSync(path.join(REPO, 'examples', 'specs', 'task-summary.json'), 'utf8')),
);

describe('applyEditPhase', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-apply-'));
    cpSync(path.join(REPO, 'examples', 'taskqueue'), dir, {
      recursive: true,
      filter: (src) => !/(__pycache__|\.pytest_cache|\.mypy_cache)$/.test(src),
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('reports the model probe: a valid value accepted, an invalid one refused', async () => {
    const result = await applyEditPhase(dir, spec, 'domain_model');
    expect(result.filesModified).toEqual(['src/taskqueue/domain/models.py']);
    const probe = result.checks.filter((c) => c.name.startsWith('instantiate Task.summary'));
    expect(probe.map((c) => [c.name, c.passed])).toEqual([
      ['instantiate Task.summary with a valid value', true],
      ['instantiate Task.summary with an invalid value', true],
    ]);
    expect(probe[1]!.detail).toMatch(/at most 200 characters/);
  });

  test('a codemod that refuses leaves every file as it was', async () => {
    // Two Task(...) calls in the service method: phase 3 cannot tell which to extend.
    const file = path.join(dir, SERVICE);
    const original = readFileSync(file, 'utf8').replace(
      '        return await self.db.insert_task(task)\n',
      '        if not description:\n            task = Task(description="untitled", source=source)\n        return await self.db.insert_task(task)\n',
    );
    writeFileSync(file, original);
    const error = await applyEditPhase(dir, spec, 'service_layer').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SpecialistError);
    expect((error as SpecialistError).type).toBe('CodemodFailed');
    expect((error as SpecialistError).message).toMatch(
      /add-service-parameter on .*calls Task\(\.\.\.\) 2 times/,
    );
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  test("the migration checks open a fresh and an old database through the project's own Database", async () => {
    await applyEditPhase(dir, spec, 'domain_model');
    const result = await applyEditPhase(dir, spec, 'database_migration');
    const [fresh, old] = result.checks.filter((c) => /^(fresh|old) database: tasks\.summary/.test(c.name));
    expect(fresh).toMatchObject({ passed: true });
    expect(fresh!.detail).toBe(
      'Database(db_path=<temp file>).initialize() then .close(): tasks.summary is summary TEXT',
    );
    expect(old).toMatchObject({ passed: true });
    expect(old!.detail).toMatch(
      /made by the base code's Database\(db_path=<temp file>\)\.initialize\(\) then \.close\(\), opened twice .*: summary exists once, the old row reads null/,
    );
  });
});
