/**
 * Finds the FastAPI route that presents a service method (the presentation layer of a project that
 * serves HTTP instead of, or beside, MCP tools): a function decorated `@<app or router>.<method>(path)`
 * that calls the method, with the Pydantic request model it takes as its body, the response model it
 * declares, the `Depends(...)` provider that gives it the service, and the `FastAPI()` application
 * that serves it (docs/codemods.md, "FastAPI routes").
 */
import { SpecialistError } from '../errors';
import type { FieldChange } from '../spec/feature-spec';
import type { SyntaxNode } from '../python-syntax/parse';
import { findAll, rangeOf, stringValue } from '../python-syntax/parse';
import { keywordArguments } from '../python-syntax/sequence';
import { callsNamed } from '../codemods/add-handler-argument';
import { classFields } from '../codemods/add-pydantic-field';
import type { ModelBuild, ModuleRef, SourceRange } from './anchor-map';
import { requireModelBuild, type Received } from './model-receivers';
import { pydanticModels } from './model-kind';
import type { ClassInfo, FunctionInfo, PyFile, WorkspaceIndex } from './workspace-index';

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** A Pydantic class a route reads or returns. */
export interface RouteModelRef extends ModuleRef {
  className: string;
}

export interface RouteAnchor extends ModuleRef {
  /** The route function (module level, sync or async). */
  function: string;
  range: SourceRange;
  async: boolean;
  /** `post`, `put`, ... as in the decorator. */
  method: string;
  /** The path: the router's own `prefix=` and the decorator's path (a prefix given to `include_router` not included). */
  path: string;
  /** The route's name for `url_path_for`: the decorator's `name=`, else the function's name. */
  routeName: string;
  /** `app`, `router`: the object the decorator is called on. */
  decoratedBy: string;
  /** The body parameter and its Pydantic class, when the route takes one. */
  request?: RouteModelRef & {
    variable: string;
    /** Fields without a default: the JSON of a request must give them. */
    requiredFields: string[];
  };
  /** `response_model=` of the decorator, or the return annotation, when it is a project Pydantic class other than the domain model. */
  response?: RouteModelRef;
  /** The service call inside the route. */
  serviceCall: SourceRange;
  /** Where the route builds the object a receiving service takes (`ServiceAnchor.receives`). */
  modelBuild?: ModelBuild;
  /** The `Depends(provider)` parameter the service comes from, for `app.dependency_overrides`. */
  dependency?: { parameter: string; provider: string; providerModule: string };
  /**
   * Without `Depends`: the module-level name the route calls the service on (`service.add(...)`), or
   * the module-level getter it calls for it (`get_service().add(...)`), as the route's module sees them.
   */
  serviceVia?: { kind: 'name' | 'call'; name: string };
  /** The application serving the route: a module-level `FastAPI()` variable, or a factory function. */
  app?: { module: string; variable?: string; factory?: string };
}

const decoratorsOf = (fn: SyntaxNode): SyntaxNode[] =>
  fn.parent?.type === 'decorated_definition'
    ? fn.parent.namedChildren.filter((c) => c.type === 'decorator')
    : [];

/** `@router.post("/x", ...)` → its call node, object, method and path. */
function routeDecorator(
  fn: SyntaxNode,
): { call: SyntaxNode; object: string; method: string; path: string } | undefined {
  for (const d of decoratorsOf(fn)) {
    const call = d.namedChildren[0];
    if (call?.type !== 'call') continue;
    const f = call.childForFieldName('function');
    if (f?.type !== 'attribute') continue;
    const method = f.childForFieldName('attribute')!.text;
    if (!(HTTP_METHODS as readonly string[]).includes(method)) continue;
    const first = call.childForFieldName('arguments')?.namedChildren[0];
    const path = first ? stringValue(first) : undefined;
    if (path === undefined) continue;
    return { call, object: f.childForFieldName('object')!.text, method, path };
  }
  return undefined;
}

/** The `prefix=` of a module-level `name = APIRouter(prefix="...")` of a file ('' when none). */
function routerPrefix(file: PyFile, name: string): string {
  for (const stmt of file.tree.rootNode.namedChildren) {
    const assign = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    const right = assign?.type === 'assignment' ? assign.childForFieldName('right') : undefined;
    if (assign?.childForFieldName('left')?.text !== name || right?.type !== 'call') continue;
    const prefix = keywordArguments(right.childForFieldName('arguments')!).get('prefix');
    return (prefix && stringValue(prefix)) || '';
  }
  return '';
}

