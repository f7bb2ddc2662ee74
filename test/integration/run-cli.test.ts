/** `specialist run` refuses bad input before it starts anything: exit 2 and a line naming the problem. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/client/cli';

describe('specialist run with bad input', () => {
  let dir: string;
  let errors: string[];
  let spy: jest.SpyInstance;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-run-cli-'));
    errors = [];
    spy = jest.spyOn(console, 'error').mockImplementation((line: unknown) => {
      errors.push(String(line));
    });
    process.exitCode = undefined;
  });

  afterEach(() => {
    spy.mockRestore();
    process.exitCode = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (...args: string[]) => {
    await main(['node', 'specialist', 'run', ...args]);
    return process.exitCode;
  };

  it('names the JSON path of every problem in the spec and exits 2', async () => {
    const spec = path.join(dir, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        feature: 'Bad Name',
        data_models: { changes: [{ model: 'Task', field: 'class', type: 'str' }] },
      }),
    );
    expect(await run(spec, '--workspace', dir)).toBe(2);
    const message = errors.join('\n');
    expect(message).toMatch(/feature: expected a short kebab-case name/);
    expect(message).toMatch(/data_models\.changes\[0\]\.field: .*keyword/);
  });

  it('refuses a prerequisite cycle in the plan', async () => {
    const spec = path.join(dir, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        feature: 'cycle',
        data_models: { changes: [{ model: 'Task', field: 'summary', type: 'str', nullable: true }] },
        implementation_plan: {
          phases: [
            { name: 'domain_model', prerequisites: ['service_layer'] },
            { name: 'service_layer', prerequisites: ['domain_model'] },
          ],
        },
      }),
    );
    expect(await run(spec, '--workspace', dir)).toBe(2);
    expect(errors.join('\n')).toMatch(/cycle/);
  });

  it('refuses a workspace that is not a git repository', async () => {
    const spec = path.join(dir, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        feature: 'ok',
        data_models: { changes: [{ model: 'Task', field: 'summary', type: 'str', nullable: true }] },
      }),
    );
    expect(await run(spec, '--workspace', dir)).toBe(2);
    expect(errors.join('\n')).toMatch(/is not a git repository/);
  });

  it('refuses a spec file that is not JSON', async () => {
    const spec = path.join(dir, 'spec.json');
    writeFileSync(spec, '{ nope');
    expect(await run(spec, '--workspace', dir)).toBe(2);
    expect(errors.join('\n')).toMatch(/is not valid JSON/);
  });
});
