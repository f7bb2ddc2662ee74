/**
 * The round-trip check of phases 3–5, run with the project's own objects: the object graph the
 * generated tests build (`buildWiring` and `buildStatements` of `src/testgen/`, the database opened
 * on a temporary file by `db-recipe.ts`), and the statements of the generated integration tests
 * (`round-trip-steps.ts`) — each step on a new database and object graph, as each generated test
 * gets fresh fixtures — in one Python process per phase:
 *
 * - after `service_layer`: the service method stores the new field's sample value and the project's
 *   getter reads it back; called without it, the default;
 * - after `api_layer`: the tool handler, called as the MCP layer calls it, with the new argument (and
 *   without it): the record the service created reads back with the value (the default);
 * - after `serialization`: the tool's response carries the value (the default), and every serializer
 *   callable on a model writes it.
 *
 * Fails closed: a project that does not import, a graph that cannot be built (the class and parameter
 * are named), a tool that cannot be called, a phase with nothing to call: failed checks. A database
 * that cannot be given a temporary file, or a class the spec builds with a pytest fixture, is reported
 * as a note, as the test generator reports it (phase 6 then says what it could not test).
 */
import path from 'node:path';
import type { AnchorMap, FieldAnchors } from '../analysis/anchor-map';
import { SpecialistError } from '../errors';
import { withTempDir } from '../process/temp-dir';
import type { ProjectFacts } from '../python/introspect';
import type { FeatureSpec } from '../spec/feature-spec';
import { fieldCases, type FieldCases } from '../testgen/field-cases';
import { buildStatements, buildWiring, type Wiring } from '../testgen/project-wiring';
import { ImportSet, pyString } from '../testgen/python-text';
import {
  readBack,
  serializerCallee,
  serializerRoundTrip,
  serviceRoundTrip,
  storedCheck,
  toolArguments,
  toolRoundTrip,
  VALUES_OF,
  type Given,
  type RoundTrip,
} from '../testgen/round-trip-steps';
import type { PhaseEditResult } from './contract';
import { worktreeSysPath } from './model-probe';
import type { EditPhaseName } from './phase-codemods';
import { runProbe, type ProbeControl } from './python-probe';
import { gatherFacts } from './testing-phase';

type Check = PhaseEditResult['checks'][number];
export type RoundTripPhase = Extract<EditPhaseName, 'service_layer' | 'api_layer' | 'serialization'>;
export const ROUND_TRIP_PHASES: RoundTripPhase[] = ['service_layer', 'api_layer', 'serialization'];

interface Step {
  name: string;
  trip: RoundTrip;
}

/** One change's part of the probe: its Python function, or a verdict reached without running it. */
type Section = { steps: Step[]; source: string } | { checks: Check[] };

const PROGRAM = String.raw`
import asyncio, inspect, uuid
try:
    exec(req["imports"], globals())
except BaseException as exc:
    emit({"error": f"could not import the project's code: {where(exc)}"})
for name, module in list(sys.modules.items()):
    if module is not None and (name == req["package"] or name.startswith(req["package"] + ".")):
        elsewhere = imported_from(module)
        if elsewhere:
            emit({"error": f"{name} was imported from {elsewhere}, not from the worktree"})

import importlib, re, typing

def _hand_service(module, service):
    """Gives a module-level tool handler its service, as the server's entry point does: the module's
    function taking one object of the service's class (set_service(service)), else its module
    variable annotated with that class. Returns what was done."""
    cls = type(service)
    named = re.compile(r"\b" + re.escape(cls.__name__) + r"\b")
    def names_cls(hint):
        return hint is cls or named.search(hint if isinstance(hint, str) else repr(hint)) is not None
    # A setter first (set_service, init_db, configure): another function taking the object may
    # start the server.
    setter = re.compile(r"^_?(set|init|configure|register|use|bind)", re.I)
    for name, fn in sorted(vars(module).items(), key=lambda item: (not setter.search(item[0]), item[0])):
        if not inspect.isfunction(fn) or fn.__module__ != module.__name__:
            continue
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if len(params) != 1:
            continue
        try:
            hint = typing.get_type_hints(fn).get(params[0].name, params[0].annotation)
        except Exception:
            hint = params[0].annotation
        if hint is not inspect.Parameter.empty and names_cls(hint):
            fn(service)
            return f"{name}(service)"
    for name, hint in sorted(getattr(module, "__annotations__", {}).items()):
        if names_cls(hint):
            setattr(module, name, service)
            return f"{name} = service"
    raise AssertionError(f"cannot give the tool handlers of {module.__name__} a {cls.__name__}: no function of the module takes one (like set_service(service)) and no module variable is annotated with it")

async def _module_tool(module_name, handler_name, service, arguments):
    module = importlib.import_module(module_name)
    _hand_service(module, service)
    value = getattr(module, handler_name)(arguments)
    return (await value) if inspect.isawaitable(value) else value

def _shown(value):
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + "..."
`;

