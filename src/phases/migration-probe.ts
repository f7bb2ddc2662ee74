/**
 * The migration checks of phase 2, run with the project's own code (the sqlite-migration-specialist's
 * "validate on a fresh database and on one created with the old schema"):
 *
 * - fresh database: the project's database class (or its module-level `connect(path)` factory) opens a
 *   new file in a temp folder the way its tests do; the new column must exist exactly once with the
 *   spec's definition (type, NOT NULL, default as `PRAGMA table_info` reports them);
 * - old database: the BASE code (the files as they were before the phase, written over a temp copy of
 *   the package) creates a database and a row is put in the table; then the NEW code initialises it
 *   twice: the column must exist exactly once with the spec's definition, and the old row must read
 *   back with the default.
 *
 * Which class, constructor parameter and opener: the rules of the generated tests (`db-recipe.ts`, the
 * same method names), applied at run time so that a database class inheriting `_run_migrations` from
 * a mixin and a path parameter with a default (a data file under HOME) are handled: the temp path is
 * always passed, and a class that takes no path is a failed check, never a database opened elsewhere.
 * Anything that cannot run is a failed check with its reason.
 */
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AnchorMap } from '../analysis/anchor-map';
import { columnDefinition } from '../codemods/field';
import type { FieldChange } from '../spec/feature-spec';
import { CLOSE_NAMES, OPEN_NAMES } from '../testgen/db-recipe';
import type { PhaseEditResult } from './contract';
import { worktreeSysPath } from './model-probe';
import { makeTempDir } from '../process/temp-dir';
import { runProbe, type ProbeControl } from './python-probe';

type Check = PhaseEditResult['checks'][number];

