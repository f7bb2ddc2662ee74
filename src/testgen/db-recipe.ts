/**
 * How the generated tests open the project's database on a file and close it: the Database class of
 * `_run_migrations` with its initialize/close methods, or — when the migrations are module-level —
 * the module's factory that opens a connection on a path (`connect(path)`).
 */
import type { FieldAnchors } from '../analysis/anchor-map';
import type { CallableInfo, ClassInfo, ParamInfo, ProjectFacts } from '../python/introspect';
import { fail } from './generation-error';
import type { ImportSet } from './python-text';

export interface DbRecipe {
  /** `module:Class` of the object the other classes take (the Database class or the connection type). */
  typeKey: string;
  /** Statements opening it on `pathExpr` into variable `name`. */
  open: (name: string, pathExpr: string) => string[];
  close: (name: string) => string[];
  /** Python annotation of the object, when it can be named. */
  annotation?: string;
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

function pathArg(param: ParamInfo | undefined, pathExpr: string): string {
  return param && param.type.kind === 'str' ? `str(${pathExpr})` : pathExpr;
}

export function dbRecipe(change: FieldAnchors, facts: ProjectFacts, imports: ImportSet): DbRecipe {
  const mig = change.migrations;
  if (mig.className) {
    const info = facts.classes[key(mig.module, mig.className)];
    if (!info) fail(`could not describe the database class ${mig.className} in ${mig.file}`);
    const pathParam = info.init.find((p) => p.required);
    const opener = pickMethod(info, OPEN_NAMES);
    const closer = pickMethod(info, CLOSE_NAMES);
    const aw = (m?: CallableInfo) => (m?.async ? 'await ' : '');
    return {
      typeKey: key(mig.module, mig.className),
      annotation: mig.className,
      open: (name, pathExpr) => {
        imports.name(mig.module, mig.className!);
        return [
          `${name} = ${mig.className}(${pathParam ? pathArg(pathParam, pathExpr) : ''})`,
          ...(opener ? [`${aw(opener.m)}${name}.${opener.name}()`] : []),
        ];
      },
      close: (name) => (closer ? [`${aw(closer.m)}${name}.${closer.name}()`] : []),
    };
  }
  // Module-level migrations: the module's factory that opens a connection on a path.
  const factories = Object.entries(facts.functions)
    .filter(
      ([k, f]) =>
        k.startsWith(`${mig.module}:`) &&
        f.returns.kind === 'class' &&
        f.params.filter((p) => p.required).length === 1,
    )
    .filter(([, f]) => ['str', 'path', 'any'].includes(f.params.find((p) => p.required)!.type.kind))
    .sort(([a], [b]) => a.localeCompare(b));
  const [factoryKey, factory] =
    factories[0] ?? fail(`no function in ${mig.file} opens a database on a path`, { module: mig.module });
  const fnName = factoryKey.split(':')[1]!;
  const returned = factory.returns.cls!;
  return {
    typeKey: key(returned.module, returned.name),
    open: (name, pathExpr) => {
      imports.name(mig.module, fnName);
      return [
        `${name} = ${factory.async ? 'await ' : ''}${fnName}(${pathArg(
          factory.params.find((p) => p.required),
          pathExpr,
        )})`,
      ];
    },
    // An aiosqlite/sqlite3 connection closes with close().
    close: (name) => [`await ${name}.close()`],
  };
}
