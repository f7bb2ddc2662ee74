/**
 * How the generated tests open the project's database on a file and close it: the Database class of
 * `_run_migrations` with its initialize/close methods, or — when the migrations are module-level —
 * the module's factory that opens a connection on a path (`connect(path)`). The path is always passed,
 * even when the parameter has a default: the tests never touch the user's data.
 */
import type { FieldAnchors } from '../analysis/anchor-map';
import type { CallableInfo, ClassInfo, ParamInfo, ProjectFacts } from '../python/introspect';
import { fail } from './generation-error';
import type { ImportSet } from './python-text';

export interface DbRecipe {
  /** `module:Class` of the object the other classes take (the Database class or the connection type). */
  typeKey: string;
  /**
   * The callable that opens the database (class or factory name, as the project's code calls it) and
   * its path parameter: every construction of ours passes a temporary file there, and a conftest
   * fixture is reused only when its own call does the same.
   */
  opener: { callee: string; pathParam: string; pathIndex: number };
  /** Statements opening it on `pathExpr` into variable `name`. */
  open: (name: string, pathExpr: string) => string[];
  close: (name: string) => string[];
  /** Python annotation of the object, when it can be named. */
  annotation?: string;
}

/**
 * The database cannot be opened on a temporary file: no test may open it (it would use the project's
 * own data file). The generator then writes no database test and says why.
 */
export class NoDatabasePath extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export const OPEN_NAMES = ['initialize', 'init', 'connect', 'open', 'setup', 'start', 'init_db', 'create'];
export const CLOSE_NAMES = ['close', 'aclose', 'disconnect', 'shutdown', 'dispose'];

const key = (module: string, name: string) => `${module}:${name}`;

function pickMethod(
  info: ClassInfo | undefined,
  names: string[],
): { name: string; m: CallableInfo } | undefined {
  if (!info) return undefined;
  for (const name of names) {
    const m = info.methods[name];
    if (m && m.params.every((p) => !p.required)) return { name, m };
  }
  return undefined;
}

const PATH_NAME = /(^|_)(path|file|filename|db|database|dbfile|dsn|uri|url|location|dir|directory)($|_)/i;

/**
 * The parameter that says where the database lives — whether or not it has a default (a default such
 * as `~/.app/data.db` is the user's real data: a test must never fall back on it). A `Path` parameter,
 * one whose default is a path, or a `str`/unannotated one named like a path; else the only required
 * text parameter.
 */
export function pathParameter(params: ParamInfo[]): { param: ParamInfo; index: number } | undefined {
  const usable = params.filter((p) => p.kind === 'positional' || p.kind === 'keyword_only');
  const typed = usable.findIndex((p) => p.type.kind === 'path' || p.default?.kind === 'path');
  const index =
    typed >= 0
      ? typed
      : usable.findIndex((p) => ['str', 'any', 'unknown'].includes(p.type.kind) && PATH_NAME.test(p.name));
  if (index >= 0) return { param: usable[index]!, index };
  // A single required text parameter, whatever its name (`connect(target)`).
  const required = usable.filter((p) => p.required);
  const only =
    required.length === 1 && ['str', 'any'].includes(required[0]!.type.kind) ? required[0] : undefined;
  return only ? { param: only, index: usable.indexOf(only) } : undefined;
}

/** `Class(path)` / `Class(other=..., path=path)`: positional when it is the first parameter. */
function pathArg(found: { param: ParamInfo; index: number }, pathExpr: string): string {
  const value = found.param.type.kind === 'str' ? `str(${pathExpr})` : pathExpr;
  return found.index === 0 && found.param.kind === 'positional' ? value : `${found.param.name}=${value}`;
}

/** Required parameters other than the path: the recipe cannot fill them. */
function otherRequired(params: ParamInfo[], pathParamName: string): ParamInfo[] {
  return params.filter(
    (p) => p.required && p.name !== pathParamName && (p.kind === 'positional' || p.kind === 'keyword_only'),
  );
}

