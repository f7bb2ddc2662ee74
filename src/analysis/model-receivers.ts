/**
 * Services that receive the model object already built (`def create(self, task: Task) -> Task`) and
 * pass it on to the code that INSERTs it: the new field reaches them through the object, so the
 * layer that builds the object (the tool handler, the FastMCP tool, the route) is where it is passed
 * (docs/codemods.md, "Services that receive the model"). Shared by the service finder and the
 * presentation finders, which look for the model built before the service call.
 */
import type { SyntaxNode } from '../python-syntax/parse';
import { findAll } from '../python-syntax/parse';
import { keywordArguments } from '../python-syntax/sequence';
import { callsNamed } from '../codemods/add-handler-argument';
import { constructorCalls } from '../codemods/add-row-mapper-field';
import type { ModelBuild, ServiceAnchor } from './anchor-map';
import { notFound } from './anchor-errors';
import type { FunctionInfo, WorkspaceIndex } from './workspace-index';

export type Received = NonNullable<ServiceAnchor['receives']>;

/** `Task`, `"Task"`, `Task | None`, `Optional[Task]` → `Task`; anything else as written. */
function annotatedClass(type: string): string {
  const bare = type
    .trim()
    .replace(/^["']|["']$/g, '')
    .replace(/^Optional\[(.*)\]$/, '$1')
    .replace(/\s*\|\s*None$|^None\s*\|\s*/g, '');
  return bare.replace(/^\w+\./, '');
}

/** The parameters of a definition other than `self`/`cls`, with their position among them. */
function parameters(fn: SyntaxNode): { node: SyntaxNode; name: string; keywordOnly: boolean }[] {
  const out: { node: SyntaxNode; name: string; keywordOnly: boolean }[] = [];
  let keywordOnly = false;
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (p.type === 'comment') continue;
    if (p.type === 'keyword_separator') {
      keywordOnly = true;
      continue;
    }
    const inner = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? p.namedChildren[0]);
    if (!inner) continue;
    if (inner.type === 'list_splat_pattern') keywordOnly = true;
    if (inner.type !== 'identifier') continue;
    if (inner.text === 'self' || inner.text === 'cls') continue;
    out.push({ node: p, name: inner.text, keywordOnly });
  }
  return out;
}

/**
 * The parameter of `fn` annotated with `model` (the object it receives), if exactly one is; its
 * position counts the parameters after `self`, as a caller passes them.
 */
export function receivedParameter(fn: SyntaxNode, model: string): Received | undefined {
  const params = parameters(fn);
  const typed = params
    .map((p, position) => ({ ...p, position }))
    .filter((p) => {
      const type = p.node.childForFieldName('type')?.text;
      return type !== undefined && annotatedClass(type) === model;
    });
  if (typed.length !== 1) return undefined;
  const p = typed[0]!;
  return { parameter: p.name, className: model, position: p.position, keywordOnly: p.keywordOnly };
}

/** Whether the body uses the parameter at all (a method that only declares it receives nothing). */
export function usesParameter(fn: SyntaxNode, name: string): boolean {
  const body = fn.childForFieldName('body');
  return Boolean(body && findAll(body, 'identifier').some((n) => n.text === name));
}

const INSERT = /\bINSERT\s+(OR\s+\w+\s+)?INTO\b/i;

/**
 * Whether the function runs an INSERT, or calls (by name, up to `depth` calls deep) a function of the
 * workspace that does: a receiver that passes the object to `self.repo.add(task)` reaches the table.
 */
export function reachesInsert(index: WorkspaceIndex, f: FunctionInfo, depth = 3): boolean {
  const byName = new Map<string, FunctionInfo[]>();
  for (const g of index.functions) {
    if (g.file.isTest) continue;
    byName.set(g.name, [...(byName.get(g.name) ?? []), g]);
  }
  const seen = new Set<SyntaxNode>();
  const visit = (g: FunctionInfo, left: number): boolean => {
    if (seen.has(g.node)) return false;
    seen.add(g.node);
    if (INSERT.test(g.node.text)) return true;
    if (left === 0) return false;
    for (const call of findAll(g.node, 'call')) {
      const callee = call.childForFieldName('function');
      const name =
        callee?.type === 'identifier'
          ? callee.text
          : callee?.type === 'attribute'
            ? callee.childForFieldName('attribute')?.text
            : undefined;
      for (const target of (name && byName.get(name)) || []) if (visit(target, left - 1)) return true;
    }
    return false;
  };
  return visit(f, depth);
}