/** Module-level `name = FastAPI(...)` / `APIRouter(...)` assignments of a file, by variable. */
function moduleObjects(file: PyFile, ctor: 'FastAPI' | 'APIRouter'): string[] {
  const out: string[] = [];
  for (const stmt of file.tree.rootNode.namedChildren) {
    const assign = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (assign?.type !== 'assignment') continue;
    const right = assign.childForFieldName('right');
    const callee = right?.type === 'call' ? right.childForFieldName('function')?.text : undefined;
    if (callee === ctor || callee === `fastapi.${ctor}`) out.push(assign.childForFieldName('left')!.text);
  }
  return out;
}

/** Whether a file imports FastAPI (its routes are FastAPI routes). */
export const importsFastapi = (file: PyFile) =>
  /^\s*(from\s+fastapi\b|import\s+fastapi\b)/m.test(file.source);

interface Param {
  name: string;
  annotation?: SyntaxNode;
  default?: SyntaxNode;
}

function paramsOf(fn: SyntaxNode): Param[] {
  return (fn.childForFieldName('parameters')?.namedChildren ?? []).flatMap((p): Param[] => {
    if (p.type === 'identifier') return [{ name: p.text }];
    const name =
      p.childForFieldName('name')?.text ??
      (p.namedChildren[0]?.type === 'identifier' ? p.namedChildren[0].text : undefined);
    if (!name) return [];
    return [
      {
        name,
        annotation: p.childForFieldName('type') ?? undefined,
        default: p.childForFieldName('value') ?? undefined,
      },
    ];
  });
}

/** Module-level `Alias = Annotated[T, Depends(provider)]` of a file, by alias (FastAPI's own advice). */
function annotatedAliases(file: PyFile): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  for (const stmt of file.tree.rootNode.namedChildren) {
    const assign = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    const right = assign?.type === 'assignment' ? assign.childForFieldName('right') : undefined;
    const left = assign?.childForFieldName('left');
    if (right && left?.type === 'identifier' && /\bDepends\(/.test(right.text)) out.set(left.text, right);
  }
  return out;
}

/**
 * `Depends(provider)` in a default, in `Annotated[T, Depends(provider)]`, or in a module-level alias of
 * such an `Annotated` (`service: ServiceDep`): the provider's name.
 */
function dependsProvider(p: Param, aliases: Map<string, SyntaxNode> = new Map()): string | undefined {
  const alias = p.annotation?.type === 'type' ? aliases.get(p.annotation.text.trim()) : undefined;
  for (const node of [p.default, p.annotation, alias]) {
    if (!node) continue;
    const call = [node, ...findAll(node, 'call')].find(
      (c) => c.type === 'call' && /(^|\.)Depends$/.test(c.childForFieldName('function')?.text ?? ''),
    );
    const arg = call?.childForFieldName('arguments')?.namedChildren[0];
    if (arg && (arg.type === 'identifier' || arg.type === 'attribute')) return arg.text;
  }
  return undefined;
}

/**
 * Whether a Pydantic field statement has no default: no value at all, or `Field(...)` with neither a
 * first positional default (other than `...`) nor `default=` / `default_factory=`.
 */
function isRequiredField(stmt: SyntaxNode): boolean {
  const right = stmt.namedChildren[0]?.childForFieldName('right');
  if (!right) return true;
  if (right.type !== 'call' || !/(^|\.)Field$/.test(right.childForFieldName('function')?.text ?? ''))
    return false;
  const args = right.childForFieldName('arguments')!;
  const kw = keywordArguments(args);
  if (kw.has('default')) return kw.get('default')!.text === '...';
  if (kw.has('default_factory')) return false;
  const first = args.namedChildren.find((a) => a.type !== 'comment');
  return !first || first.type === 'keyword_argument' || first.text === '...';
}

/** The module that defines `name` as seen from `file`: itself, or the module it imports it from. */
function moduleOfName(file: PyFile, name: string): string {
  const head = name.split('.')[0]!;
  for (const imp of findAll(file.tree.rootNode, 'import_from_statement')) {
    const module = imp.childForFieldName('module_name')?.text;
    const names = imp
      .childrenForFieldName('name')
      .map((n) => (n.type === 'aliased_import' ? n.childForFieldName('alias')!.text : n.text));
    if (module && names.includes(head)) {
      if (!module.startsWith('.')) return module;
      // A relative import, resolved against the file's own package.
      const dots = /^\.+/.exec(module)![0].length;
      const pkg = file.module.split('.').slice(0, -dots);
      const rest = module.slice(dots);
      return [...pkg, ...(rest ? [rest] : [])].join('.');
    }
  }
  return file.module;
}

