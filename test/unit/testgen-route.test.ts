/**
 * The generated tests of a FastAPI route (src/testgen/route-tests.ts), on the taskqueue sample's
 * recorded facts with a route anchor beside its tool: the route is called over HTTP with the app's own
 * TestClient, the test's service given through `dependency_overrides`, and routes the tests cannot
 * reach are refused with what was seen.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RouteAnchor } from '../../src/analysis/anchor-map';
import type { ProjectFacts } from '../../src/python/introspect';
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import { generateTestSuite } from '../../src/testgen/generate-tests';
import { sampleAnchors } from '../fixtures/testgen/sample-anchors';

const CASE = path.join(__dirname, '..', 'fixtures', 'testgen', 'cases', 'task-summary', 'input.json');
const input = JSON.parse(readFileSync(CASE, 'utf8')) as {
  spec: Record<string, unknown>;
  conftest: string;
  facts: ProjectFacts[];
};
const RANGE = { startIndex: 0, endIndex: 1, startLine: 1, endLine: 1 };

const ROUTE: RouteAnchor = {
  file: 'src/taskqueue/api/routes.py',
  module: 'taskqueue.api.routes',
  function: 'enqueue',
  range: RANGE,
  async: true,
  method: 'post',
  path: '/tasks',
  routeName: 'enqueue-task',
  decoratedBy: 'router',
  request: {
    file: 'src/taskqueue/api/schemas.py',
    module: 'taskqueue.api.schemas',
    className: 'TaskIn',
    variable: 'body',
    requiredFields: ['description'],
  },
  serviceCall: RANGE,
  dependency: { parameter: 'service', provider: 'get_service', providerModule: 'taskqueue.api.deps' },
  app: { module: 'taskqueue.api.main', factory: 'create_app' },
};

function generate(route: RouteAnchor) {
  const spec = parseFeatureSpec(input.spec);
  const anchors = sampleAnchors('taskqueue', spec, '/samples/taskqueue');
  anchors.changes[0]!.route = route;
  return generateTestSuite({
    spec,
    anchors,
    facts: input.facts,
    conftestText: input.conftest,
    asyncioMode: 'auto',
  });
}

test('the route is posted to through TestClient with the test service, with, without and with an invalid value', () => {
  const integration = generate(ROUTE).files.find((f) => f.category === 'integration')!.content;
  expect(integration).toContain('from fastapi.testclient import TestClient');
  expect(integration).toContain('from taskqueue.api.deps import get_service');
  expect(integration).toContain('from taskqueue.api.main import create_app');
  // A factory: a fresh app per call; the override removed afterwards; no `with` (no lifespan).
  expect(integration).toMatch(
    /def _enqueue\(service: TaskQueueService, payload: dict\[str, object\]\) -> Response:\n.*\n {4}api = create_app\(\)\n {4}api\.dependency_overrides\[get_service\] = lambda: service\n {4}try:\n {8}client = TestClient\(api\)\n {8}return client\.post\(api\.url_path_for\("enqueue-task"\), json=payload\)\n {4}finally:\n {8}api\.dependency_overrides\.pop\(get_service, None\)/,
  );
  expect(integration).toContain('async def test_enqueue_route_when_summary_given_returns_it(');
  expect(integration).toMatch(/_enqueue\(\w+, \{"description": "[^"]+", "summary": "[^"]+"\}\)/);
  expect(integration).toContain('async def test_enqueue_route_when_summary_omitted_returns_none(');
  expect(integration).toContain('async def test_enqueue_route_when_summary_over_max_length_is_422(');
  expect(integration).toContain('assert response.status_code == 422, response.text');
});

test('a route that calls a module-level getter gets the test service through monkeypatch', () => {
  const integration = generate({
    ...ROUTE,
    dependency: undefined,
    serviceVia: { kind: 'call', name: 'get_service' },
    app: { module: 'taskqueue.api.routes', variable: 'app' },
  }).files.find((f) => f.category === 'integration')!.content;
  expect(integration).toContain('import pytest');
  expect(integration).not.toContain('dependency_overrides');
  expect(integration).toContain(
    'monkeypatch.setattr("taskqueue.api.routes.get_service", lambda: service)\n    client = TestClient(app)\n    return client.post(app.url_path_for("enqueue-task"), json=payload)',
  );
  expect(integration).toMatch(
    /async def test_enqueue_route_when_summary_given_returns_it\(\w+: TaskQueueService, monkeypatch: pytest\.MonkeyPatch\)/,
  );
  expect(integration).toMatch(/response = _enqueue\(\w+, \{[^}]+\}, monkeypatch\)/);
});

test.each([
  [
    { dependency: undefined },
    /reaches its service neither through Depends\(\.\.\.\) nor through a module-level name or getter/,
  ],
  [{ app: undefined }, /no FastAPI application serves route enqueue/],
  [{ path: '/projects/{project_id}/tasks' }, /has path parameters/],
  [{ request: undefined }, /takes no request model/],
])('a route the tests cannot reach is refused: %p', (change, message) => {
  expect(() => generate({ ...ROUTE, ...change } as RouteAnchor)).toThrow(message);
});