const SCRIPT = String.raw`
import asyncio, importlib, inspect, pathlib, re, sqlite3, typing

OPEN, CLOSE = req["openNames"], req["closeNames"]
PATHLIKE = re.compile(r"path|file|db|database|location|uri|url|dsn", re.I)
VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
loop = asyncio.new_event_loop()

class Refusal(Exception):
    pass

def call(value):
    """Runs an awaitable on the probe's one loop (sync code runs outside any running loop)."""
    return loop.run_until_complete(value) if inspect.isawaitable(value) else value

def own_params(fn):
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    if params and params[0].name in ("self", "cls") and inspect.isfunction(fn):
        params = params[1:]
    return params

def method(target, names):
    """First of names that target has and that needs no argument (the rule of the generated tests)."""
    for name in names:
        fn = getattr(target, name, None)
        params = own_params(fn) if callable(fn) else None
        if params is not None and all(p.default is not p.empty or p.kind in VARIADIC for p in params):
            return name
    return None

def hints(fn):
    try:
        return typing.get_type_hints(fn)
    except Exception:
        return getattr(fn, "__annotations__", {}) or {}

def path_value(path, hint, default=inspect.Parameter.empty):
    wants_path = "Path" in str(hint) or isinstance(default, pathlib.PurePath)
    return pathlib.Path(path) if wants_path else str(path)

def subclasses(base):
    """base's subclasses in the package: a database class may inherit _run_migrations from a mixin."""
    pattern = re.compile(r"^\s*class\s+\w+\s*\([^)]*\b" + re.escape(base.__name__) + r"\b", re.M)
    top = req["sysPath"][0]
    for dirpath, dirnames, filenames in os.walk(os.path.join(top, req["package"])):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for filename in sorted(filenames):
            if not filename.endswith(".py"):
                continue
            file = os.path.join(dirpath, filename)
            try:
                with open(file, encoding="utf-8", errors="replace") as fh:
                    if not pattern.search(fh.read()):
                        continue
            except OSError:
                continue
            module = os.path.relpath(file, top)[:-3].replace(os.sep, ".")
            if module.endswith(".__init__"):
                module = module[: -len(".__init__")]
            importlib.import_module(module)
    found, pending = [], [base]
    while pending:
        for sub in pending.pop(0).__subclasses__():
            if sub not in found:
                found.append(sub)
                pending.append(sub)
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__))

def database_class():
    module = importlib.import_module(req["module"])
    elsewhere = imported_from(module)
    if elsewhere:
        raise Refusal(f"{req['module']} was imported from {elsewhere}, not from the code under test")
    base = getattr(module, req["className"])
    for cls in [base, *subclasses(base)]:
        opener = method(cls, OPEN)
        if opener:
            return cls, opener
    return base, None

def construct(cls, path):
    params = [p for p in (own_params(cls.__init__) or []) if p.kind not in VARIADIC]
    required = [p for p in params if p.default is p.empty]
    if len(required) > 1:
        raise Refusal(f"{cls.__name__}({', '.join(p.name for p in required)}) needs more than a database path")
    target = required[0] if required else next((p for p in params if PATHLIKE.search(p.name)), None)
    if target is None:
        raise Refusal(f"cannot give {cls.__name__} a temporary database: its constructor takes no path parameter")
    value = path_value(path, hints(cls.__init__).get(target.name, target.annotation), target.default)
    if target.kind == inspect.Parameter.POSITIONAL_ONLY:
        return cls(value), f"{cls.__name__}({target.name}=<temp file>)"
    return cls(**{target.name: value}), f"{cls.__name__}({target.name}=<temp file>)"

def factory():
    """The module's function that opens a connection on a path (the rule of the generated tests)."""
    module = importlib.import_module(req["module"])
    elsewhere = imported_from(module)
    if elsewhere:
        raise Refusal(f"{req['module']} was imported from {elsewhere}, not from the code under test")
    found = []
    for name, fn in vars(module).items():
        if not inspect.isfunction(fn) or fn.__module__ != module.__name__:
            continue
        params = [p for p in inspect.signature(fn).parameters.values() if p.kind not in VARIADIC]
        required = [p for p in params if p.default is p.empty]
        if len(required) != 1:
            continue
        h = hints(fn)
        hint = h.get(required[0].name, required[0].annotation)
        if hint not in (inspect.Parameter.empty, typing.Any, str) and "str" not in str(hint) and "Path" not in str(hint):
            continue
        returns = h.get("return", inspect.signature(fn).return_annotation)
        if returns in (None, type(None), inspect.Signature.empty):
            continue
        found.append((name not in OPEN, name, fn, hint))
    if not found:
        raise Refusal(f"no function of {req['module']} opens a database on a path (one path parameter, returns a connection)")
    _, name, fn, hint = sorted(found, key=lambda x: x[:2])[0]
    return name, fn, hint

def initialise(path):
    """Opens path the way the project's tests do, then closes it; returns what was called."""
    obj, done = None, ""
    try:
        if req.get("className"):
            cls, opener = database_class()
            obj, done = construct(cls, path)
            if opener:
                call(getattr(obj, opener)())
                done += f".{opener}()"
        else:
            name, fn, hint = factory()
            obj = call(fn(path_value(path, hint)))
            done = f"{name}(<temp file>)"
    finally:
        closer = method(obj, CLOSE) if obj is not None else None
        if closer:
            try:
                call(getattr(obj, closer)())
            except Exception:
                if done:
                    raise
    if not os.path.exists(path):
        raise Refusal(f"{done} did not create the database file it was given")
    return done + (f" then .{closer}()" if closer else "")

def quote(name):
    return '"' + name.replace('"', '""') + '"'

def table_info(con):
    return con.execute(f"PRAGMA table_info({quote(req['table'])})").fetchall()

def value_of(con, sql_default):
    return None if sql_default is None else con.execute(f"SELECT {sql_default}").fetchone()[0]

def expected():
    con = sqlite3.connect(":memory:")
    con.execute(f"CREATE TABLE _expected (_probe_id INTEGER PRIMARY KEY, {req['definition']})")
    row = [r for r in table_info_of(con, "_expected") if r[1].lower() == req["column"].lower()][0]
    return {"type": row[2].upper(), "notnull": row[3], "default_sql": row[4], "default": value_of(con, row[4])}

def table_info_of(con, table):
    return con.execute(f"PRAGMA table_info({quote(table)})").fetchall()

def shown(row):
    text = f"{row[1]} {row[2]}" + (" NOT NULL" if row[3] else "")
    return text + (f" DEFAULT {row[4]}" if row[4] is not None else "")

def column_problem(con, want):
    """None when the table has the column once, with the spec's definition; else what was seen."""
    rows = table_info(con)
    if not rows:
        return f"there is no table {req['table']}"
    same = [r for r in rows if r[1].lower() == req["column"].lower()]
    if not same:
        return f"{req['table']} has no column {req['column']} (its columns: {', '.join(r[1] for r in rows)})"
    if len(same) > 1:
        return f"{req['table']} has {len(same)} columns named {req['column']}: {[shown(r) for r in same]}"
    row = same[0]
    seen = {"type": row[2].upper(), "notnull": row[3], "default": value_of(con, row[4])}
    if any(seen[k] != want[k] for k in seen):
        return f"{req['table']}.{row[1]} is {shown(row)!r}, the spec says {req['definition']!r}"
    return None

def dummy(decl, name):
    """A value SQLite (STRICT tables too) takes for the declared type; dates as ISO text."""
    t = (decl or "").upper()
    when = "2024-01-02T03:04:05+00:00"
    if "INT" in t:
        return 1
    if any(k in t for k in ("CHAR", "CLOB", "TEXT")) or t in ("", "ANY"):
        return when if name.endswith("_at") else f"probe-{name}"
    if "BLOB" in t:
        return b"probe"
    if any(k in t for k in ("REAL", "FLOA", "DOUB")):
        return 1.5
    if any(k in t for k in ("DATE", "TIME")):
        return when
    return 1

def insert_row(con):
    """A row in the table: a value for every key column and every NOT NULL column without a default."""
    rows = table_info(con)
    if not rows:
        raise Refusal(f"the base code did not create the table {req['table']}")
    sql = (con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE", (req["table"],)).fetchone() or [""])[0] or ""
    rowid = "WITHOUT ROWID" not in sql.upper()
    keys = [r for r in rows if r[5]]
    alias = rowid and len(keys) == 1 and keys[0][2].upper() == "INTEGER"
    values = {}
    for r in rows:
        if (r[5] and not alias) or (r[3] and r[4] is None and not r[5]):
            values[r[1]] = dummy(r[2], r[1])
    names = list(values)
    try:
        if names:
            cur = con.execute(f"INSERT INTO {quote(req['table'])} ({', '.join(map(quote, names))}) VALUES ({', '.join('?' * len(names))})", [values[n] for n in names])
        else:
            cur = con.execute(f"INSERT INTO {quote(req['table'])} DEFAULT VALUES")
        con.commit()
    except sqlite3.Error as exc:
        raise Refusal(f"could not put a row into {req['table']} ({', '.join(names)}): {describe_error(exc)}")
    if rowid:
        return {"where": "rowid = ?", "params": [cur.lastrowid]}
    return {"where": " AND ".join(f"{quote(r[1])} = ?" for r in keys), "params": [values[r[1]] for r in keys]}

def step(fn):
    try:
        return fn(), None
    except Refusal as exc:
        return None, str(exc)
    except BaseException as exc:
        return None, where(exc)

out = {}
if req["mode"] == "base":
    def make_old():
        opened = initialise(req["old"])
        con = sqlite3.connect(req["old"])
        try:
            had = any(r[1].lower() == req["column"].lower() for r in table_info(con))
            return {"opened": opened, "key": insert_row(con), "had_column": had}
        finally:
            con.close()
    out["base"], out["error"] = step(make_old)
    emit(out)

want, error = step(expected)
if error:
    emit({"error": f"the spec's definition {req['definition']!r} is not valid SQLite: {error}"})
out["expected"] = want

def check_fresh():
    opened = initialise(req["fresh"])
    con = sqlite3.connect(req["fresh"])
    try:
        return {"opened": opened, "problem": column_problem(con, want)}
    finally:
        con.close()
out["fresh"], out["fresh_error"] = step(check_fresh)

def check_old():
    opened = [initialise(req["old"]) for _ in range(2)]
    con = sqlite3.connect(req["old"])
    try:
        problem = column_problem(con, want)
        if problem:
            return {"opened": opened[0], "problem": problem}
        key = req["key"]
        name = [r[1] for r in table_info(con) if r[1].lower() == req["column"].lower()][0]
        row = con.execute(f"SELECT {quote(name)} FROM {quote(req['table'])} WHERE {key['where']}", key["params"]).fetchone()
        if row is None:
            return {"opened": opened[0], "problem": f"the row the base code's database held is gone from {req['table']}"}
        if row[0] != want["default"]:
            return {"opened": opened[0], "problem": f"the old row reads back {req['column']} = {row[0]!r}, expected the default {want['default']!r}"}
        return {"opened": opened[0], "problem": None, "value": row[0]}
    finally:
        con.close()
if req.get("old"):
    out["old"], out["old_error"] = step(check_old)
emit(out)
`;

