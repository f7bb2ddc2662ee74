/**
 * How the generated tests reach the target project: how a database is opened on a file and closed,
 * how the service (and a repository between them) and the tool server are built, which conftest
 * fixtures already provide them, how a stored row is read back, and valid arguments for the model,
 * the service method and the tool. Derived from the anchor map (where things are) and the project
 * facts (runtime signatures), never from the feature's own fields.
 */
import type { AnchorMap, FieldAnchors } from '../analysis/anchor-map';
import type { CallableInfo, ClassInfo, ProjectFacts, TypeDesc } from '../python/introspect';
import type { Architecture } from '../spec/feature-spec';
import { conftestFixtures, unsafeFixtures } from './conftest-fixtures';
import { dbRecipe, NoDatabasePath, type DbRecipe } from './db-recipe';
import { fail } from './generation-error';
import { routeWiring, type RouteWiring } from './route-tests';
import { ImportSet, pyLiteral, pyNumber, pyString, snakeCase, type Quote } from './python-text';

export interface Getter {
  ownerKey: string;
  method: string;
  nullable: boolean;
}

export interface Wiring {
  quote: Quote;
  /** `auto`: plain `async def` tests; `strict`: `@pytest.mark.asyncio` and `pytest_asyncio.fixture`. */
  asyncMode: 'auto' | 'strict';
  /** `kwargs`: valid keyword arguments for the model; `needs`: the imports they use. */
  model: { module: string; name: string; kwargs: string[]; needs: ImportSet; table: string };
  db: DbRecipe;
  /**
   * Why no test may open the database (its path cannot be given): the generator then writes only the
   * model's unit tests and says so. `db` is then a recipe that refuses to be used.
   */
  noDatabase?: string;
  /** conftest fixtures left unused because they would open the database outside a temporary folder. */
  unsafeFixtures: Record<string, string>;
  /** Classes to build from the database, in dependency order. */
  classes: Record<string, ClassInfo>;
  /** Class keys whose fixture the spec names (`architecture.fixtures`). */
  specFixtures: string[];
  /** Functions the spec names to build a class (`architecture.factories`), by class key. */
  factories: Record<string, { module: string; name: string; info: CallableInfo }>;
  service: {
    key: string;
    method: string;
    /** The call of the service on its owner variable (a service object, or the object a service function takes). */
    call: (owner: string, args: string) => string;
    args: string[];
    needs: ImportSet;
    returns: 'model' | 'id' | 'other';
    /**
     * The parameter through which the service receives the model built (`create(self, task: Task)`):
     * the tests build the model with the value and pass it by keyword.
     */
    receives?: string;
  };
  getter: Getter;
  tool?: { serverKey: string; call: (server: string, args: string) => string; jsonArgs: string[] };
  /**
   * A tool whose handler is a module-level function (`handle_x(arguments)` beside a module `server`):
   * the generated tests leave it out; the round-trip check of phases 3–5 calls it after handing the
   * module the service (`src/phases/round-trip-probe.ts`). `jsonArgs` is absent when a required
   * argument has no example value.
   */
  moduleTool?: { module: string; handler: string; jsonArgs?: string[] };
  /** The FastAPI route presenting the service, called through the app's TestClient. */
  route?: RouteWiring;
  /** For a FastMCP tool: `"name": value` of its required arguments other than the new field. */
  fastmcpArgs?: string[];
  /** conftest fixtures by what they provide (`module:Class` or the db type key). */
  fixtures: Record<string, string>;
  /** Module-level `_run_migrations(conn)` that the test can call again, when there is one. */
  migrationsFunction?: { module: string; name: string; async: boolean };
}

const key = (module: string, name: string) => `${module}:${name}`;

/** A Python expression for an example value of a parameter/field type. */
export function renderExample(value: unknown, type: TypeDesc, quote: Quote, imports: ImportSet): string {
  if (value === null || value === undefined) return 'None';
  switch (type.kind) {
    case 'enum': {
      const e = type.enum!;
      const member = e.members.find((m) => m.value === value || m.name === value) ?? e.members[0]!;
      imports.name(e.module, e.name);
      return `${e.name}.${member.name}`;
    }
    case 'UUID':
      imports.name('uuid', 'UUID');
      return `UUID(${pyString(String(value), quote)})`;
    case 'datetime':
      imports.name('datetime', 'datetime');
      return `datetime.fromisoformat(${pyString(String(value), quote)})`;
    case 'float':
      return pyNumber(Number(value), true);
    case 'list':
      return Array.isArray(value)
        ? `[${value.map((v) => renderExample(v, type.item ?? { kind: 'any', nullable: false }, quote, imports)).join(', ')}]`
        : pyLiteral(value, quote);
    default:
      return pyLiteral(value, quote);
  }
}

