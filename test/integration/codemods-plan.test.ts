/** `specialist plan` previews phases 1–5 as a diff and leaves the workspace byte-identical. */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/client/cli';

const REPO = path.resolve(__dirname, '..', '..');

function digest(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else hash.update(full).update(readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const error = jest.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
    err += `${parts.join(' ')}\n`;
  });
  process.exitCode = undefined;
  try {
    await main(['node', 'specialist', ...args]);
    return { out, err, code: Number(process.exitCode ?? 0) };
  } finally {
    write.mockRestore();
    error.mockRestore();
    process.exitCode = undefined;
  }
}

describe('specialist plan', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-plan-'));
    cpSync(path.join(REPO, 'examples', 'taskqueue'), path.join(dir, 'ws'), {
      recursive: true,
      filter: (src) => !/(__pycache__|\.pytest_cache|\.mypy_cache)$/.test(src),
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('prints the unified diff of phases 1–5 and touches nothing', async () => {
    const ws = path.join(dir, 'ws');
    const before = digest(ws);
    const { out, code } = await run([
      'plan',
      path.join(REPO, 'examples', 'specs', 'task-summary.json'),
      '--workspace',
      ws,
    ]);
    expect(code).toBe(0);
    expect(out).toContain('--- a/src/taskqueue/domain/models.py');
    expect(out).toContain('+    summary: str | None = Field(');
    expect(out).toContain('+        if "summary" not in column_names:');
    expect(out).toContain('+        summary: str | None = None,');
    expect(out).toContain('+        "summary": task.summary,');
    expect(digest(ws)).toBe(before);
  });

  test('--json prints the anchor map, the changes and the diff', async () => {
    const ws = path.join(dir, 'ws');
    const { out, code } = await run([
      'plan',
      path.join(REPO, 'examples', 'specs', 'task-summary.json'),
      '--workspace',
      ws,
      '--json',
    ]);
    expect(code).toBe(0);
    const plan = JSON.parse(out);
    expect(plan.anchors.changes[0]).toMatchObject({
      model: 'Task',
      table: 'tasks',
      serviceMethod: 'enqueue_task',
      apiTool: 'task_enqueue',
    });
    expect(plan.files).toContain('src/taskqueue/mcp/task_queue_server.py');
    expect(plan.changes.map((c: { phase: string }) => c.phase)).toEqual(
      expect.arrayContaining(['domain_model', 'serialization']),
    );
    expect(plan.diff).toContain('+++ b/src/taskqueue/infrastructure/database.py');
  });

  test('a bad spec exits 2 naming the JSON path', async () => {
    const spec = path.join(dir, 'bad.json');
    writeFileSync(
      spec,
      JSON.stringify({
        feature: 'x',
        data_models: { changes: [{ model: 'Task', field: 'class', type: 'str', nullable: true }] },
      }),
    );
    const { err, code } = await run(['plan', spec, '--workspace', path.join(dir, 'ws')]);
    expect(code).toBe(2);
    expect(err).toMatch(/data_models\.changes\[0\]\.field: "class" is a Python keyword/);
  });

  test('an unknown model exits 2 with what was searched', async () => {
    const spec = path.join(dir, 'unknown.json');
    writeFileSync(
      spec,
      JSON.stringify({
        feature: 'x',
        data_models: { changes: [{ model: 'Ticket', field: 'summary', type: 'str', nullable: true }] },
      }),
    );
    const { err, code } = await run(['plan', spec, '--workspace', path.join(dir, 'ws')]);
    expect(code).toBe(2);
    expect(err).toMatch(/unknown model "Ticket".*Task/);
    // The message a person needs, not the code's type name (SpecInvalid) before it.
    expect(err).not.toMatch(/SpecInvalid/);
  });

  test('a workspace that does not exist exits 2 naming it', async () => {
    const missing = path.join(dir, 'no-such-folder');
    const { err, code } = await run(['plan', 'examples/specs/task-summary.json', '--workspace', missing]);
    expect(code).toBe(2);
    expect(err).toContain(`specialist: workspace ${missing} is not a folder`);
  });
});