interface BaseOut {
  base?: { opened: string; key: unknown; had_column: boolean };
  error?: string | null;
}

interface Verdict {
  opened: string;
  problem: string | null;
  value?: unknown;
}

interface NewOut {
  error?: string;
  expected?: { type: string; notnull: number; default_sql: string | null; default: unknown };
  fresh?: Verdict | null;
  fresh_error?: string | null;
  old?: Verdict | null;
  old_error?: string | null;
}

/**
 * A temp copy of the package with the files as they were before the phase (`originals`, relative to
 * the root): the base code. Returns the folder to put first on sys.path, or why it cannot be made.
 */
async function baseTree(
  root: string,
  map: AnchorMap,
  originals: Map<string, string | Buffer>,
  into: string,
): Promise<string | undefined> {
  const sourceRoot = path.resolve(root, map.sourceRoot || '.');
  await cp(path.join(sourceRoot, map.package), path.join(into, map.package), {
    recursive: true,
    filter: (src) => !/(__pycache__|\.pyc)$/.test(src),
  });
  for (const [file, text] of originals) {
    const rel = path.relative(sourceRoot, path.resolve(root, file));
    if (rel.startsWith('..') || path.isAbsolute(rel))
      return `${file} is outside the source root ${map.sourceRoot}: the base code cannot be rebuilt`;
    await mkdir(path.dirname(path.join(into, rel)), { recursive: true });
    await writeFile(path.join(into, rel), text);
  }
  return undefined;
}