function findGetter(
  candidates: string[],
  facts: ProjectFacts,
  model: { module: string; name: string },
): Getter | undefined {
  for (const ownerKey of candidates) {
    const info = facts.classes[ownerKey];
    if (!info) continue;
    const names = Object.keys(info.methods)
      .filter((n) => !n.startsWith('_'))
      .sort((a, b) => Number(!a.startsWith('get')) - Number(!b.startsWith('get')) || a.localeCompare(b));
    for (const name of names) {
      const m = info.methods[name]!;
      const required = m.params.filter((p) => p.required);
      const returnsModel =
        m.returns.kind === 'class' &&
        m.returns.cls?.name === model.name &&
        m.returns.cls.module === model.module;
      if (
        m.async &&
        returnsModel &&
        required.length === 1 &&
        (required[0]!.type.kind === 'UUID' || /id$/.test(required[0]!.name))
      ) {
        return { ownerKey, method: name, nullable: m.returns.nullable };
      }
    }
  }
  return undefined;
}

export { conftestFixtures } from './conftest-fixtures';

/** The tool's required arguments other than the new field, with example values (JSON, as Python). */
function toolJsonArgs(change: FieldAnchors, facts: ProjectFacts, quote: Quote): string[] {
  const tool = change.tool!;
  // A tool taking a request model is given that model's required fields.
  return (tool.fastmcp?.requestModel?.required ?? tool.required)
    .filter((name) => name !== change.field)
    .map((name) => {
      const value = facts.examples[`param.${name}`] ?? facts.examples[`model.${name}`];
      if (value === undefined)
        fail(`no example value for the required tool argument ${name} of ${tool.name}`);
      return `${pyString(name, quote)}: ${pyLiteral(value, quote)}`;
    });
}