const RUN = String.raw`
loop = asyncio.new_event_loop()
results = []
for index, section in enumerate(SECTIONS):
    try:
        results.append(loop.run_until_complete(section(req["dbs"][index])))
    except BaseException as exc:
        results.append({"error": where(exc), "steps": []})
emit({"sections": results})
`;

const indent = (lines: string[], by: number) => lines.map((l) => (l ? ' '.repeat(by) + l : l));

/** `assert X` as a statement that says which condition failed. */
function withMessages(lines: string[], quote: '"' | "'"): string[] {
  return lines.flatMap((line) => {
    const m = /^(\s*)assert (.+)$/.exec(line);
    return m
      ? [
          `${m[1]}if not (${m[2]}):`,
          `${m[1]}    raise AssertionError(${pyString(`expected ${m[2]}`, quote)})`,
        ]
      : [line];
  });
}

/**
 * The Python functions of one change: each step on its own new database and object graph (as each
 * generated test gets fresh fixtures: a second record with the same unique key must not collide).
 */
function sectionSource(
  index: number,
  w: Wiring,
  open: string[],
  build: string[],
  close: string[],
  steps: Step[],
): string {
  const stepFunctions = steps.map((s, k) =>
    [
      `async def _section_${index}_${k}(_db_path):`,
      '    try:',
      ...indent(open.length > 0 ? open : ['pass'], 8),
      '    except BaseException as exc:',
      '        return {"fatal": "the project\'s code could not open a database on a temporary file: " + where(exc)}',
      '    try:',
      '        try:',
      ...indent(build.length > 0 ? build : ['pass'], 12),
      '        except BaseException as exc:',
      '            return {"fatal": "could not build the objects the generated tests build: " + where(exc)}',
      '        try:',
      ...indent(withMessages(s.trip.lines, w.quote), 12),
      `            return {"ok": bool(${s.trip.ok}), "seen": _shown(${s.trip.seen})}`,
      '        except BaseException as exc:',
      '            return {"error": where(exc)}',
      '    finally:',
      '        try:',
      ...indent(close.length > 0 ? close : ['pass'], 12),
      '        except BaseException:',
      '            pass',
    ].join('\n'),
  );
  return [
    ...stepFunctions,
    [
      `async def _section_${index}(_db_base):`,
      '    out = {"steps": []}',
      `    for k, step in enumerate([${steps.map((_, k) => `_section_${index}_${k}`).join(', ')}]):`,
      '        result = await step(f"{_db_base}-{k}")',
      '        if "fatal" in result:',
      '            out["error"] = result["fatal"]',
      '            return out',
      '        out["steps"].append(result)',
      '    return out',
    ].join('\n'),
  ].join('\n\n\n');
}

/** The id read back from what the service returned (a model or an id), as the getter takes it. */
function idExpression(w: Wiring, value: string): string {
  const getter = w.classes[w.getter.ownerKey]?.methods[w.getter.method];
  const param = getter?.params.find((p) => p.required);
  const model = w.service.returns === 'model' || (w.service.receives && w.service.returns === 'other');
  const raw = model ? `getattr(${value}, "id", ${value})` : value;
  return param?.type.kind === 'UUID'
    ? `(lambda v: v if isinstance(v, uuid.UUID) else uuid.UUID(str(v)))(${raw})`
    : raw;
}

/**
 * The tool called with (or without) the new argument; the record the service created reads back
 * with the value. Which record: the service method's return value, seen by wrapping the method on the
 * very service object the tool server was given (a service class), else the one `id` in the response.
 */
