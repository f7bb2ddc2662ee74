/** The service method (or module function) that builds the model, and what its signature looks like. */
import type { FeatureSpec, FieldChange } from '../spec/feature-spec';
import { docstringOf, rangeOf } from '../python-syntax/parse';
import { constructorCalls } from '../codemods/add-row-mapper-field';
import type { ServiceAnchor } from './anchor-map';
import { ambiguous, notFound, pick, specInvalid, where } from './anchor-errors';
import type { FunctionInfo, WorkspaceIndex } from './workspace-index';

export function findService(
  index: WorkspaceIndex,
  spec: FeatureSpec,
  change: FieldChange,
  i: number,
  excludeFiles: Set<string>,
): { fn: FunctionInfo; why: string } {
  const builds = (f: FunctionInfo) => constructorCalls(f.node, change.model).length > 0;
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
    const fn = pick(
      withModel.length > 0 ? withModel : named,
      spec.architecture.service,
      `service method ${change.service_method}`,
      (f) => `${label(f)} (${where(f)})`,
    )!;
    if (!builds(fn)) notFound(`${change.model}(...) call in ${label(fn)}`, where(fn), []);
    return { fn, why: 'given' };
  }
  const dbLike = /Repository|Database|Repo$|Store$|Dao$/;
  let candidates = methods.filter(
    (f) => builds(f) && !excludeFiles.has(f.file.path) && (f.className ? !dbLike.test(f.className) : true),
  );
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
        seen: serviceSeen(methods, change.model, builds, excludeFiles, dbLike),
        settle: `set data_models.changes[${i}].service_method ("Class.method" or "module.function") to the method that builds ${change.model}(...) from its parameters`,
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
  return {
    fn,
    why: fn.className
      ? `the method of ${fn.className} that builds ${change.model}(...)`
      : `the function of ${fn.file.module} that builds ${change.model}(...)`,
  };
}

/**
 * What the code has where a service was expected: functions that build the model but belong to the
 * database layer, and functions that take a model object already built instead of building one.
 */
function serviceSeen(
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
  const shown = (fs: FunctionInfo[]) =>
    (fs.length > 4 ? [...fs.slice(0, 4).map(label), '...'] : fs.map(label)).join(', ');
  return [
    ...(inDatabase.length
      ? [
          `${shown(inDatabase)} ${inDatabase.length > 1 ? 'build' : 'builds'} ${model}(...) in the database layer`,
        ]
      : []),
    ...(receivers.length
      ? [
          `${shown(receivers)} ${receivers.length > 1 ? 'take' : 'takes'} a ${model} already built instead of building one`,
        ]
      : []),
  ];
}

export function serviceAnchor(fn: FunctionInfo, model: string): ServiceAnchor {
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
  const receiver = fn.className ? undefined : parameters.find((p) => p.kind === 'positional')?.name;
  const doc = docstringOf(fn.node)?.text ?? '';
  return {
    file: fn.file.path,
    module: fn.file.module,
    ...(fn.className ? { className: fn.className } : {}),
    method: fn.name,
    range: rangeOf(fn.node),
    parameters,
    constructorCall: rangeOf(constructorCalls(fn.node, model)[0]!),
    databaseAttribute: db ? `self.${db}` : receiver,
    docstringStyle: /^\s*(Args|Arguments):\s*$/m.test(doc)
      ? 'google'
      : /:param\b/.test(doc)
        ? 'rest'
        : 'none',
  };
}
