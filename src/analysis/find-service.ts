/**
 * The service method (or module function) that builds the model — or receives it already built and
 * passes it on to the code that INSERTs it (model-receivers.ts) — and what its signature looks like.
 */
import type { FeatureSpec, FieldChange } from '../spec/feature-spec';
import { docstringOf, rangeOf } from '../python-syntax/parse';
import { constructorCalls } from '../codemods/add-row-mapper-field';
import type { ServiceAnchor } from './anchor-map';
import { ambiguous, notFound, pick, specInvalid, where } from './anchor-errors';
import { findFastMcpTools } from './find-fastmcp-tools';
import { fastapiRoutes } from './find-fastapi-routes';
import { toolDefinitions } from './find-tool';
import {
  callsFunction,
  reachesInsert,
  receivedParameter,
  usesParameter,
  type Received,
} from './model-receivers';
import type { FunctionInfo, WorkspaceIndex } from './workspace-index';

/** Files of the presentation layer: tool definitions, FastMCP tools, FastAPI routes. */
function presentationFiles(index: WorkspaceIndex): Set<string> {
  return new Set([
    ...toolDefinitions(index).map((t) => t.file.path),
    ...findFastMcpTools(index).map((t) => t.file.path),
    ...fastapiRoutes(index).map((r) => r.fn.file.path),
  ]);
}

export function findService(
  index: WorkspaceIndex,
  spec: FeatureSpec,
  change: FieldChange,
  i: number,
  excludeFiles: Set<string>,
): { fn: FunctionInfo; why: string; receives?: Received } {
  const builds = (f: FunctionInfo) => constructorCalls(f.node, change.model).length > 0;
  // Takes the model built and does something with it (a method that only declares it receives nothing).
  const receives = (f: FunctionInfo): Received | undefined => {
    if (builds(f)) return undefined;
    const r = receivedParameter(f.node, change.model);
    return r && usesParameter(f.node, r.parameter) ? r : undefined;
  };
  // Methods of classes, and module-level functions (a service written as a module of functions).
  const methods = index.functions.filter(
    (f) =>
      !f.file.isTest && !f.name.startsWith('_row_to_') && !f.node.parent?.parent?.type.includes('function'),
  );
  const label = (f: FunctionInfo) => `${f.className ?? f.file.module}.${f.name}`;
  if (change.service_method) {
    // `method`, `Class.method` or `module.function` (the module's dotted name or its last part).
    const parts = change.service_method.split('.');
    const name = parts.pop()!;
    const owner = parts.join('.');
    const named = methods.filter(
      (f) =>
        f.name === name &&
        (!owner ||
          f.className === owner ||
          (!f.className && (f.file.module === owner || f.file.module.endsWith(`.${owner}`)))),
    );
    if (named.length === 0) {
      specInvalid(
        `data_models.changes[${i}].service_method`,
        `no method or module function "${change.service_method}" (give "method", "Class.method" or "module.function")`,
        {
          candidates: methods.filter(builds).map(label),
        },
      );
    }
    const withModel = named.filter(builds);
    const receiving = named.filter((f) => receives(f));
    const fn = pick(
      withModel.length > 0 ? withModel : receiving.length > 0 ? receiving : named,
      spec.architecture.service,
      `service method ${change.service_method}`,
      (f) => `${label(f)} (${where(f)})`,
    )!;
    const r = receives(fn);
    if (r) return { fn, why: 'given', receives: r };
    if (!builds(fn))
      notFound(
        `${change.model}(...) call in ${label(fn)}, or a parameter annotated ${change.model} it passes on`,
        where(fn),
        [],
      );
    return { fn, why: 'given' };
  }
  const dbLike = /Repository|Database|Repo$|Store$|Dao$/;
  const outsideDb = (f: FunctionInfo) =>
    !excludeFiles.has(f.file.path) && (f.className ? !dbLike.test(f.className) : true);
  let candidates = methods.filter((f) => builds(f) && outsideDb(f));
  // A tool handler, FastMCP tool or route that builds the model and hands it to a service receiving
  // it (`service.create(Task(...))`) is the presentation layer: the receiver is the service.
  const shown = presentationFiles(index);
  const takers = methods.filter((f) => !shown.has(f.file.path) && receives(f));
  const receivers = takers.filter((f) => outsideDb(f) && reachesInsert(index, f));
  // (Built by `Task(...)`, `Task.model_validate(arguments)` or anything else: the handler hands it
  // on.) Handing it to a taker that cannot be the service (it reaches no INSERT, or is the database
  // layer) does not make the handler one either: then no service is found, and the takers are named.
  const handing = index.functions.filter(
    (f) => !f.file.isTest && shown.has(f.file.path) && takers.some((r) => callsFunction(f.node, r.name)),
  );
  if (handing.length > 0) {
    const called = receivers.filter((r) => handing.some((h) => callsFunction(h.node, r.name)));
    candidates = [...candidates.filter((f) => !handing.includes(f)), ...called];
  }
  // Methods first (as before module functions were seen): a module function is the service only
  // where no class method builds the model.
  if (candidates.some((f) => f.className)) candidates = candidates.filter((f) => f.className);
  const services = candidates.filter((f) =>
    f.className ? /Service$/.test(f.className) : /(^|\.)services?$/.test(f.file.module),
  );
  if (services.length > 0) candidates = services;
  if (candidates.length > 1) {
    const creating = candidates.filter((f) =>
      /^(create|enqueue|add|register|submit|insert|new)_?/.test(f.name),
    );
    if (creating.length >= 1) candidates = creating;
  }
  if (candidates.length > 1) {
    const hinted = spec.architecture.service
      ? candidates.filter((f) => f.file.path.endsWith(spec.architecture.service!))
      : [];
    if (hinted.length === 1) candidates = hinted;
  }
  if (candidates.length === 0) {
    notFound(
      `a service method or function that builds ${change.model}(...)`,
      'methods of non-test classes and module-level functions outside the database module',
      [],
      {
        seen: serviceSeen(index, methods, change.model, builds, excludeFiles, dbLike),
        settle: `set data_models.changes[${i}].service_method ("Class.method" or "module.function") to the method that builds ${change.model}(...) from its parameters, or to the one that receives a ${change.model} and passes it on to the INSERT`,
      },
    );
  }
  if (candidates.length > 1) {
    ambiguous(
      `the service method for ${change.model}`,
      candidates.map((f) => `${label(f)} (${where(f)})`),
      'set "service_method" in the spec ("Class.method" or "module.function")',
    );
  }
  const fn = candidates[0]!;
  const r = receives(fn);
  if (r)
    return {
      fn,
      receives: r,
      why: `the ${fn.className ? `method of ${fn.className}` : `function of ${fn.file.module}`} that receives the ${change.model} the presentation layer builds (its parameter ${r.parameter}) and passes it on to the INSERT`,
    };
  return {
    fn,
    why: fn.className
      ? `the method of ${fn.className} that builds ${change.model}(...)`
      : `the function of ${fn.file.module} that builds ${change.model}(...)`,
  };
}