export function buildWiring(options: {
  /** Kept for callers: the wiring needs only the change's anchors. */
  anchors?: AnchorMap;
  change: FieldAnchors;
  facts: ProjectFacts;
  conftestText?: string;
  asyncioMode?: string;
  imports: ImportSet;
  /** The spec's `architecture`: fixtures and factories it names for classes. */
  architecture?: Pick<Architecture, 'fixtures' | 'factories'>;
}): Wiring {
  const { change, facts, imports } = options;
  const quote = change.modelAnchor.style.quote;
  const model = { module: change.modelAnchor.module, name: change.modelAnchor.className };
  const modelNeeds = new ImportSet();
  const receives = change.service.receives;
  const serviceLabel = `${change.service.className ?? change.service.module}.${change.service.method}`;
  const kwargs = facts.model.fields
    .filter((f) => f.required)
    .map((f) => {
      if (!(`model.${f.name}` in facts.examples))
        fail(
          receives
            ? `cannot build the ${model.name} that ${serviceLabel} receives as its parameter ${receives.parameter}: no valid example value for the required field ${model.name}.${f.name}`
            : `no valid example value for the required field ${model.name}.${f.name}`,
          receives ? { class: `${model.module}:${model.name}`, parameter: receives.parameter } : {},
        );
      return `${f.name}=${renderExample(facts.examples[`model.${f.name}`], f.type, quote, modelNeeds)}`;
    });
  let noDatabase: string | undefined;
  let db: DbRecipe;
  try {
    db = dbRecipe(change, facts, imports);
  } catch (err) {
    if (!(err instanceof NoDatabasePath)) throw err;
    noDatabase = err.reason;
    const refuse = (): never => fail(`no test may open the database: ${err.reason}`);
    db = { typeKey: '', opener: { callee: '', pathParam: '', pathIndex: -1 }, open: refuse, close: refuse };
  }
  // A service class is built and its method called; a module-level service function is called with
  // the object it takes first (its database), which the tests build like any other object.
  const serviceClass = change.service.className;
  const method: CallableInfo = serviceClass
    ? ((
        facts.classes[key(change.service.module, serviceClass)] ??
        fail(`could not describe the service class ${serviceClass}`)
      ).methods[change.service.method] ?? fail(`could not describe ${serviceClass}.${change.service.method}`))
    : (facts.functions[key(change.service.module, change.service.method)] ??
      fail(`could not describe the service function ${change.service.module}.${change.service.method}`));
  // (Not the model a receiving service function takes: the tests build that one with the value.)
  const receiver = serviceClass
    ? undefined
    : method.params.find((p) => p.required && p.kind === 'positional' && p.name !== receives?.parameter);
  if (!serviceClass && (receiver?.type.kind !== 'class' || !receiver.type.cls))
    fail(
      `the service function ${change.service.module}.${change.service.method} takes no object of a project class first (${receiver ? `its first parameter ${receiver.name} is not annotated with a class` : 'it has no required positional parameter'}): the tests cannot call it`,
    );
  const serviceKey = serviceClass
    ? key(change.service.module, serviceClass)
    : key(receiver!.type.cls!.module, receiver!.type.cls!.name);
  const serviceCall = (owner: string, args: string): string => {
    if (serviceClass) return `${owner}.${change.service.method}(${args})`;
    return `${change.service.method}(${[owner, args].filter((a) => a).join(', ')})`;
  };
  const serviceNeeds = new ImportSet();
  // The tests that call the service merge these imports: the function itself is one of them.
  if (!serviceClass) serviceNeeds.name(change.service.module, change.service.method);
  const args = method.params
    .filter(
      (p) =>
        p !== receiver &&
        p.name !== receives?.parameter &&
        p.required &&
        (p.kind === 'positional' || p.kind === 'keyword_only'),
    )
    .map((p) => {
      if (!(`param.${p.name}` in facts.examples))
        fail(`no valid example value for the parameter ${p.name} of ${change.service.method}`);
      return `${p.name}=${renderExample(facts.examples[`param.${p.name}`], p.type, quote, serviceNeeds)}`;
    });
  const returnsModel = method.returns.kind === 'class' && method.returns.cls?.name === model.name;
  const returnsId = ['UUID', 'str', 'int'].includes(method.returns.kind);
  const owners = [
    serviceKey,
    ...Object.keys(facts.classes)
      .filter((k) => k !== serviceKey)
      .sort(),
    db.typeKey,
  ];
  const getter =
    findGetter(owners, facts, model) ??
    fail(`no method reads one ${model.name} back by id (e.g. get_${snakeCase(model.name)})`);

  const provides: Record<string, string> = {};
  for (const info of Object.values(facts.classes)) provides[info.name] = key(info.module, info.name);
  if (!change.migrations.className) {
    for (const k of Object.keys(facts.functions)) {
      const f = facts.functions[k]!;
      if (
        k.startsWith(`${change.migrations.module}:`) &&
        f.returns.kind === 'class' &&
        key(f.returns.cls!.module, f.returns.cls!.name) === db.typeKey
      )
        provides[k.split(':')[1]!] = db.typeKey;
    }
  }
  const unsafe = options.conftestText && !noDatabase ? unsafeFixtures(options.conftestText, db.opener) : {};
  const fixtures = options.conftestText ? conftestFixtures(options.conftestText, provides, unsafe) : {};
  const byName = (className: string, specKey: string): string => {
    const found = Object.keys(facts.classes).filter((k) => facts.classes[k]!.name === className);
    if (found.length !== 1)
      fail(
        `architecture.${specKey} names ${className}, ${found.length === 0 ? 'which is not a class the tests use' : `which is ambiguous (${found.join(', ')})`}`,
      );
    return found[0]!;
  };
  const specFixtures: string[] = [];
  for (const [className, fixture] of Object.entries(options.architecture?.fixtures ?? {})) {
    if (unsafe[fixture])
      fail(`architecture.fixtures names ${fixture} for ${className}, but ${unsafe[fixture]}`);
    const k = byName(className, 'fixtures');
    fixtures[k] = fixture;
    specFixtures.push(k);
  }
  const factories: Wiring['factories'] = {};
  for (const [className, target] of Object.entries(options.architecture?.factories ?? {})) {
    const [module, name] = target.split(':') as [string, string];
    const info =
      facts.functions[`${module}:${name}`] ??
      fail(`architecture.factories names ${target} for ${className}, but it could not be imported`);
    factories[byName(className, 'factories')] = { module, name, info };
  }

  let tool: Wiring['tool'];
  let moduleTool: Wiring['moduleTool'];
  const t = change.tool;
  if (t && !t.className && !t.fastmcp) {
    let jsonArgs: string[] | undefined;
    try {
      jsonArgs = toolJsonArgs(change, facts, quote);
    } catch {
      jsonArgs = undefined;
    }
    moduleTool = { module: t.module, handler: t.handler.function, ...(jsonArgs ? { jsonArgs } : {}) };
  }
  const fastmcpArgs = t?.fastmcp ? toolJsonArgs(change, facts, quote) : undefined;
  if (t?.className) {
    const serverKey = key(t.module, t.className);
    const server = facts.classes[serverKey];
    const handler = server?.methods[t.handler.function];
    const dispatcher = server?.methods.call_tool;
    const jsonArgs = toolJsonArgs(change, facts, quote);
    if (handler && handler.params.filter((p) => p.required).length === 1) {
      tool = {
        serverKey,
        call: (s, a) => `${handler.async ? 'await ' : ''}${s}.${t.handler.function}(${a})`,
        jsonArgs,
      };
    } else if (dispatcher) {
      tool = {
        serverKey,
        call: (s, a) => `${dispatcher.async ? 'await ' : ''}${s}.call_tool(${pyString(t.name, quote)}, ${a})`,
        jsonArgs,
      };
    }
  }
  let migrationsFunction: Wiring['migrationsFunction'];
  if (!change.migrations.className) {
    const f = facts.functions[key(change.migrations.module, change.migrations.method)];
    if (f && f.params.filter((p) => p.required).length === 1)
      migrationsFunction = {
        module: change.migrations.module,
        name: change.migrations.method,
        async: f.async,
      };
  }
  const mode = (options.asyncioMode ?? 'strict').trim().toLowerCase();
  return {
    quote,
    asyncMode: mode === 'auto' ? 'auto' : 'strict',
    model: { ...model, kwargs, needs: modelNeeds, table: change.table },
    db,
    ...(noDatabase ? { noDatabase } : {}),
    unsafeFixtures: unsafe,
    classes: facts.classes,
    specFixtures,
    factories,
    service: {
      key: serviceKey,
      method: change.service.method,
      call: serviceCall,
      args,
      needs: serviceNeeds,
      returns: returnsModel ? 'model' : returnsId ? 'id' : 'other',
      ...(receives ? { receives: receives.parameter } : {}),
    },
    getter,
    ...(tool ? { tool } : {}),
    ...(moduleTool ? { moduleTool } : {}),
    ...(change.route ? { route: routeWiring(change, facts, quote) } : {}),
    ...(fastmcpArgs ? { fastmcpArgs } : {}),
    fixtures,
    ...(migrationsFunction ? { migrationsFunction } : {}),
  };
}

