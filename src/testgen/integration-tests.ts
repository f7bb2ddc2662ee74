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
import { testDef, type TestFile } from './test-file';
import { snakeModel } from './unit-tests';
import { emitRouteTests } from './route-tests';

const VALUES_OF = (q3: string) => `def _values_of(data: object, key: str) -> list[object]:
    ${q3}Every value stored under \`key\` in a tool response, however deeply nested.${q3}
    if isinstance(data, dict):
        found = [data[key]] if key in data else []
        return found + [v for value in data.values() for v in _values_of(value, key)]
    if isinstance(data, list):
        return [v for item in data for v in _values_of(item, key)]
    return []`;

export function emitIntegrationTests(
  file: TestFile,
  opts: { change: FieldAnchors; cases: FieldCases },
): void {
  const { change, cases } = opts;
  const w = file.wiring;
  const field = change.field;
  const modelVar = snakeModel(w.model.name);
  file.imports.merge(w.model.needs).merge(w.service.needs);
  const make = (value?: string) =>
    `${w.model.name}(${[...w.model.kwargs, ...(value !== undefined ? [`${field}=${value}`] : [])].join(', ')})`;
  const defaultWords = cases.defaultCheck
    ? cases.defaultCheck.words === 'default'
      ? 'the_default'
      : cases.defaultCheck.words
    : undefined;

  // Reading back through the getter (service or repository/database).
  const getterFixture = () => file.fixture(w.getter.ownerKey);
  const readBack = (getter: string, idExpr: string, check: string[]) => [
    `stored = await ${getter}.${w.getter.method}(${idExpr})`,
    ...(w.getter.nullable ? ['assert stored is not None'] : []),
    ...check,
  ];
  const storedChecks = (value: 'valid' | 'default') =>
    value === 'valid'
      ? [`assert stored.${field} == ${cases.valid.py}`]
      : [`assert ${cases.defaultCheck!.assertion(`stored.${field}`)}`];

  const serviceTest = (suffix: string, value: 'valid' | 'default') => {
    const service = file.fixture(w.service.key);
    const getter = getterFixture();
    const params = [
      ...new Set([
        `${service}: ${file.annotation(w.service.key)}`,
        `${getter}: ${file.annotation(w.getter.ownerKey)}`,
      ]),
    ];
    const args = [...w.service.args, ...(value === 'valid' ? [`${field}=${cases.valid.py}`] : [])].join(', ');
    const call = `await ${w.service.call(service, args)}`;
    const id = w.service.returns === 'model' ? `${modelVar}.id` : 'created_id';
    const first = w.service.returns === 'model' ? `${modelVar} = ${call}` : `created_id = ${call}`;
    file.test(
      testDef(file, {
        name: `test_${w.service.method}_when_${field}_${suffix}`,
        params,
        async: true,
        body: [first, ...readBack(getter, id, storedChecks(value))],
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
        body: [...body, ...readBack(getter, `${modelVar}.id`, storedChecks('valid'))],
      }),
    );
  }

  // The tool: handler → service → serializer.
  if (w.tool) {
    file.helper(VALUES_OF(file.q.repeat(3)));
    const server = file.fixture(w.tool.serverKey);
    const toolName = snakeCase(change.tool!.name.replace(/[^A-Za-z0-9_]/g, '_'));
    const toolTest = (suffix: string, withField: boolean, expected: string) => {
      const args = `{${[...w.tool!.jsonArgs, ...(withField ? [`${file.str(field)}: ${cases.valid.json}`] : [])].join(', ')}}`;
      file.test(
        testDef(file, {
          name: `test_${toolName}_tool_when_${field}_${suffix}`,
          params: [`${server}: ${file.annotation(w.tool!.serverKey)}`],
          async: true,
          body: [
            `result = ${w.tool!.call(server, args)}`,
            `assert _values_of(result, ${file.str(field)}) == [${expected}]`,
          ],
        }),
      );
    };
    toolTest('given_returns_it', true, cases.valid.json);
    if (cases.defaultCheck) toolTest(`omitted_returns_${defaultWords}`, false, cases.defaultCheck.json);
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
    let callee: string | undefined;
    if (!s.className) {
      file.imports.name(s.module, s.function);
      callee = s.function;
    } else if (w.classes[`${s.module}:${s.className}`]?.methods[s.function]?.static) {
      file.imports.name(s.module, s.className);
      callee = `${s.className}.${s.function}`;
    }
    if (!callee) continue;
    file.test(
      testDef(file, {
        name: `test_${s.function.replace(/^_+/, '')}_when_${field}_set_includes_it`,
        params: [],
        async: false,
        body: [
          `data = ${callee}(${make(cases.valid.py)})`,
          `assert data[${file.str(field)}] == ${cases.valid.json}`,
        ],
      }),
    );
  }
}