function toolStoresStep(
  w: Wiring,
  change: FieldAnchors,
  cases: FieldCases,
  tool: ToolPlan,
  vars: Record<string, string>,
  given: Given,
): RoundTrip {
  const getter = vars[w.getter.ownerKey]!;
  const service = change.service.className ? vars[w.service.key] : undefined;
  const method = change.service.method;
  // A receiving service that returns nothing: the record is the model the tool handed it.
  const r = change.service.receives;
  const created =
    r && w.service.returns === 'other'
      ? `kwargs.get(${pyString(r.parameter, w.quote)}, args[${r.position}] if len(args) > ${r.position} else None)`
      : 'value';
  const spy = service
    ? [
        '_created = []',
        `_service_call = ${service}.${method}`,
        'async def _spy(*args, **kwargs):',
        '    value = _service_call(*args, **kwargs)',
        '    value = (await value) if inspect.isawaitable(value) else value',
        `    _created.append(${created})`,
        '    return value',
        'def _spy_sync(*args, **kwargs):',
        '    value = _service_call(*args, **kwargs)',
        `    _created.append(${created})`,
        '    return value',
        `${service}.${method} = _spy if inspect.iscoroutinefunction(_service_call) else _spy_sync`,
      ]
    : ['_created = []'];
  const call = `result = ${tool.call(vars, toolArguments(w, change.field, cases, given, tool.jsonArgs))}`;
  return {
    lines: [
      ...spy,
      ...(service ? ['try:', `    ${call}`, 'finally:', `    del ${service}.${method}`] : [call]),
      `_ids = [${idExpression(w, 'v')} for v in _created] or [${idExpression(w, 'v')} for v in _values_of(result, "id")]`,
      `if len(_ids) != 1:`,
      `    raise AssertionError(f"cannot tell which record the tool stored: the service method ${method} returned {len(_created)} time(s) through the server, and its response holds {len(_values_of(result, 'id'))} id(s)")`,
      ...readBack(w, getter, '_ids[0]'),
    ],
    ...storedCheck(change.field, cases, given),
  };
}

/** How the probe calls the tool with an arguments dict: the objects it needs built, and the call. */
interface ToolPlan {
  keys: string[];
  jsonArgs: string[];
  call: (vars: Record<string, string>, args: string) => string;
}

/** Why a project presented by a FastAPI route or FastMCP functions has no tool step here. */
function routeOnly(change: FieldAnchors): string {
  if (change.tool?.fastmcp)
    return `the tool ${change.tool.name} is a FastMCP function: phase 6's generated tests list it on the real server and call it through call_tool`;
  const route = change.route;
  return `the presentation layer is the FastAPI route ${route ? `${route.method.toUpperCase()} ${route.path} (${route.function})` : '?'}, not an MCP tool: phase 6's generated tests call it over HTTP through the app's TestClient`;
}

/**
 * The tool as the generated tests call it, or a module-level handler whose module is handed the object
 * the service needs (the service object, or the database a service function takes); else why not.
 */
function toolPlan(w: Wiring, change: FieldAnchors): ToolPlan | string {
  if (!change.tool || change.tool.fastmcp) return routeOnly(change);
  const tool = w.tool;
  if (tool)
    return {
      keys: [tool.serverKey],
      jsonArgs: tool.jsonArgs,
      call: (vars, args) => tool.call(vars[tool.serverKey]!, args),
    };
  const handler = change.tool.className
    ? `${change.tool.className}.${change.tool.handler.function}`
    : `${change.tool.module}.${change.tool.handler.function}`;
  const why = `the tool ${change.tool.name} cannot be called the way its MCP layer calls it: `;
  if (change.tool.className)
    return `${why}${handler} does not take the arguments dict alone and ${change.tool.className} has no call_tool(name, arguments)`;
  const m = w.moduleTool;
  if (!m) return `${why}no handler was found for it`;
  if (!m.jsonArgs) return `${why}a required argument of ${change.tool.name} has no example value`;
  return {
    keys: [w.service.key],
    jsonArgs: m.jsonArgs,
    call: (vars, args) =>
      `await _module_tool(${pyString(m.module, w.quote)}, ${pyString(m.handler, w.quote)}, ${vars[w.service.key]}, ${args})`,
  };
}