/** The project Pydantic class an annotation names (`BookmarkIn`, `schemas.BookmarkIn`, `Annotated[BookmarkIn, ...]`). */
function modelOf(
  annotation: SyntaxNode | undefined,
  file: PyFile,
  models: ClassInfo[],
): ClassInfo | undefined {
  if (!annotation) return undefined;
  let text = annotation.text.trim();
  const annotated = /^(?:typing\.)?Annotated\[\s*([\w.]+)/.exec(text);
  if (annotated) text = annotated[1]!;
  if (!/^[\w.]+$/.test(text)) return undefined;
  const name = text.split('.').pop()!;
  const named = models.filter((m) => m.name === name);
  if (named.length <= 1) return named[0];
  const module = moduleOfName(file, text);
  return named.find((m) => m.file.module === module) ?? named.find((m) => m.file === file);
}

/** The application: a module-level `FastAPI()` that serves `route` (directly or through `include_router`). */
function findApp(index: WorkspaceIndex, route: PyFile, decoratedBy: string): RouteAnchor['app'] {
  const files = index.files.filter((f) => !f.isTest && importsFastapi(f));
  if (moduleObjects(route, 'FastAPI').includes(decoratedBy))
    return { module: route.module, variable: decoratedBy };
  const serving = files.filter((f) => moduleObjects(f, 'FastAPI').length > 0);
  // The module that includes the route's router (by its module's name or the router's own name).
  const last = route.module.split('.').pop()!;
  const including = serving.filter((f) =>
    new RegExp(
      `include_router\\(\\s*(${decoratedBy}|${last}\\.${decoratedBy}|\\w+\\.${decoratedBy})\\b`,
    ).test(f.source),
  );
  const pick = including[0] ?? (serving.length === 1 ? serving[0] : undefined);
  if (pick) return { module: pick.module, variable: moduleObjects(pick, 'FastAPI')[0]! };
  // An application factory: a module function that builds FastAPI() and returns it.
  for (const f of files) {
    for (const fn of f.tree.rootNode.namedChildren) {
      const def =
        fn.type === 'decorated_definition'
          ? fn.namedChildren.find((c) => c.type === 'function_definition')
          : fn;
      if (def?.type !== 'function_definition') continue;
      const params = paramsOf(def).filter((p) => !p.default);
      if (params.length === 0 && /\bFastAPI\(/.test(def.text) && /\breturn\b/.test(def.text))
        return { module: f.module, factory: def.childForFieldName('name')!.text };
    }
  }
  return undefined;
}

export interface RouteCandidate {
  fn: FunctionInfo;
  method: string;
  path: string;
  decoratedBy: string;
  decorator: SyntaxNode;
}

/** Every FastAPI route of the project's non-test files (functions decorated `@<x>.get/post/...("path")`). */
export function fastapiRoutes(index: WorkspaceIndex): RouteCandidate[] {
  const out: RouteCandidate[] = [];
  for (const fn of index.functions) {
    if (fn.file.isTest || fn.className || !importsFastapi(fn.file)) continue;
    const d = routeDecorator(fn.node);
    if (d)
      out.push({
        fn,
        method: d.method,
        path: routerPrefix(fn.file, d.object) + d.path,
        decoratedBy: d.object,
        decorator: d.call,
      });
  }
  return out;
}

export const routeLabel = (r: { method: string; path: string; fn: FunctionInfo }) =>
  `${r.method.toUpperCase()} ${r.path} (${r.fn.name}, ${r.fn.file.path}:${r.fn.node.startPosition.row + 1})`;

/**
 * The route that calls `serviceMethod`, or undefined when the project has no FastAPI route calling it.
 * Several: the spec's `api_tool` names one by its function's name; else the one POST route.
 */
export function findFastapiRoute(
  index: WorkspaceIndex,
  change: FieldChange,
  serviceMethod: string,
  /** Set when the service receives the model built: the route's building of it is found too. */
  receives?: { received: Received; i: number },
): RouteAnchor | undefined {
  const calling = fastapiRoutes(index).filter((r) =>
    findAll(r.fn.node, 'call').some((c) => callsNamed(c, serviceMethod)),
  );
  if (calling.length === 0) return undefined;
  let pool = calling;
  const named = change.api_tool;
  if (named) {
    pool = calling.filter((r) => r.fn.name === named);
    // An `api_tool` that names no route may name an MCP tool beside them.
    if (pool.length === 0) return undefined;
  }
  if (pool.length > 1) {
    const posts = pool.filter((r) => r.method === 'post');
    if (posts.length === 1) pool = posts;
  }
  if (pool.length > 1)
    throw new SpecialistError(
      'AnchorAmbiguous',
      `the FastAPI route calling ${serviceMethod}(...) is ambiguous: ${pool.map(routeLabel).join(', ')} — set "api_tool" in the spec to the route's function name`,
      { what: `route for ${serviceMethod}`, candidates: pool.map(routeLabel) },
    );
  const r = pool[0]!;
  const calls = findAll(r.fn.node, 'call').filter((c) => callsNamed(c, serviceMethod));
  if (calls.length > 1)
    throw new SpecialistError(
      'AnchorAmbiguous',
      `${routeLabel(r)} calls ${serviceMethod}(...) ${calls.length} times (lines ${calls.map((c) => c.startPosition.row + 1).join(', ')}): one call per route is expected`,
      { what: `the call of ${serviceMethod} in ${r.fn.name}` },
    );
  const call = calls[0]!;
  const modelBuild = receives
    ? requireModelBuild(
        r.fn.node,
        `the route ${routeLabel(r)}`,
        call,
        receives.received,
        serviceMethod,
        receives.i,
      )
    : undefined;
  const models = pydanticModels(index);
  const params = paramsOf(r.fn.node);
  const aliases = annotatedAliases(r.fn.file);
  // The body: a parameter annotated with a project Pydantic model that is not a dependency.
  const bodies = params
    .filter((p) => !dependsProvider(p, aliases))
    .map((p) => ({ p, cls: modelOf(p.annotation, r.fn.file, models) }))
    .filter((b) => b.cls);
  if (bodies.length > 1)
    throw new SpecialistError(
      'AnchorAmbiguous',
      `${routeLabel(r)} takes several request models (${bodies.map((b) => `${b.p.name}: ${b.cls!.name}`).join(', ')}): one body model per route is expected`,
      { what: `the request model of ${r.fn.name}` },
    );
  const body = bodies[0];
  // The service's receiver in the call (`service.add_bookmark`) and the parameter it comes from.
  const object = call.childForFieldName('function')?.childForFieldName('object');
  const receiver = object?.text;
  const dep = params.find((p) => p.name === receiver && dependsProvider(p, aliases));
  const getter = object?.type === 'call' ? object.childForFieldName('function') : undefined;
  const serviceVia: RouteAnchor['serviceVia'] = dep
    ? undefined
    : object?.type === 'identifier' && !params.some((p) => p.name === object.text)
      ? { kind: 'name', name: object.text }
      : getter?.type === 'identifier' && (object!.childForFieldName('arguments')?.namedChildCount ?? 1) === 0
        ? { kind: 'call', name: getter.text }
        : undefined;
  const kw = keywordArguments(r.decorator.childForFieldName('arguments')!);
  const responseNode = kw.get('response_model') ?? r.fn.node.childForFieldName('return_type') ?? undefined;
  const response = modelOf(responseNode, r.fn.file, models);
  const ref = (c: ClassInfo): RouteModelRef => ({
    file: c.file.path,
    module: c.file.module,
    className: c.name,
  });
  return {
    file: r.fn.file.path,
    module: r.fn.file.module,
    function: r.fn.name,
    range: rangeOf(r.fn.node),
    async: r.fn.node.children[0]?.type === 'async',
    method: r.method,
    path: r.path,
    routeName: (kw.get('name') && stringValue(kw.get('name')!)) || r.fn.name,
    decoratedBy: r.decoratedBy,
    ...(body
      ? {
          request: {
            ...ref(body.cls!),
            variable: body.p.name,
            requiredFields: classFields(body.cls!.node)
              .filter((f) => isRequiredField(f.stmt))
              .map((f) => f.name),
          },
        }
      : {}),
    ...(response && response.name !== change.model ? { response: ref(response) } : {}),
    serviceCall: rangeOf(call),
    ...(modelBuild ? { modelBuild } : {}),
    ...(dep
      ? {
          dependency: {
            parameter: dep.name,
            provider: dependsProvider(dep, aliases)!.split('.').pop()!,
            providerModule: moduleOfName(r.fn.file, dependsProvider(dep, aliases)!),
          },
        }
      : {}),
    ...(serviceVia ? { serviceVia } : {}),
    app: findApp(index, r.fn.file, r.decoratedBy),
  };
}
