/**
 * Integration tests of one new field through the layers: the service method stores it and it reads
 * back from the database; every other INSERT of the table stores it too; a record created without it
 * gets the default; the tool handler takes it and its response (the serializer) carries it; each
 * serializer includes it.
 */
import type { FieldAnchors } from '../analysis/anchor-map';
import type { CallableInfo } from '../python/introspect';
import type { FieldCases } from './field-cases';
import { snakeCase } from './python-text';
import {
  makeModel,
  readBack,
  serializerCallee,
  serializerRoundTrip,
  serviceRoundTrip,
  storedCheck,
  toolRoundTrip,
  VALUES_OF,
} from './round-trip-steps';
import { testDef, type TestFile } from './test-file';
import { snakeModel } from './unit-tests';
import { emitRouteTests } from './route-tests';

export function emitIntegrationTests(
  file: TestFile,
  opts: { change: FieldAnchors; cases: FieldCases },
): void {
  const { change, cases } = opts;
  const w = file.wiring;
  const field = change.field;
  const modelVar = snakeModel(w.model.name);
  file.imports.merge(w.model.needs).merge(w.service.needs);
  const make = (value?: string) => makeModel(w, field, value);
  const defaultWords = cases.defaultCheck
    ? cases.defaultCheck.words === 'default'
      ? 'the_default'
      : cases.defaultCheck.words
    : undefined;

  // Reading back through the getter (service or repository/database).
  const getterFixture = () => file.fixture(w.getter.ownerKey);
  const storedChecks = (value: 'valid' | 'default') => [`assert ${storedCheck(field, cases, value).ok}`];

  const serviceTest = (suffix: string, value: 'valid' | 'default') => {
    const service = file.fixture(w.service.key);
    const getter = getterFixture();
    const params = [
      ...new Set([
        `${service}: ${file.annotation(w.service.key)}`,
        `${getter}: ${file.annotation(w.getter.ownerKey)}`,
      ]),
    ];
    const trip = serviceRoundTrip(w, field, cases, { service, getter }, value);
    file.test(
      testDef(file, {
        name: `test_${w.service.method}_when_${field}_${suffix}`,
        params,
        async: true,
        body: [...trip.lines, `assert ${trip.ok}`],
      }),
    );
  };
  file.imports.name(w.model.module, w.model.name);
  serviceTest('given_stores_it', 'valid');
  if (cases.defaultCheck) serviceTest(`omitted_stores_${defaultWords}`, 'default');

  // Every other INSERT into the table, called directly.
  const seen = new Set<string>();
  for (const insert of [...change.inserts].sort(
    (a, b) => a.file.localeCompare(b.file) || a.function.localeCompare(b.function),
  )) {
    if (!insert.className || insert.inServiceMethod) continue;
    const ownerKey = `${insert.module}:${insert.className}`;
    const method: CallableInfo | undefined = w.classes[ownerKey]?.methods[insert.function];
    if (!method || seen.has(ownerKey + insert.function)) continue;
    seen.add(ownerKey + insert.function);
    const required = method.params.filter((p) => p.required);
    if (required.length !== 1) continue;
    const p = required[0]!;
    const isModel = (t: typeof p.type | undefined) => t?.kind === 'class' && t.cls?.name === w.model.name;
    const asDict = `{${[...w.model.kwargs, `${field}=${cases.valid.py}`]
      .map((kw) => {
        const at = kw.indexOf('=');
        return `${file.str(kw.slice(0, at))}: ${kw.slice(at + 1)}`;
      })
      .join(', ')}}`;
    const owner = file.fixture(ownerKey);
    const getter = getterFixture();
    const aw = method.async ? 'await ' : '';
    let body: string[];
    if (isModel(p.type) || (p.type.kind === 'list' && isModel(p.type.item))) {
      const arg = isModel(p.type) ? modelVar : `[${modelVar}]`;
      body = [`${modelVar} = ${make(cases.valid.py)}`, `${aw}${owner}.${insert.function}(${arg})`];
    } else if ((p.type.kind === 'list' && p.type.item?.kind === 'dict') || p.type.kind === 'dict') {
      const ret = method.returns;
      const arg = p.type.kind === 'list' ? `[${asDict}]` : asDict;
      if (ret.kind === 'list' && isModel(ret.item))
        body = [`[${modelVar}] = ${aw}${owner}.${insert.function}(${arg})`];
      else if (isModel(ret)) body = [`${modelVar} = ${aw}${owner}.${insert.function}(${arg})`];
      else continue;
    } else continue;
    const params = [
      ...new Set([
        `${owner}: ${file.annotation(ownerKey)}`,
        `${getter}: ${file.annotation(w.getter.ownerKey)}`,
      ]),
    ];
    file.test(
      testDef(file, {
        name: `test_${insert.function.replace(/^_+/, '')}_when_${field}_given_stores_it`,
        params,
        async: true,
        body: [...body, ...readBack(w, getter, `${modelVar}.id`), ...storedChecks('valid')],
      }),
    );
  }

  // The tool: handler → service → serializer.
  if (w.tool) {
    file.helper(VALUES_OF(file.q.repeat(3)));
    const server = file.fixture(w.tool.serverKey);
    const toolName = snakeCase(change.tool!.name.replace(/[^A-Za-z0-9_]/g, '_'));
    const toolTest = (suffix: string, withField: boolean) => {
      const trip = toolRoundTrip(w, field, cases, server, withField ? 'valid' : 'default');
      file.test(
        testDef(file, {
          name: `test_${toolName}_tool_when_${field}_${suffix}`,
          params: [`${server}: ${file.annotation(w.tool!.serverKey)}`],
          async: true,
          body: [...trip.lines, `assert ${trip.ok}`],
        }),
      );
    };
    toolTest('given_returns_it', true);
    if (cases.defaultCheck) toolTest(`omitted_returns_${defaultWords}`, false);
  }

  // The FastAPI route: request model → route → service → response, over HTTP.
  if (w.route) {
    file.helper(VALUES_OF(file.q.repeat(3)));
    emitRouteTests(file, { change, cases, wiring: w.route, defaultWords });
  }

  // Serializers called directly (module-level functions and static methods).
  for (const s of [...change.serializers].sort(
    (a, b) => a.file.localeCompare(b.file) || a.function.localeCompare(b.function),
  )) {
    const callee = serializerCallee(w, s, file.imports);
    if (!callee) continue;
    const trip = serializerRoundTrip(w, field, cases, callee);
    file.test(
      testDef(file, {
        name: `test_${s.function.replace(/^_+/, '')}_when_${field}_set_includes_it`,
        params: [],
        async: false,
        body: [...trip.lines, `assert ${trip.ok}`],
      }),
    );
  }
}
