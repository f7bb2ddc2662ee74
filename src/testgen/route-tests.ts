/**
 * Integration tests of a new field through a FastAPI route, over HTTP with the app's own
 * `TestClient`: POST with the field (the response carries it), without it (the response carries the
 * default), and with an invalid value (422, from the request model's validation). The route gets the
 * test's service (built on a temporary database) through `app.dependency_overrides[provider]`; the
 * client is not entered as a context manager, so the app's lifespan (which may open the user's real
 * database) does not run.
 */
import type { FieldAnchors, RouteAnchor } from '../analysis/anchor-map';
import type { ProjectFacts } from '../python/introspect';
import type { FieldCases } from './field-cases';
import { fail } from './generation-error';
import { pyLiteral, pyString, snakeCase, type Quote } from './python-text';
import { testDef, type TestFile } from './test-file';

export interface RouteWiring {
  route: RouteAnchor;
  /** `"url": "https://..."` entries for the request model's required fields other than the new one. */
  jsonArgs: string[];
}

/** What the route tests need, or a generation error that says why the route cannot be called. */
export function routeWiring(
  change: FieldAnchors,
  facts: ProjectFacts,
  quote: Quote,
): RouteWiring | undefined {
  const route = change.route;
  if (!route) return undefined;
  const label = `route ${route.function} (${route.method.toUpperCase()} ${route.path}, ${route.file})`;
  if (!route.request)
    fail(`${label} takes no request model: the generated test has no body to send the field in`);
  if (!route.dependency && !route.serviceVia)
    fail(
      `${label} reaches its service neither through Depends(...) nor through a module-level name or getter: the generated test cannot give it a service on a temporary database`,
    );
  if (!route.app)
    fail(
      `no FastAPI application serves ${label}: no module-level FastAPI() that includes its router, and no factory function returning one`,
    );
  if (/\{/.test(route.path)) fail(`${label} has path parameters: the generated test has no values for them`);
  const jsonArgs = route.request.requiredFields
    .filter((name) => name !== change.field)
    .map((name) => {
      const value = facts.examples[`model.${name}`] ?? facts.examples[`param.${name}`];
      if (value === undefined)
        fail(
          `no example value for the required field ${name} of ${route.request!.className}, the request model of ${label}`,
        );
      return `${pyString(name, quote)}: ${pyLiteral(value, quote)}`;
    });
  return { route, jsonArgs };
}

export function emitRouteTests(
  file: TestFile,
  opts: { change: FieldAnchors; cases: FieldCases; wiring: RouteWiring; defaultWords?: string },
): void {
  const { change, cases, wiring } = opts;
  const { route } = wiring;
  const w = file.wiring;
  const field = change.field;
  const app = route.app!;
  const dep = route.dependency;
  const via = route.serviceVia;
  file.imports.name('fastapi.testclient', 'TestClient');
  file.imports.name('httpx', 'Response');
  if (dep) file.imports.name(dep.providerModule, dep.provider);
  else file.imports.module('pytest');
  file.imports.name(app.module, app.variable ?? app.factory!);
  const service = file.fixture(w.service.key);
  const serviceType = file.annotation(w.service.key);
  const helper = `_${snakeCase(route.function).replace(/^_+/, '')}`;
  const q3 = file.q.repeat(3);
  // A factory builds a fresh app per call; a module-level app is used as it is.
  const api = app.variable ?? 'api';
  const doc = `    ${q3}${route.method.toUpperCase()} the payload to the real ${route.function} route, served the test's service.${q3}`;
  const post = `client.${route.method}(${api}.url_path_for(${file.str(route.routeName)}), json=payload)`;
  const build = app.variable ? [] : [`    api = ${app.factory}()`];
  // Through Depends: app.dependency_overrides (removed afterwards). Otherwise the module-level name
  // or getter the route reads, replaced in the route's module for the test only (monkeypatch).
  file.helper(
    (dep
      ? [
          `def ${helper}(service: ${serviceType}, payload: dict[str, object]) -> Response:`,
          doc,
          ...build,
          `    ${api}.dependency_overrides[${dep.provider}] = lambda: service`,
          `    try:`,
          `        client = TestClient(${api})`,
          `        return ${post}`,
          `    finally:`,
          `        ${api}.dependency_overrides.pop(${dep.provider}, None)`,
        ]
      : [
          `def ${helper}(service: ${serviceType}, payload: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> Response:`,
          doc,
          `    monkeypatch.setattr(${file.str(`${route.module}.${via!.name}`)}, ${via!.kind === 'call' ? 'lambda: service' : 'service'})`,
          ...build,
          `    client = TestClient(${api})`,
          `    return ${post}`,
        ]
    ).join('\n'),
  );
  const payload = (value?: string) =>
    `{${[...wiring.jsonArgs, ...(value !== undefined ? [`${file.str(field)}: ${value}`] : [])].join(', ')}}`;
  const callArgs = (body: string) => [service, body, ...(dep ? [] : ['monkeypatch'])].join(', ');
  const name = snakeCase(route.function).replace(/^_+/, '');
  const test = (suffix: string, body: string[]) =>
    file.test(
      testDef(file, {
        name: `test_${name}_route_when_${field}_${suffix}`,
        params: [`${service}: ${serviceType}`, ...(dep ? [] : ['monkeypatch: pytest.MonkeyPatch'])],
        async: true,
        body,
      }),
    );
  test('given_returns_it', [
    `response = ${helper}(${callArgs(payload(cases.valid.json))})`,
    `assert response.is_success, response.text`,
    `assert _values_of(response.json(), ${file.str(field)}) == [${cases.valid.json}]`,
  ]);
  if (cases.defaultCheck && opts.defaultWords)
    test(`omitted_returns_${opts.defaultWords}`, [
      `response = ${helper}(${callArgs(payload())})`,
      `assert response.is_success, response.text`,
      `assert _values_of(response.json(), ${file.str(field)}) == [${cases.defaultCheck.json}]`,
    ]);
  // An invalid value is refused by the request model before the route runs: a JSON-able one.
  const invalid = cases.rejected.find((r) => !/\w\(/.test(r.py));
  if (invalid)
    test(`${invalid.label}_is_422`, [
      `response = ${helper}(${callArgs(payload(invalid.py))})`,
      `assert response.status_code == 422, response.text`,
    ]);
}