/** The argument a call passes for the received parameter: by keyword, else by position. */
export function receivedArgument(call: SyntaxNode, received: Received): SyntaxNode | undefined {
  const args = call.childForFieldName('arguments');
  if (!args) return undefined;
  const kw = keywordArguments(args).get(received.parameter);
  if (kw) return kw;
  if (received.keywordOnly) return undefined;
  const positional = args.namedChildren.filter(
    (a) =>
      a.type !== 'keyword_argument' &&
      a.type !== 'comment' &&
      a.type !== 'dictionary_splat' &&
      a.type !== 'list_splat',
  );
  // A service method called on its object (`svc.create(task)`), or a module function called with
  // every parameter (`service.add_task(db, task)`): the same position either way.
  return positional[received.position];
}

/**
 * How `fn` (a tool handler, a FastMCP tool, a route) builds the object it passes to the service call
 * for the received parameter: `Task(...)` in the call, or assigned to a local before it; with the
 * tool's own arguments splatted (`Task(**arguments)`) or validated whole (`Task.model_validate(args)`)
 * the field arrives with them. A string saying what was seen when it is built elsewhere.
 */
export function modelBuild(fn: SyntaxNode, serviceCall: SyntaxNode, received: Received): ModelBuild | string {
  const cls = received.className;
  const arg = receivedArgument(serviceCall, received);
  const line = (n: SyntaxNode) => n.startPosition.row + 1;
  if (!arg)
    return `the call of the service at line ${line(serviceCall)} passes nothing for its parameter ${received.parameter}`;
  const describe = (build: SyntaxNode): ModelBuild | string => {
    const fnText = build.childForFieldName('function')?.text ?? '';
    if (fnText === `${cls}.model_validate` || fnText === `${cls}.parse_obj`)
      return { className: cls, line: line(build), fromArguments: true };
    if (fnText !== cls)
      return `${received.parameter} is \`${build.text.split('\n')[0]}\` (line ${line(build)}), not a ${cls}(...) built here`;
    const builds = constructorCalls(fn, cls);
    if (builds.length > 1)
      return `${cls}(...) is built ${builds.length} times (lines ${builds.map(line).join(', ')}); cannot tell which one the service receives`;
    const splat = build
      .childForFieldName('arguments')!
      .namedChildren.some((a) => a.type === 'dictionary_splat');
    return { className: cls, line: line(build), fromArguments: splat };
  };
  if (arg.type === 'call') return describe(arg);
  if (arg.type === 'identifier') {
    // The function's own parameter of that class (a route's request body, a FastMCP tool's model
    // parameter): the object arrives whole, and the field with it once the class has it.
    const own = parameters(fn).find(
      (p) => p.name === arg.text && annotatedClass(p.node.childForFieldName('type')?.text ?? '') === cls,
    );
    if (own) return { className: cls, line: line(own.node), fromArguments: true };
    const assigned = findAll(fn, 'assignment').filter(
      (a) =>
        a.childForFieldName('left')?.text === arg.text &&
        a.startIndex < serviceCall.startIndex &&
        a.childForFieldName('right')?.type === 'call',
    );
    const last = assigned[assigned.length - 1];
    if (last) return describe(last.childForFieldName('right')!);
    return `${received.parameter} is passed ${arg.text}, which is not built in this function (a parameter, or built elsewhere)`;
  }
  return `${received.parameter} is passed \`${arg.text.split('\n')[0]}\` at line ${line(arg)}`;
}

/** Whether a function calls `name` (the service method) anywhere. */
export function callsFunction(fn: SyntaxNode, name: string): boolean {
  return findAll(fn, 'call').some((c) => callsNamed(c, name));
}

/**
 * The `ModelBuild` of a presentation function calling a receiving service, or the refusal naming what
 * was seen there and the spec key that settles it.
 */
export function requireModelBuild(
  fn: SyntaxNode,
  fnLabel: string,
  serviceCall: SyntaxNode,
  received: Received,
  method: string,
  i: number,
): ModelBuild {
  const build = modelBuild(fn, serviceCall, received);
  if (typeof build !== 'string') return build;
  return notFound(
    `the ${received.className}(...) that ${fnLabel} builds and passes to ${method}(...)`,
    `${fnLabel}: the argument of ${method}'s parameter ${received.parameter}, built in the call or assigned before it`,
    [],
    {
      seen: [build],
      settle: `set data_models.changes[${i}].service_method to a method that builds ${received.className}(...) from its parameters (the field is then passed to it), or build the ${received.className} in ${fnLabel} itself`,
    },
  );
}
