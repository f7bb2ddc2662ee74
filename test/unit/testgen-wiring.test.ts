import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ClassInfo, ParamInfo, ProjectFacts } from '../../src/python/introspect';
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import { conftestFixtures, unsafeFixtures } from '../../src/testgen/conftest-fixtures';
import { pathParameter } from '../../src/testgen/db-recipe';
import { generateTestSuite } from '../../src/testgen/generate-tests';
import { sampleAnchors } from '../fixtures/testgen/sample-anchors';

/**
 * How the generated tests build the project's objects and where they open its database, on the
 * taskqueue sample's recorded facts changed into the shapes real projects have.
 */
const CASE = path.join(__dirname, '..', 'fixtures', 'testgen', 'cases', 'task-summary', 'input.json');
const DB = 'taskqueue.infrastructure.database:Database';
const SERVICE = 'taskqueue.services.task_queue_service:TaskQueueService';

interface Input {
  spec: Record<string, unknown>;
  conftest: string;
  facts: ProjectFacts[];
}

function load(): Input {
  return JSON.parse(readFileSync(CASE, 'utf8')) as Input;
}

/** `conftest`: the conftest text, null for none (default: the sample's). */
function generate(input: Input, conftest: string | null = input.conftest) {
  const spec = parseFeatureSpec(input.spec);
  return generateTestSuite({
    spec,
    anchors: sampleAnchors('taskqueue', spec, '/samples/taskqueue'),
    facts: input.facts,
    ...(conftest !== null ? { conftestText: conftest } : {}),
    asyncioMode: 'auto',
  });
}

const classes = (input: Input): Record<string, ClassInfo> => input.facts[0]!.classes;
const content = (files: { category: string; content: string }[], category: string) =>
  files.find((f) => f.category === category)?.content ?? '';

/** The path parameter as the user's projects write it: `db_path: Path = DEFAULT_DB_PATH`. */
const DEFAULTED_PATH: ParamInfo = {
  name: 'db_path',
  kind: 'positional',
  required: false,
  type: { kind: 'path', nullable: false },
  default: { repr: "PosixPath('/home/someone/.taskqueue/tasks.db')", kind: 'path' },
};

const UNSAFE_CONFTEST = `import pytest

from taskqueue.infrastructure.database import Database
from taskqueue.services.task_queue_service import TaskQueueService


@pytest.fixture
async def db():
    database = Database()
    await database.initialize()
    yield database
    await database.close()


@pytest.fixture
def service(db):
    return TaskQueueService(db)
`;

describe('the database path of generated tests', () => {
  it('passes a temporary file even when the path parameter has a default', () => {
    const input = load();
    classes(input)[DB]!.init = [DEFAULTED_PATH];
    const { files } = generate(input);
    const migration = content(files, 'migration');
    expect(migration).toContain('database = Database(path)');
    expect(migration).not.toContain('Database()');
  });

  it('does not reuse a conftest fixture that opens the default database, nor the fixtures using it', () => {
    const input = load();
    classes(input)[DB]!.init = [DEFAULTED_PATH];
    const { files, notes } = generate(input, UNSAFE_CONFTEST);
    const integration = content(files, 'integration');
    expect(integration).toContain('async def database(tmp_path: Path) -> AsyncIterator[Database]:');
    expect(integration).toContain('    database = Database(tmp_path / "test.db")');
    expect(integration).toContain('def task_queue_service(database: Database) -> TaskQueueService:');
    expect(integration).not.toMatch(/\(service: TaskQueueService\)/);
    expect(notes).toEqual([
      'Task.summary: conftest fixture db not reused: fixture db calls Database() without its db_path: it would open the default database',
      'Task.summary: conftest fixture service not reused: fixture service uses db (fixture db calls Database() without its db_path: it would open the default database)',
    ]);
  });

  it('writes no database test, and says why, when the database takes no path', () => {
    const input = load();
    classes(input)[DB]!.init = [];
    const { files, notes } = generate(input);
    expect(files.map((f) => f.category)).toEqual(['unit']);
    expect(notes).toEqual([
      expect.stringMatching(
        /^Task\.summary: no integration or migration test generated: Database \(taskqueue\.infrastructure\.database\) takes no database path/,
      ),
    ]);
  });

  it('builds the class that inherits a migrations mixin', () => {
    const input = load();
    const anchorsSpec = parseFeatureSpec(input.spec);
    const anchors = sampleAnchors('taskqueue', anchorsSpec, '/samples/taskqueue');
    const mixin = { ...anchors.changes[0]!.migrations, className: 'SchemaMigrationsMixin' };
    anchors.changes[0]!.migrations = mixin;
    const c = classes(input);
    c[`${mixin.module}:SchemaMigrationsMixin`] = {
      module: mixin.module,
      name: 'SchemaMigrationsMixin',
      init: [],
      methods: {},
      asyncContextManager: false,
    };
    c[DB]!.bases = [`${mixin.module}:SchemaMigrationsMixin`];
    const files = generateTestSuite({
      spec: anchorsSpec,
      anchors,
      facts: input.facts,
      asyncioMode: 'auto',
    }).files;
    expect(content(files, 'migration')).toContain(
      'database = Database(path)\n        await database.initialize()',
    );
  });
});