/**
 * Runs both migration checks of change `i` on the worktree at `root`; `originals` holds the files
 * the phase changed, as they were before it.
 */
export async function migrationProbe(
  python: string,
  root: string,
  map: AnchorMap,
  i: number,
  change: FieldChange,
  originals: Map<string, string | Buffer>,
  control: ProbeControl = {},
): Promise<Check[]> {
  const a = map.changes[i]!;
  const fresh = `fresh database: ${a.table}.${a.field} once, as the spec defines it`;
  const old = `old database: ${a.table}.${a.field} added twice-safely, the old row reads back the default`;
  let definition: string;
  try {
    definition = columnDefinition(
      { ...change, enums: Object.fromEntries(a.enums.map((e) => [e.className, e.members])) },
      a.sqlType,
    );
  } catch (err) {
    const detail = `no column definition for the spec: ${(err as Error).message}`;
    return [
      { name: fresh, passed: false, detail },
      { name: old, passed: false, detail },
    ];
  }
  const temp = await makeTempDir('migration');
  const scratch = temp.path;
  try {
    const request = {
      package: map.package,
      module: a.migrations.module,
      className: a.migrations.className ?? null,
      openNames: OPEN_NAMES,
      closeNames: CLOSE_NAMES,
      table: a.table,
      column: a.field,
      definition,
      fresh: path.join(scratch, 'fresh.db'),
      old: path.join(scratch, 'old.db'),
    };
    // Read once, when the first probe runs (a Python that cannot run fails both checks, with its reason).
    let newPathRead: Promise<string[]> | undefined;
    const newPath = () => (newPathRead ??= worktreeSysPath(python, root, map, control.signal));
    const basePath = path.join(scratch, 'base');
    let oldReason = await baseTree(root, map, originals, basePath).catch(
      (err: unknown) => `could not copy the base code to a temp folder: ${(err as Error).message}`,
    );
    let key: unknown;
    let baseOpened = '';
    if (!oldReason) {
      const base = await runProbe<BaseOut>(
        python,
        SCRIPT,
        { ...request, mode: 'base' },
        {
          sysPath: async () => [basePath, ...(await newPath())],
          label: `the base code's ${a.migrations.file}`,
          ...control,
        },
      );
      if (!base.ok) oldReason = base.reason;
      else if (!base.out.base) oldReason = `the base code could not make a database: ${base.out.error}`;
      else {
        key = base.out.base.key;
        baseOpened = base.out.base.opened;
      }
    }
    const run = await runProbe<NewOut>(
      python,
      SCRIPT,
      { ...request, mode: 'new', old: oldReason ? null : request.old, key },
      { sysPath: newPath, label: `the migration check of ${a.table}.${a.field}`, ...control },
    );
    if (!run.ok || run.out.error) {
      const detail = run.ok ? run.out.error! : run.reason;
      return [
        { name: fresh, passed: false, detail },
        { name: old, passed: false, detail: oldReason ?? detail },
      ];
    }
    const out = run.out;
    const freshCheck: Check = out.fresh
      ? {
          name: fresh,
          passed: out.fresh.problem === null,
          detail: `${out.fresh.opened}: ${out.fresh.problem ?? `${a.table}.${a.field} is ${definition}`}`,
        }
      : {
          name: fresh,
          passed: false,
          detail: `the project's code could not open a new database: ${out.fresh_error}`,
        };
    const oldCheck: Check = oldReason
      ? { name: old, passed: false, detail: oldReason }
      : out.old
        ? {
            name: old,
            passed: out.old.problem === null,
            detail: `made by the base code's ${baseOpened}, opened twice by ${out.old.opened}: ${
              out.old.problem ?? `${a.field} exists once, the old row reads ${JSON.stringify(out.old.value)}`
            }`,
          }
        : {
            name: old,
            passed: false,
            detail: `the new code could not open a database made by the base code: ${out.old_error}`,
          };
    return [freshCheck, oldCheck];
  } finally {
    await temp.remove();
  }
}