/** The steps of one phase for one change, or why none can be run. */
function phaseSteps(
  phase: RoundTripPhase,
  w: Wiring,
  change: FieldAnchors,
  cases: FieldCases,
  tool: ToolPlan | string,
  vars: Record<string, string>,
  imports: ImportSet,
): Step[] | string {
  const field = change.field;
  const label = `${change.model}.${field}`;
  const defaults: Given[] = cases.defaultCheck ? ['valid', 'default'] : ['valid'];
  const method = change.service.className
    ? `${change.service.className}.${change.service.method}`
    : change.service.method;
  const getter = `${w.getter.ownerKey.split(':')[1]}.${w.getter.method}`;
  const toolName = change.tool?.name ?? '';
  // A receiving service is given the model built with the value (or without it).
  const r = change.service.receives;
  const given = (value: string) => (r ? `${r.className}(${value})` : value);
  if (phase === 'service_layer')
    return defaults.map((g) => ({
      name:
        g === 'valid'
          ? `round trip: ${method}(${given(`${field}=…`)}) stores ${label}, ${getter} reads it back`
          : `round trip: ${method}(${given('')}) without ${field} stores its default, ${getter} reads it back`,
      trip: serviceRoundTrip(
        w,
        field,
        cases,
        { service: vars[w.service.key]!, getter: vars[w.getter.ownerKey]! },
        g,
      ),
    }));
  if (phase === 'api_layer') {
    if (typeof tool === 'string') return tool;
    return defaults.map((given) => ({
      name:
        given === 'valid'
          ? `round trip: tool ${toolName} with ${field} stores it, ${getter} reads it back`
          : `round trip: tool ${toolName} without ${field} stores its default, ${getter} reads it back`,
      trip: toolStoresStep(w, change, cases, tool, vars, given),
    }));
  }
  const steps: Step[] =
    typeof tool === 'string'
      ? []
      : defaults.map((given) => ({
          name:
            given === 'valid'
              ? `round trip: tool ${toolName}'s response carries ${field}`
              : `round trip: tool ${toolName}'s response without ${field} carries its default`,
          trip: toolRoundTrip(w, field, cases, '', given, (args) => tool.call(vars, args), tool.jsonArgs),
        }));
  for (const s of [...change.serializers].sort(
    (a, b) => a.file.localeCompare(b.file) || a.function.localeCompare(b.function),
  )) {
    const callee = serializerCallee(w, s, imports);
    if (callee)
      steps.push({
        name: `round trip: ${callee}(${w.model.name}) writes ${field}`,
        trip: serializerRoundTrip(w, field, cases, callee),
      });
  }
  if (steps.length === 0)
    return `nothing shows ${label} serialized: no serializer of ${change.model} is a function or static method, and ${tool as string}`;
  return steps;
}

/** What the phase builds: the classes its steps use, in the order they are built. */
function neededKeys(phase: RoundTripPhase, w: Wiring, tool: ToolPlan | string): string[] {
  const toolKeys = typeof tool === 'string' ? [] : tool.keys;
  if (phase === 'service_layer') return [w.service.key, w.getter.ownerKey];
  if (phase === 'api_layer')
    return toolKeys.length > 0 ? [w.service.key, ...toolKeys, w.getter.ownerKey] : [];
  return toolKeys;
}

function section(
  phase: RoundTripPhase,
  spec: FeatureSpec,
  change: FieldAnchors,
  index: number,
  facts: ProjectFacts,
  imports: ImportSet,
): Section {
  const label = `${change.model}.${change.field}`;
  const failed = (detail: string): Section => ({
    checks: [
      {
        name: `round trip of ${label} after ${phase}`,
        passed: false,
        detail: `${detail}${handEditHint(change)}`,
      },
    ],
  });
  const note = (detail: string): Section => ({
    checks: [{ name: 'note', passed: true, detail: `${label}: no round trip after ${phase}: ${detail}` }],
  });
  let w: Wiring;
  let cases: FieldCases;
  try {
    w = buildWiring({ change, facts, imports, architecture: spec.architecture });
    if (w.noDatabase) return note(`${w.noDatabase} (it would open the project's own database)`);
    const specChange = spec.data_models.changes[change.index] ?? spec.data_models.changes[index]!;
    cases = fieldCases(specChange, change.type, change.enums, w.quote, imports);
  } catch (err) {
    if (err instanceof SpecialistError) return failed(err.message);
    throw err;
  }
  const vars: Record<string, string> = { [w.db.typeKey]: '_database' };
  const build: string[] = [];
  const tool = toolPlan(w, change);
  for (const key of neededKeys(phase, w, tool)) {
    try {
      const built = buildStatements(w, key, vars, imports);
      build.push(...built.lines);
      Object.assign(vars, built.vars);
    } catch (err) {
      if (!(err instanceof SpecialistError)) throw err;
      const cls = err.details.class;
      if (typeof cls === 'string' && w.specFixtures.includes(cls))
        return note(
          `${cls.split(':')[1]} is built by the fixture ${spec.architecture.fixtures?.[cls.split(':')[1]!] ?? '?'} the spec names (architecture.fixtures), which only pytest runs: phase 6's generated tests run the round trip`,
        );
      return failed(err.message);
    }
  }
  // A FastAPI route or a FastMCP function: phase 6's generated tests call the presentation layer.
  const calledInPhase6 = !change.tool || Boolean(change.tool.fastmcp);
  if (calledInPhase6 && phase === 'api_layer') return note(routeOnly(change));
  const steps = phaseSteps(phase, w, change, cases, tool, vars, imports);
  // Without a serializer function besides, nothing here can call the presentation layer.
  if (typeof steps === 'string') return calledInPhase6 ? note(steps) : failed(steps);
  imports.name(w.model.module, w.model.name).merge(w.model.needs).merge(w.service.needs);
  const open = w.db.open('_database', 'pathlib.Path(_db_path)');
  imports.module('pathlib');
  return { steps, source: sectionSource(index, w, open, build, w.db.close('_database'), steps) };
}

