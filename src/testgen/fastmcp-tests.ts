/**
 * Tests of a FastMCP tool (its signature is its schema): the real server lists the tool with the new
 * property as FastMCP renders it — type and constraints (an optional value as `anyOf` with `null`,
 * an enum through its `$defs` entry), default, description, not `required` when it has a default —
 * and a call through the server with the field returns it (and without it, the default).
 */
import type { FieldAnchors } from '../analysis/anchor-map';
import { describeField, jsonSchema, type FieldOptions } from '../codemods/field';
import type { FieldChange } from '../spec/feature-spec';
import type { FieldCases } from './field-cases';
import { pyLiteral, snakeCase } from './python-text';
import { VALUES_OF } from './round-trip-steps';
import { testDef, type TestFile } from './test-file';

const TOOL_HELPERS = (
  q3: string,
  q: string,
) => `def _property_schema(schema: dict, name: str, inside: str | None = None) -> tuple[dict, dict, bool]:
    ${q3}The object schema holding property \`name\` (the tool's own, or that of its parameter \`inside\`),
    the property's value schema with \`$ref\` resolved, and whether the property also accepts null.${q3}

    def resolve(node: dict) -> dict:
        return schema[${q}$defs${q}][node[${q}$ref${q}].split(${q}/${q})[-1]] if ${q}$ref${q} in node else node

    holder = resolve(schema[${q}properties${q}][inside]) if inside else schema
    prop = holder[${q}properties${q}][name]
    branches = prop.get(${q}anyOf${q}, [prop])
    nullable = {${q}type${q}: ${q}null${q}} in branches
    [value] = [resolve(b) for b in branches if b != {${q}type${q}: ${q}null${q}}]
    return holder, value, nullable


def _tool_data(result: object) -> object:
    ${q3}What a tool returned, whatever form \`call_tool\` gives it (structured content or JSON text).${q3}
    if isinstance(result, tuple):
        content, structured = result
        result = structured if structured is not None else content
    if isinstance(result, list):
        data = []
        for block in result:
            text = getattr(block, ${q}text${q}, block)
            try:
                data.append(json.loads(text))
            except (TypeError, ValueError):
                data.append(text)
        return data
    return result`;

/** The value schema FastMCP (Pydantic) renders for the parameter the codemod wrote, without null. */
function expectedSchema(f: FieldOptions, model: string): Record<string, unknown> {
  const schema = jsonSchema({ ...f, nullable: false }, model);
  delete schema.description;
  delete schema.default;
  return schema;
}