/**
 * What the code has where a service was expected: functions that build the model but belong to the
 * database layer, and functions that take a model object already built but cannot be the service
 * (they do nothing with it, pass it to no INSERT, or no tool, FastMCP function or route calls them).
 */
function serviceSeen(
  index: WorkspaceIndex,
  functions: FunctionInfo[],
  model: string,
  builds: (f: FunctionInfo) => boolean,
  databaseFiles: Set<string>,
  dbLike: RegExp,
): string[] {
  const label = (f: FunctionInfo) => `${f.className ? `${f.className}.` : ''}${f.name} (${where(f)})`;
  const inDatabase = functions.filter(
    (f) => builds(f) && (databaseFiles.has(f.file.path) || (f.className && dbLike.test(f.className))),
  );
  const takesModel = new RegExp(`\\b${model}\\b`);
  const receivers = functions.filter(
    (f) =>
      !builds(f) &&
      (f.node.childForFieldName('parameters')?.namedChildren ?? []).some(
        (p) => p.type.startsWith('typed') && takesModel.test(p.childForFieldName('type')?.text ?? ''),
      ),
  );
  const why = (f: FunctionInfo): string => {
    const r = receivedParameter(f.node, model);
    if (!r) return `takes it inside another type (only a parameter annotated ${model} itself is followed)`;
    if (!usesParameter(f.node, r.parameter)) return 'does nothing with it';
    if (databaseFiles.has(f.file.path) || (f.className && dbLike.test(f.className)))
      return 'is the database layer (a service between the tool and it would take the field)';
    if (!reachesInsert(index, f)) return 'passes it to no INSERT';
    return 'passes it on to an INSERT, but no tool handler, FastMCP tool or FastAPI route calls it';
  };
  const shown = (fs: FunctionInfo[]) =>
    (fs.length > 4 ? [...fs.slice(0, 4).map(label), '...'] : fs.map(label)).join(', ');
  return [
    ...(inDatabase.length
      ? [
          `${shown(inDatabase)} ${inDatabase.length > 1 ? 'build' : 'builds'} ${model}(...) in the database layer`,
        ]
      : []),
    ...receivers.slice(0, 4).map((f) => `${label(f)} takes a ${model} already built but ${why(f)}`),
  ];
}

export function serviceAnchor(fn: FunctionInfo, model: string, receives?: Received): ServiceAnchor {
  const params = fn.node.childForFieldName('parameters')!.namedChildren.filter((p) => p.type !== 'comment');
  let keywordOnly = false;
  const parameters: ServiceAnchor['parameters'] = [];
  for (const p of params) {
    if (p.type === 'keyword_separator') {
      keywordOnly = true;
      continue;
    }
    const inner = p.type === 'typed_parameter' ? p.namedChildren[0]! : p;
    if (inner.type === 'list_splat_pattern') {
      parameters.push({ name: inner.text.replace(/^\*/, ''), kind: 'args', hasDefault: false });
      keywordOnly = true;
      continue;
    }
    if (inner.type === 'dictionary_splat_pattern') {
      parameters.push({ name: inner.text.replace(/^\*\*/, ''), kind: 'kwargs', hasDefault: false });
      continue;
    }
    const name = p.type === 'identifier' ? p.text : (p.childForFieldName('name')?.text ?? inner.text);
    if (name === 'self' || name === 'cls') continue;
    parameters.push({
      name,
      kind: keywordOnly ? 'keyword_only' : 'positional',
      hasDefault: p.type.includes('default'),
    });
  }
  const db = /self\.(\w+)\.\w+\(/.exec(fn.node.text)?.[1];
  // A module function reaches the database through the object it takes first.
  const receiver = fn.className
    ? undefined
    : parameters.find((p) => p.kind === 'positional' && p.name !== receives?.parameter)?.name;
  const built = constructorCalls(fn.node, model)[0];
  const doc = docstringOf(fn.node)?.text ?? '';
  return {
    file: fn.file.path,
    module: fn.file.module,
    ...(fn.className ? { className: fn.className } : {}),
    method: fn.name,
    range: rangeOf(fn.node),
    parameters,
    ...(built ? { constructorCall: rangeOf(built) } : {}),
    ...(receives ? { receives } : {}),
    databaseAttribute: db ? `self.${db}` : receiver,
    docstringStyle: /^\s*(Args|Arguments):\s*$/m.test(doc)
      ? 'google'
      : /:param\b/.test(doc)
        ? 'rest'
        : 'none',
  };
}