/**
 * What a failed round trip says about the places the spec leaves to a person (`handled_by_hand`): the
 * phases skipped them, so until they are edited the trip through them fails, and they are the likely
 * reason. Empty when the change has none.
 */
export function handEditHint(change: FieldAnchors): string {
  const hand = change.handEdits ?? [];
  if (hand.length === 0) return '';
  return ` — likely reason: ${hand.map((h) => `${h.site} (line ${h.line}, ${h.layer})`).join(', ')} ${hand.length > 1 ? 'are' : 'is'} left to be edited by hand (handled_by_hand) and not edited yet`;
}

interface ProbeOut {
  error?: string;
  sections?: { error?: string; steps: ({ ok: boolean; seen: string } | { error: string })[] }[];
}

/**
 * Runs the round trip of `phase` for every change of the spec on the worktree at `root`, after
 * describing the project as phase 6 does (`gatherFacts`: the introspection the generator needs).
 */
export async function roundTripProbe(
  python: string,
  root: string,
  spec: FeatureSpec,
  map: AnchorMap,
  phase: RoundTripPhase,
  control: ProbeControl = {},
): Promise<Check[]> {
  const name = `round trip after ${phase}`;
  let facts: ProjectFacts[];
  try {
    facts = await gatherFacts(python, root, spec, map, control.signal, control.heartbeat);
  } catch (err) {
    if (control.signal?.aborted) throw err;
    return [{ name, passed: false, detail: `could not describe the project: ${(err as Error).message}` }];
  }
  const imports = new ImportSet();
  const sections = map.changes.map((change, i) => section(phase, spec, change, i, facts[i]!, imports));
  const runnable = sections.flatMap((s, i) => ('source' in s ? [{ s, i }] : []));
  const checks: Check[] = sections.flatMap((s) => ('checks' in s ? s.checks : []));
  if (runnable.length === 0) return checks;
  const q3 = '"""';
  const program = [
    PROGRAM,
    VALUES_OF(q3),
    ...runnable.map(({ s }) => (s as { source: string }).source),
    `SECTIONS = [${runnable.map(({ i }) => `_section_${i}`).join(', ')}]`,
    RUN,
  ].join('\n\n');
  return withTempDir('roundtrip', async (scratch) => {
    const run = await runProbe<ProbeOut>(
      python,
      program,
      {
        imports: imports.render(),
        package: map.package,
        dbs: runnable.map(({ i }) => path.join(scratch, `round-trip-${i}.db`)),
      },
      {
        sysPath: () => worktreeSysPath(python, root, map, control.signal),
        label: `the round-trip check after ${phase}`,
        ...control,
      },
    );
    const whole = !run.ok ? run.reason : run.out.error;
    runnable.forEach(({ s, i }, at) => {
      const { steps } = s as { steps: Step[] };
      const label = `${map.changes[i]!.model}.${map.changes[i]!.field}`;
      const result = run.ok ? run.out.sections?.[at] : undefined;
      for (const [k, step] of steps.entries()) {
        const outcome = result?.steps[k];
        const detail =
          whole ??
          (result?.error ||
            (outcome === undefined
              ? 'the step did not run'
              : 'error' in outcome
                ? `${label}: ${outcome.error}`
                : outcome.ok
                  ? `${label}: ${step.trip.what} is ${outcome.seen}`
                  : `${label}: ${step.trip.what} is ${outcome.seen}; expected ${step.trip.ok}`));
        const passed = !whole && !result?.error && outcome !== undefined && 'ok' in outcome && outcome.ok;
        checks.push({
          name: step.name,
          passed,
          detail: passed ? detail : `${detail}${handEditHint(map.changes[i]!)}`,
        });
      }
    });
    return checks;
  });
}
