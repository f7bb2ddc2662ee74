/**
 * The round-trip check of phases 3–5 runs the project's own objects (real Python on a copy of the
 * taskqueue sample, the database on a temp file): it passes on the codemods' edits, fails on a
 * purposely wrong edit of each layer (a service, a tool handler or a serializer that drops the field),
 * fails — never passes — when it cannot run (no interpreter, an object graph it cannot build), and
 * reports a database that cannot be given a temporary file as a note, as the test generator does.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeWorkspace } from '../../src/analysis/analyze-workspace';
import { SpecialistError } from '../../src/errors';
import { applyEditPhase } from '../../src/phases/edit-phases';
import { roundTripProbe } from '../../src/phases/round-trip-probe';
import { resolvePython } from '../../src/python/interpreter';
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import { caseVenv } from '../cases/harness/case-repo';

const REPO = path.resolve(__dirname, '..', '..');
const SERVICE = 'src/taskqueue/services/task_queue_service.py';
const SERVER = 'src/taskqueue/mcp/task_queue_server.py';
const DATABASE = 'src/taskqueue/infrastructure/database.py';
const python = resolvePython(REPO);
const spec = parseFeatureSpec(
  {
    feature: 'probe',
    data_models: {
      changes: [
        {
          model: 'Task',
          field: 'summary',
          type: 'str',
          nullable: true,
          default: null,
          constraints: { max_length: 200 },
        },
      ],
    },
  },
  'probe',
);

let dir: string;
const file = (rel: string) => path.join(dir, rel);
const read = (rel: string) => readFileSync(file(rel), 'utf8');
function edit(rel: string, from: string, to: string): void {
  const text = read(rel);
  if (!text.includes(from)) throw new Error(`${rel} does not contain ${from}`);
  writeFileSync(file(rel), text.replace(from, to));
}
async function phasesUpTo(last: number): Promise<void> {
  const phases = [
    'domain_model',
    'database_migration',
    'service_layer',
    'api_layer',
    'serialization',
  ] as const;
  for (const phase of phases.slice(0, last)) await applyEditPhase(dir, spec, phase);
}
const probe = async (phase: 'service_layer' | 'api_layer' | 'serialization', py = python) =>
  roundTripProbe(py, dir, spec, await analyzeWorkspace(dir, spec), phase);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-roundtrip-'));
  cpSync(path.join(REPO, 'examples', 'taskqueue'), dir, {
    recursive: true,
    filter: (src) => !/(__pycache__|\.pytest_cache|\.mypy_cache)$/.test(src),
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('pass after each phase on the codemods’ edits, saying what they read back', async () => {
  await phasesUpTo(2);
  const service = await applyEditPhase(dir, spec, 'service_layer');
  expect(service.checks.filter((c) => c.name.startsWith('round trip'))).toEqual([
    {
      name: 'round trip: TaskQueueService.enqueue_task(summary=…) stores Task.summary, TaskQueueService.get_task reads it back',
      passed: true,
      detail: "Task.summary: the stored summary read back is 'test summary'",
    },
    {
      name: 'round trip: TaskQueueService.enqueue_task() without summary stores its default, TaskQueueService.get_task reads it back',
      passed: true,
      detail: 'Task.summary: the stored summary read back is None',
    },
  ]);
  const api = await applyEditPhase(dir, spec, 'api_layer');
  expect(api.checks.filter((c) => c.name.startsWith('round trip')).map((c) => [c.passed, c.detail])).toEqual([
    [true, "Task.summary: the stored summary read back is 'test summary'"],
    [true, 'Task.summary: the stored summary read back is None'],
  ]);
  const serialization = await applyEditPhase(dir, spec, 'serialization');
  expect(
    serialization.checks.filter((c) => c.name.startsWith('round trip')).map((c) => [c.name, c.passed]),
  ).toEqual([
    ["round trip: tool task_enqueue's response carries summary", true],
    ["round trip: tool task_enqueue's response without summary carries its default", true],
    ['round trip: _serialize_task(Task) writes summary', true],
  ]);
});

test('fail on a service that drops the field, a handler that does not pass it, a serializer that does not write it', async () => {
  await phasesUpTo(5);
  edit(SERVICE, '            summary=summary,\n', '');
  const [given, omitted] = await probe('service_layer');
  expect(given).toMatchObject({
    passed: false,
    detail: 'Task.summary: the stored summary read back is None; expected stored.summary == "test summary"',
  });
  expect(omitted).toMatchObject({ passed: true });

  await phasesUpTo(3); // the service right again (idempotent codemods)
  expect(read(SERVICE)).toContain('summary=summary,');
  edit(SERVER, '            summary=summary,\n', '');
  const [viaTool] = await probe('api_layer');
  expect(viaTool).toMatchObject({
    passed: false,
    detail: expect.stringContaining('read back is None; expected'),
  });

  edit(SERVER, '        "summary": task.summary,\n', '        "summary": "something else",\n');
  const serialized = await probe('serialization');
  expect(serialized.map((c) => c.passed)).toEqual([false, false, false]);
  expect(serialized[2]!.detail).toBe(
    `Task.summary: its output's summary is 'something else'; expected data["summary"] == "test summary"`,
  );
});

test('fail when they cannot run: no interpreter, an object graph that cannot be built', async () => {
  await phasesUpTo(2);
  const [noPython] = await probe('service_layer', '/nonexistent/bin/python3');
  expect(noPython).toMatchObject({
    name: 'round trip after service_layer',
    passed: false,
    detail: expect.stringContaining('could not describe the project'),
  });

  // A collaborator nothing in the project builds: named, with the spec's way out.
  edit(
    SERVICE,
    'def __init__(self, db: Database) -> None:',
    'def __init__(self, db: Database, clock) -> None:',
  );
  const before = read(SERVICE);
  const error = await applyEditPhase(dir, spec, 'service_layer').catch((err: unknown) => err);
  expect(error).toBeInstanceOf(SpecialistError);
  expect((error as SpecialistError).type).toBe('CheckFailed');
  expect((error as SpecialistError).message).toContain('- round trip of Task.summary after service_layer:');
  expect((error as SpecialistError).message).toContain('cannot build TaskQueueService');
  expect((error as SpecialistError).message).toContain('its parameter clock');
  expect(read(SERVICE)).toBe(before);
});

test('a database that cannot be given a temporary file: a note, as the generated tests say it', async () => {
  await phasesUpTo(3);
  edit(
    DATABASE,
    'def __init__(self, db_path: Path) -> None:',
    'def __init__(self) -> None:\n        db_path = Path("never.db")',
  );
  const checks = await probe('service_layer');
  expect(checks).toEqual([
    {
      name: 'note',
      passed: true,
      detail: expect.stringMatching(
        /^Task\.summary: no round trip after service_layer: Database .* takes no database path/,
      ),
    },
  ]);
});

describe('a module-level tool handler (the default-db-path case project)', () => {
  const SERVER_PY = 'src/linkbox/server.py';
  const note = parseFeatureSpec(
    JSON.parse(readFileSync(path.join(REPO, 'test/cases/default-db-path/spec.json'), 'utf8')),
    'bookmark-note',
  );
  let casePython: string;
  beforeAll(async () => {
    casePython = path.join(
      await caseVenv(path.join(REPO, 'test/cases/default-db-path/project')),
      'bin',
      'python',
    );
  }, 900_000);
  beforeEach(() => {
    rmSync(dir, { recursive: true, force: true });
    cpSync(path.join(REPO, 'test/cases/default-db-path/project'), dir, { recursive: true });
  });

  test('is called after its module is handed the service (set_service), and fails when it cannot be', async () => {
    const withPython = { ...note, architecture: { ...note.architecture, python: casePython } };
    for (const phase of ['domain_model', 'database_migration', 'service_layer', 'api_layer'] as const)
      await applyEditPhase(dir, withPython, phase);
    const map = await analyzeWorkspace(dir, withPython);
    const passed = await roundTripProbe(casePython, dir, withPython, map, 'api_layer');
    expect(passed.map((c) => [c.passed, c.detail])).toEqual([
      [true, "Bookmark.note: the stored note read back is 'test note'"],
      [true, 'Bookmark.note: the stored note read back is None'],
    ]);

    // No setter and no annotated module variable: the handler cannot get a service. Failed, named.
    edit(SERVER_PY, 'def set_service(service: LinkService) -> None:', 'def set_service(service) -> None:');
    edit(SERVER_PY, '_service: LinkService | None = None', '_service = None');
    const failed = await roundTripProbe(casePython, dir, withPython, map, 'api_layer');
    for (const check of failed)
      expect(check).toMatchObject({
        passed: false,
        detail: expect.stringContaining('cannot give the tool handlers of linkbox.server a LinkService'),
      });
  });
});