/**
 * The class keys of the objects that building `k` takes, in argument order: its constructor's (or the
 * spec's factory's) required parameters, each an object of a project class.
 */
export function constructorArgs(wiring: Wiring, k: string): string[] {
  const info = wiring.classes[k]!;
  const factory = wiring.factories[k];
  const params = (factory ? factory.info.params : info.init).filter(
    (p) => p.required && (p.kind === 'positional' || p.kind === 'keyword_only'),
  );
  return params.map((p) => {
    if (p.type.kind !== 'class' || !p.type.cls) {
      const seen =
        p.type.kind === 'any'
          ? "has no annotation, and no call in the project's tests or code passes it an object of a known class"
          : p.type.kind === 'unknown'
            ? 'has an annotation that does not resolve to a class'
            : `is a ${p.type.kind}, not an object of the project`;
      fail(
        `cannot build ${info.name} (${info.module}): its parameter ${p.name} ${seen}; name a conftest fixture for ${info.name} in the spec's architecture.fixtures ({"${info.name}": "fixture_name"}) or a factory in architecture.factories ({"${info.name}": "module:function"})`,
        { class: k, parameter: p.name },
      );
    }
    return key(p.type.cls.module, p.type.cls.name);
  });
}

/**
 * Statements that build `targetKey` (and what it needs) from an open database variable, returning the
 * variable names by key. `have` holds variables already available (e.g. fixtures).
 */
export function buildStatements(
  wiring: Wiring,
  targetKey: string,
  have: Record<string, string>,
  imports: ImportSet,
): { lines: string[]; vars: Record<string, string> } {
  const vars = { ...have };
  const lines: string[] = [];
  const visit = (k: string, trail: string[]): string => {
    if (vars[k]) return vars[k]!;
    if (trail.includes(k)) fail(`constructor cycle through ${k}`);
    const info = wiring.classes[k] ?? fail(`cannot build ${k}: it is not a class of the project`);
    const factory = wiring.factories[k];
    const args = constructorArgs(wiring, k).map((d) => visit(d, [...trail, k]));
    const name = snakeCase(info.name);
    if (factory) {
      imports.name(factory.module, factory.name);
      lines.push(`${name} = ${factory.info.async ? 'await ' : ''}${factory.name}(${args.join(', ')})`);
    } else {
      imports.name(info.module, info.name);
      lines.push(`${name} = ${info.name}(${args.join(', ')})`);
    }
    vars[k] = name;
    return name;
  };
  visit(targetKey, []);
  return { lines, vars };
}
