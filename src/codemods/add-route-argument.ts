/**
 * Phase 4 for a FastAPI route: passes the new field from the route's request model to the service
 * call (`field=body.field`), and where the route builds its response model field by field
 * (`BookmarkOut(id=b.id, ...)`), the field there too. The request and response models themselves get
 * the field from `add-pydantic-field`.
 */
import { z } from 'zod';
import type { SyntaxNode } from '../python-syntax/parse';
import { findAll, parsePython } from '../python-syntax/parse';
import { appendKeywordArgument, keywordArguments } from '../python-syntax/sequence';
import { CodemodRefusal, finish, unchanged, type Codemod, type Edit } from './codemod';
import { findFunction } from './add-column-migration';
import { methodCall, modelConstructorCall } from './add-handler-argument';
import { fieldOptionsSchema } from './field';

const options = fieldOptionsSchema.extend({
  /** The route function (module level, sync or async). */
  route: z.string(),
  serviceMethod: z.string(),
  /** The route's request-model parameter, e.g. `body`; absent when the route takes none. */
  bodyVar: z.string().optional(),
  /** The response model class, when the route declares one other than the domain model. */
  responseModel: z.string().optional(),
  /**
   * The class the route builds and hands to a service that receives it (`service.create(Task(...))`):
   * the field goes into that constructor call instead of the service call.
   */
  modelConstructor: z.string().optional(),
});

/** `**body.model_dump()`, `**body.dict()`, `**vars(body)`: the call already passes every field of the body. */
function splatsBody(args: SyntaxNode, body: string): boolean {
  return args.namedChildren.some(
    (a) =>
      a.type === 'dictionary_splat' &&
      new RegExp(
        `^\\*\\*\\s*(${body}\\.(model_dump|dict)\\(|vars\\(\\s*${body}\\s*\\)|${body}\\.__dict__)`,
      ).test(a.text),
  );
}

/** `Out(id=b.id, ...)` → `b`: the object every `x=<obj>.x` keyword reads from. */
function sourceObject(kwargs: Map<string, SyntaxNode>): string | undefined {
  const objects = new Set<string>();
  for (const [name, value] of kwargs) {
    const m = new RegExp(`^([\\w.]+)\\.${name}\\b`).exec(value.text);
    if (m) objects.add(m[1]!);
  }
  return objects.size === 1 ? [...objects][0] : undefined;
}

export const addRouteArgument: Codemod<z.infer<typeof options>> = {
  id: 'add-route-argument',
  description:
    "In a FastAPI route, passes the field from the request model to the service call (`field=body.field`; nothing when the call already passes `**body.model_dump()` or the body itself) — for a service that receives the model built, to the route's one `Model(...)` call instead (nothing when it is built from the body whole or the body is passed on) — and adds it to a response model the route builds keyword by keyword from one object; refuses a route without a request model and a service called more than once.",
  options,
  transform(source, p) {
    const root = parsePython(source).rootNode;
    const fn = findFunction(root, p.route);
    if (!fn) throw new CodemodRefusal(`route ${p.route} not found`);
    const call = methodCall(fn, p.serviceMethod);
    if (!call) throw new CodemodRefusal(`route ${p.route} does not call ${p.serviceMethod}(...)`);
    const edits: Edit[] = [];
    const changes: string[] = [];
    const notes: string[] = [];
    // A service receiving the model: the field goes into the model the route builds for it (a route
    // passing its body of that class on has nothing to do: the body carries the field).
    const passesOwnBody =
      p.modelConstructor !== undefined &&
      p.bodyVar !== undefined &&
      call
        .childForFieldName('arguments')!
        .namedChildren.some(
          (a) =>
            a.text === p.bodyVar ||
            (a.type === 'keyword_argument' && a.childForFieldName('value')?.text === p.bodyVar),
        );
    const built =
      p.modelConstructor && !passesOwnBody
        ? modelConstructorCall(fn, p.modelConstructor, `route ${p.route}`)
        : { call };
    if ('whole' in built) notes.push(`${built.whole}: ${p.field} arrives with the body`);
    const target = 'whole' in built ? undefined : built.call;
    const callee = p.modelConstructor && !passesOwnBody ? p.modelConstructor : p.serviceMethod;
    const args = (target ?? call).childForFieldName('arguments')!;
    const kwargs = keywordArguments(args);
    if (!p.bodyVar) {
      throw new CodemodRefusal(
        `route ${p.route} takes no Pydantic request model (its arguments are query or path parameters): routes without a request body are not supported yet — give the route a request model, or add ${p.field} by hand`,
      );
    }
    const body = p.bodyVar;
    const passesBody = args.namedChildren.some(
      (a) =>
        a.text === body || (a.type === 'keyword_argument' && a.childForFieldName('value')?.text === body),
    );
    // (No target: the model is built from the body whole, noted above.)
    if (!target) void 0;
    else if (kwargs.has(p.field)) notes.push(`${p.route} already passes ${p.field}`);
    else if (splatsBody(args, body)) notes.push(`${p.route} passes every field of ${body} already`);
    else if (passesBody) notes.push(`${p.route} passes ${body} itself to ${callee}`);
    else {
      edits.push(appendKeywordArgument(source, args, `${p.field}=${body}.${p.field}`));
      changes.push(`${p.route}: ${callee}(..., ${p.field}=${body}.${p.field})`);
    }
    if (p.responseModel) {
      const builds = findAll(fn, 'call').filter(
        (c) => c.childForFieldName('function')?.text === p.responseModel,
      );
      for (const b of builds) {
        const bargs = b.childForFieldName('arguments')!;
        const bkw = keywordArguments(bargs);
        if (bkw.has(p.field) || bargs.namedChildren.some((a) => a.type === 'dictionary_splat')) continue;
        const obj = sourceObject(bkw);
        if (!obj)
          throw new CodemodRefusal(
            `${p.route} builds ${p.responseModel}(...) at line ${b.startPosition.row + 1} from no single object (${[...bkw.keys()].join(', ') || 'no keywords'}): add ${p.field} there by hand`,
          );
        edits.push(appendKeywordArgument(source, bargs, `${p.field}=${obj}.${p.field}`));
        changes.push(`${p.route}: ${p.responseModel}(..., ${p.field}=${obj}.${p.field})`);
      }
    }
    if (edits.length === 0) return unchanged(source, notes.join('; '));
    return finish(source, edits, changes);
  },
};