export function emitFastMcpToolTests(
  file: TestFile,
  opts: { change: FieldAnchors; spec: FieldChange; cases: FieldCases },
): void {
  const { change, spec, cases } = opts;
  const t = change.tool!;
  const m = t.fastmcp!;
  const w = file.wiring;
  const q = file.q;
  const field = change.field;
  const f: FieldOptions = {
    field,
    type: spec.type,
    nullable: spec.nullable,
    default: spec.default,
    constraints: spec.constraints ?? {},
    description: spec.description,
    enums: Object.fromEntries(change.enums.map((e) => [e.className, e.members])),
  };
  const toolName = snakeCase(t.name.replace(/[^A-Za-z0-9_]/g, '_'));
  const mutableDefault =
    (change.type.kind === 'list' || change.type.kind === 'dict') &&
    spec.default !== undefined &&
    spec.default !== null;
  // The codemod writes a mutable default as `= None` (then replaced in the call): null is accepted.
  const nullable = spec.nullable || mutableDefault;

  // The server the tool is registered on: the module's own, or a new one the register function fills.
  const serverLines: string[] = [];
  let server: string;
  if (m.registerFunction) {
    if (!m.serverImport) {
      file.note(
        `${t.name}: no FastMCP tool test generated: ${t.file} does not import FastMCP, so the test cannot build a server for ${m.registerFunction}()`,
      );
      return;
    }
    file.imports.name(m.serverImport, 'FastMCP').name(t.module, m.registerFunction);
    server = 'server';
    serverLines.push(`server = FastMCP(${file.str('test')})`);
  } else if (m.serverIsModuleName) {
    file.imports.name(t.module, m.receiver);
    server = m.receiver;
  } else {
    file.note(
      `${t.name}: no FastMCP tool test generated: its server ${m.receiver} is not a module-level name of ${t.file}`,
    );
    return;
  }
  const register = (serviceVar?: string): string[] => {
    if (!m.registerFunction) return [];
    const params = m.registerParams ?? 1;
    const r = m.serviceReceiver;
    if (params === 1) return [`${m.registerFunction}(server)`];
    if (params === 2 && r?.kind === 'parameter' && r.position === 1 && serviceVar)
      return [`${m.registerFunction}(server, ${serviceVar})`];
    return [];
  };
  const registers = (serviceVar?: string) => !m.registerFunction || register(serviceVar).length > 0;
  // A register function that takes the service gets the test's own (built on a temporary database).
  const schemaService =
    m.registerFunction && m.serviceReceiver?.kind === 'parameter' ? file.fixture(w.service.key) : undefined;
  file.imports.module('json');
  file.helper(TOOL_HELPERS(q.repeat(3), q));

  // The schema as the server lists it.
  const expected = expectedSchema(f, change.model);
  const inside = m.requestModel ? `, ${file.str(m.requestModel.param)}` : '';
  const prop = `holder[${file.str('properties')}][${file.str(field)}]`;
  const schemaBody = [
    ...serverLines,
    ...register(schemaService),
    `tools = {tool.name: tool for tool in await ${server}.list_tools()}`,
    `schema = tools[${file.str(t.name)}].inputSchema`,
    `holder, value, nullable = _property_schema(schema, ${file.str(field)}${inside})`,
    ...Object.entries(expected).map(([k, v]) => `assert value[${file.str(k)}] == ${pyLiteral(v, q)}`),
    `assert nullable is ${nullable ? 'True' : 'False'}`,
    `assert ${prop}[${file.str('description')}] == ${file.str(describeField(f, change.model))}`,
  ];
  if (spec.default === null || spec.default === undefined || mutableDefault) {
    schemaBody.push(`assert ${prop}[${file.str('default')}] is None`);
  } else if (change.type.kind !== 'datetime') {
    const def =
      change.type.kind === 'enum' ? (jsonSchema(f, change.model).default ?? spec.default) : spec.default;
    schemaBody.push(`assert ${prop}[${file.str('default')}] == ${pyLiteral(def, q)}`);
  }
  schemaBody.push(`assert ${file.str(field)} not in holder.get(${file.str('required')}, [])`);
  if (!registers(schemaService)) {
    file.note(
      `${t.name}: no FastMCP tool test generated: ${m.registerFunction}() takes parameters the test cannot give`,
    );
    return;
  }
  file.test(
    testDef(file, {
      name: `test_${toolName}_tool_lists_${field}`,
      params: schemaService ? [`${schemaService}: ${file.annotation(w.service.key)}`] : [],
      async: true,
      body: schemaBody,
    }),
  );

  // A call through the server, with the service built on the test's database.
  const r = m.serviceReceiver;
  if (!r) {
    file.note(
      `${t.name}: the FastMCP tool is not called by the tests: cannot tell how ${m.function}() reaches the service`,
    );
    return;
  }
  file.helper(VALUES_OF(q.repeat(3)));
  const service = file.fixture(w.service.key);
  const params = [`${service}: ${file.annotation(w.service.key)}`];
  const setup: string[] = [...serverLines];
  if (r.kind === 'parameter') {
    setup.push(...register(service));
  } else {
    file.imports.module('pytest');
    file.imports.module(t.module);
    params.push('monkeypatch: pytest.MonkeyPatch');
    setup.push(...register());
    const value = r.kind === 'call' ? `lambda *args, **kwargs: ${service}` : service;
    setup.push(`monkeypatch.setattr(${t.module}, ${file.str(r.name)}, ${value})`);
  }
  const jsonArgs = w.fastmcpArgs ?? [];
  const callTest = (suffix: string, withField: boolean, expectedValue: string) => {
    const own = `{${[...jsonArgs, ...(withField ? [`${file.str(field)}: ${cases.valid.json}`] : [])].join(', ')}}`;
    const args = m.requestModel ? `{${file.str(m.requestModel.param)}: ${own}}` : own;
    file.test(
      testDef(file, {
        name: `test_${toolName}_tool_when_${field}_${suffix}`,
        params,
        async: true,
        body: [
          ...setup,
          `result = _tool_data(await ${server}.call_tool(${file.str(t.name)}, ${args}))`,
          `assert _values_of(result, ${file.str(field)}) == [${expectedValue}]`,
        ],
      }),
    );
  };
  callTest('given_returns_it', true, cases.valid.json);
  if (cases.defaultCheck) {
    const words = cases.defaultCheck.words === 'default' ? 'the_default' : cases.defaultCheck.words;
    callTest(`omitted_returns_${words}`, false, cases.defaultCheck.json);
  }
}