describe('building the project objects', () => {
  it('names the class and the parameter it cannot build, and the spec keys that help', () => {
    const input = load();
    classes(input)[SERVICE]!.init.push({
      name: 'clock',
      kind: 'positional',
      required: true,
      type: { kind: 'any', nullable: false },
    });
    expect(() => generate(input, null)).toThrow(
      /cannot build TaskQueueService \(taskqueue\.services\.task_queue_service\): its parameter clock has no annotation, and no call in the project's tests or code passes it an object of a known class; name a conftest fixture for TaskQueueService in the spec's architecture\.fixtures .* or a factory in architecture\.factories/,
    );
  });

  it('uses a factory the spec names, its parameters built like a constructor', () => {
    const input = load();
    classes(input)[SERVICE]!.init.push({
      name: 'clock',
      kind: 'positional',
      required: true,
      type: { kind: 'any', nullable: false },
    });
    input.facts[0]!.functions['tests.helpers:make_service'] = {
      params: [
        {
          name: 'db',
          kind: 'positional',
          required: true,
          type: { kind: 'class', nullable: false, cls: { module: DB.split(':')[0]!, name: 'Database' } },
        },
      ],
      returns: {
        kind: 'class',
        nullable: false,
        cls: { module: SERVICE.split(':')[0]!, name: 'TaskQueueService' },
      },
      async: false,
      static: false,
    };
    input.spec.architecture = { factories: { TaskQueueService: 'tests.helpers:make_service' } };
    const { files } = generate(input, null);
    expect(content(files, 'integration')).toContain(
      'def task_queue_service(database: Database) -> TaskQueueService:\n    return make_service(database)',
    );
    expect(content(files, 'migration')).toContain('task_queue_service = make_service(database)');
  });

  it('uses a fixture the spec names, and leaves out the one test that must build the service itself', () => {
    const input = load();
    classes(input)[SERVICE]!.init.push({
      name: 'clock',
      kind: 'positional',
      required: true,
      type: { kind: 'unknown', nullable: false },
    });
    input.spec.architecture = { fixtures: { TaskQueueService: 'queue' } };
    const { files, notes } = generate(input, null);
    expect(content(files, 'integration')).toContain('(queue: TaskQueueService)');
    expect(content(files, 'migration')).not.toContain('old_rows');
    expect(notes).toEqual([
      expect.stringMatching(
        /^Task\.summary: no migration test of old rows: .*parameter clock has an annotation that does not resolve to a class/,
      ),
    ]);
  });

  it('refuses a spec fixture that would open the default database', () => {
    const input = load();
    classes(input)[DB]!.init = [DEFAULTED_PATH];
    input.spec.architecture = { fixtures: { TaskQueueService: 'service' } };
    expect(() => generate(input, UNSAFE_CONFTEST)).toThrow(
      /architecture\.fixtures names service for TaskQueueService, but fixture service uses db/,
    );
  });
});

describe('conftest fixtures', () => {
  const opener = { callee: 'LinkDB', pathParam: 'path', pathIndex: 0 };

  it.each([
    ['tmp_path', 'def db(tmp_path):\n    return LinkDB(tmp_path / "x.db")'],
    [
      'a path fixture',
      'def p(tmp_path):\n    return str(tmp_path / "x.db")\n\n@pytest.fixture\ndef db(p):\n    return LinkDB(p)',
    ],
    [
      'a local variable',
      'async def db(tmp_path):\n    where = tmp_path / "x.db"\n    d = LinkDB(path=where)\n    yield d',
    ],
    ['an in-memory database', 'def db():\n    return LinkDB(":memory:")'],
    ['tempfile', 'def db():\n    return LinkDB(tempfile.mkdtemp() + "/x.db")'],
  ])('reuses a fixture that opens the database on %s', (_, body) => {
    expect(unsafeFixtures(`@pytest.fixture\n${body}\n`, opener)).toEqual({});
  });

  it.each([
    [
      'no path',
      'def db():\n    return LinkDB()',
      'fixture db calls LinkDB() without its path: it would open the default database',
    ],
    [
      'a fixed file',
      'def db():\n    return LinkDB("links.db")',
      'fixture db gives LinkDB path="links.db", which is not a temporary path',
    ],
    [
      'a module constant',
      'def db():\n    return LinkDB(DEFAULT_DB_PATH)',
      'fixture db gives LinkDB path=DEFAULT_DB_PATH, which is not a temporary path',
    ],
  ])('does not reuse a fixture that opens it with %s', (_, body, why) => {
    expect(unsafeFixtures(`@pytest.fixture\n${body}\n`, opener)).toEqual({ db: why });
  });

  it('maps a fixture to what it returns, through a local variable and await', () => {
    const text = [
      '@pytest_asyncio.fixture',
      'async def db(tmp_path):',
      '    database = await open_db(tmp_path)',
      '    yield database',
      '',
      '@pytest.fixture',
      'def links(db):',
      '    ranker = TagRanker(db)',
      '    return LinkService(db, ranker, Clock(ranker))',
    ].join('\n');
    expect(
      conftestFixtures(text, { open_db: 'db', LinkService: 'svc', TagRanker: 'ranker', Clock: 'clock' }),
    ).toEqual({ db: 'db', svc: 'links' });
  });
});

describe('the path parameter', () => {
  const p = (name: string, kind: ParamInfo['type']['kind'], required = true): ParamInfo => ({
    name,
    kind: 'positional',
    required,
    type: { kind, nullable: false },
  });

  it('is the Path parameter, a str one named like a path, or the only required text', () => {
    expect(pathParameter([p('echo', 'bool', false), p('db_path', 'path', false)])?.index).toBe(1);
    expect(pathParameter([p('database_file', 'str', false)])?.param.name).toBe('database_file');
    expect(pathParameter([p('location', 'any', false)])?.param.name).toBe('location');
    expect(pathParameter([p('target', 'str')])?.param.name).toBe('target');
    expect(pathParameter([p('name', 'str', false)])).toBeUndefined();
    expect(pathParameter([])).toBeUndefined();
  });
});