/**
 * The class a test instantiates for the migrations class: itself, or — when it is a mixin without a
 * path of its own — the project's class that inherits it and takes the path (the one other classes
 * are annotated with first).
 */
function databaseClass(migKey: string, facts: ProjectFacts): ClassInfo {
  const declared = facts.classes[migKey]!;
  if (pathParameter(declared.init)) return declared;
  const used = new Set(
    Object.values(facts.classes).flatMap((c) =>
      c.init.flatMap((p) => (p.type.cls ? [key(p.type.cls.module, p.type.cls.name)] : [])),
    ),
  );
  const heirs = Object.entries(facts.classes)
    .filter(([, c]) => c.bases?.includes(migKey) && pathParameter(c.init))
    .sort(([a], [b]) => Number(used.has(b)) - Number(used.has(a)) || a.localeCompare(b));
  return heirs[0]?.[1] ?? declared;
}

export function dbRecipe(change: FieldAnchors, facts: ProjectFacts, imports: ImportSet): DbRecipe {
  const mig = change.migrations;
  if (mig.className) {
    const migKey = key(mig.module, mig.className);
    const declared = facts.classes[migKey];
    if (!declared) fail(`could not describe the database class ${mig.className} in ${mig.file}`);
    const info = databaseClass(migKey, facts);
    const where = `${info.name} (${info.module})`;
    const found = pathParameter(info.init);
    if (!found)
      throw new NoDatabasePath(
        `${where} takes no database path (${info.init.map((p) => p.name).join(', ') || 'no parameters'}), so a test cannot point it at a temporary file`,
      );
    const others = otherRequired(info.init, found.param.name);
    if (others.length > 0)
      throw new NoDatabasePath(
        `${where} needs ${others.map((p) => p.name).join(', ')} besides its path ${found.param.name}`,
      );
    const opener = pickMethod(info, OPEN_NAMES);
    const closer = pickMethod(info, CLOSE_NAMES);
    const aw = (m?: CallableInfo) => (m?.async ? 'await ' : '');
    return {
      typeKey: key(info.module, info.name),
      opener: { callee: info.name, pathParam: found.param.name, pathIndex: found.index },
      annotation: info.name,
      open: (name, pathExpr) => {
        imports.name(info.module, info.name);
        return [
          `${name} = ${info.name}(${pathArg(found, pathExpr)})`,
          ...(opener ? [`${aw(opener.m)}${name}.${opener.name}()`] : []),
        ];
      },
      close: (name) => (closer ? [`${aw(closer.m)}${name}.${closer.name}()`] : []),
    };
  }
  // Module-level migrations: the module's factory that opens a connection on a path.
  const factories = Object.entries(facts.functions)
    .filter(([k, f]) => k.startsWith(`${mig.module}:`) && f.returns.kind === 'class')
    .flatMap(([k, f]) => {
      const found = pathParameter(f.params);
      return found && otherRequired(f.params, found.param.name).length === 0 ? [{ k, f, found }] : [];
    })
    .sort((a, b) => a.k.localeCompare(b.k));
  const chosen = factories[0];
  if (!chosen)
    throw new NoDatabasePath(
      `no function in ${mig.file} opens a database on a path given to it (e.g. connect(path))`,
    );
  const { f: factory, found } = chosen;
  const fnName = chosen.k.split(':')[1]!;
  const returned = factory.returns.cls!;
  return {
    typeKey: key(returned.module, returned.name),
    opener: { callee: fnName, pathParam: found.param.name, pathIndex: found.index },
    open: (name, pathExpr) => {
      imports.name(mig.module, fnName);
      return [`${name} = ${factory.async ? 'await ' : ''}${fnName}(${pathArg(found, pathExpr)})`];
    },
    // An aiosqlite/sqlite3 connection closes with close().
    close: (name) => [`await ${name}.close()`],
  };
}
