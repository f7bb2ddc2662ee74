/**
 * Imports the target project with its own interpreter and reports the runtime facts the test
 * generator needs and a syntax tree cannot give reliably: which model fields are required and with
 * what constraints, the signatures (resolved type hints) of the service, database, repository and
 * tool-server classes and of module-level serializers. Fields and parameters named in `exclude` (the
 * feature's own fields) are left out, so the facts — and the generated tests — are the same before
 * and after the edit.
 */
import { parseMarkedJson, runProcess } from './run-process';

export interface TypeDesc {
  kind:
    | 'str'
    | 'int'
    | 'float'
    | 'bool'
    | 'datetime'
    | 'date'
    | 'UUID'
    | 'enum'
    | 'list'
    | 'dict'
    | 'path'
    | 'class'
    | 'none'
    | 'any'
    | 'unknown';
  nullable: boolean;
  item?: TypeDesc;
  key?: TypeDesc;
  value?: TypeDesc;
  enum?: { module: string; name: string; members: { name: string; value: unknown }[] };
  cls?: { module: string; name: string };
  constraints?: Record<string, number | string>;
}

export interface ParamInfo {
  name: string;
  kind: 'positional' | 'keyword_only' | 'args' | 'kwargs';
  required: boolean;
  type: TypeDesc;
  /** The default of an optional parameter: its repr and the kind of its value (`path`, `str`, ...). */
  default?: { repr: string; kind: TypeDesc['kind'] };
  /**
   * Where an unannotated (or unresolvable) parameter's class was learned: a call of the class in the
   * project's tests or code (`tests/conftest.py:18`).
   */
  learnedFrom?: string;
}

export interface CallableInfo {
  params: ParamInfo[];
  returns: TypeDesc;
  async: boolean;
  /** staticmethod / classmethod: callable on the class itself. */
  static: boolean;
}

export interface ClassInfo {
  module: string;
  name: string;
  /** The project's classes it inherits from (`module:Class`, nearest first): a mixin's users list it. */
  bases?: string[];
  init: ParamInfo[];
  methods: Record<string, CallableInfo>;
  asyncContextManager: boolean;
}

export interface ModelFieldFacts {
  name: string;
  required: boolean;
  type: TypeDesc;
}

export interface ProjectFacts {
  model: { module: string; name: string; fields: ModelFieldFacts[] };
  /** Keyed `module:Class`. */
  classes: Record<string, ClassInfo>;
  /** Module-level functions, keyed `module:function`. */
  functions: Record<string, CallableInfo>;
  /**
   * A valid JSON-able value for each required model field and each required parameter of the service
   * method (keyed `model.<name>` / `param.<name>`), validated by Pydantic; taken from the project's own
   * tests when they hold one (patterns cannot be guessed), else synthesized.
   */
  examples: Record<string, unknown>;
}

export interface IntrospectionRequest {
  /** Entries added to sys.path, relative to the root (e.g. `src`). */
  sysPath: string[];
  model: { module: string; name: string };
  /** Field / parameter names to leave out (the feature's new fields). */
  exclude: string[];
  /** Classes to describe; classes their constructors take are described too. */
  classes: { module: string; name: string }[];
  /**
   * Classes whose subclasses in the project are described too: the database class that inherits a
   * migrations mixin is the one a test builds.
   */
  subclassesOf?: { module: string; name: string }[];
  functions: { module: string; name: string }[];
  /** Module-level functions of these modules are described too (e.g. a `connect(path)` factory). */
  modules: string[];
  /** The service method whose required parameters need example values. */
  /** `name` is the class; absent for a module-level function. */
  serviceMethod?: { module: string; name?: string; method: string };
  /** Tests folder to harvest example values from (literals keyed by field name). */
  testsFolder?: string;
  /**
   * Folders (relative to the root) whose calls of the project's classes teach the class of a parameter
   * that has no usable annotation: `Clock(ranker)` where `ranker = TagRanker(db)`. The tests folder
   * and the package are scanned; the first call found wins, tests first.
   */
  constructionFolders?: string[];
  /** Files containing this text are generated ones and are not harvested. */
  generatedMarker: string;
}

const SCRIPT = String.raw`
MARKER = "@@specialist-json@@"
import enum, importlib, inspect, json, os, sys, typing, types, datetime as dt, uuid, pathlib
req = json.load(sys.stdin)
for entry in reversed(req["sysPath"]):
    sys.path.insert(0, os.path.abspath(entry))
exclude = set(req["exclude"])
CONSTRAINTS = ("max_length", "min_length", "ge", "gt", "le", "lt", "multiple_of", "pattern")

def jsonable(value):
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)

def describe(tp, constraints=None):
    nullable = False
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        args = typing.get_args(tp)
        tp, origin = args[0], typing.get_origin(args[0])
    if origin in (typing.Union, getattr(types, "UnionType", None)):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(tp))
        if len(args) == 1:
            d = describe(args[0], constraints)
            d["nullable"] = d["nullable"] or nullable
            return d
        if all(a is str or (isinstance(a, type) and issubclass(a, (pathlib.PurePath, os.PathLike))) for a in args):
            return {"kind": "path", "nullable": nullable}  # str | Path: a Path is accepted
        return {"kind": "unknown", "nullable": nullable}
    d = {"nullable": False}
    if constraints:
        d["constraints"] = constraints
    if tp is inspect.Parameter.empty or tp is typing.Any or tp is object:
        d["kind"] = "any"
    elif tp is type(None) or tp is None:
        d["kind"] = "none"
    elif origin in (list, typing.List, set, tuple, frozenset) or tp in (list, set, tuple):
        d["kind"] = "list"
        args = typing.get_args(tp)
        d["item"] = describe(args[0]) if args else {"kind": "any", "nullable": False}
    elif origin in (dict, typing.Dict) or tp is dict or origin is getattr(__import__("collections.abc").abc, "Mapping"):
        d["kind"] = "dict"
        args = typing.get_args(tp)
        d["key"] = describe(args[0]) if args else {"kind": "any", "nullable": False}
        d["value"] = describe(args[1]) if len(args) > 1 else {"kind": "any", "nullable": False}
    elif isinstance(tp, type) and issubclass(tp, enum.Enum):
        d["kind"] = "enum"
        d["enum"] = {"module": tp.__module__, "name": tp.__qualname__, "members": [{"name": m.name, "value": jsonable(m.value)} for m in tp]}
    elif tp is bool:
        d["kind"] = "bool"
    elif tp is int:
        d["kind"] = "int"
    elif tp is float:
        d["kind"] = "float"
    elif tp is str:
        d["kind"] = "str"
    elif tp is dt.datetime:
        d["kind"] = "datetime"
    elif tp is dt.date:
        d["kind"] = "date"
    elif tp is uuid.UUID:
        d["kind"] = "UUID"
    elif isinstance(tp, type) and issubclass(tp, pathlib.PurePath):
        d["kind"] = "path"
    elif isinstance(tp, type):
        d["kind"] = "class"
        d["cls"] = {"module": tp.__module__, "name": tp.__qualname__}
    else:
        d["kind"] = "unknown"
    d["nullable"] = nullable
    return d

import ast, builtins
_checking_names = {}

def _is_type_checking(test):
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")

def checking_names(module):
    """Names a module imports only under "if TYPE_CHECKING:" (string annotations refer to them)."""
    if module is None:
        return {}
    name = module.__name__
    if name not in _checking_names:
        found = {}
        try:
            tree = ast.parse(inspect.getsource(module))
        except Exception:
            tree = None
        for node in ast.walk(tree) if tree else []:
            if not (isinstance(node, ast.If) and _is_type_checking(node.test)):
                continue
            for stmt in node.body:
                if not isinstance(stmt, (ast.Import, ast.ImportFrom)):
                    continue
                scope = {"__name__": name, "__package__": module.__package__, "__builtins__": builtins}
                try:
                    exec(compile(ast.Module(body=[stmt], type_ignores=[]), getattr(module, "__file__", name) or name, "exec"), scope)
                except Exception:
                    continue
                found.update({k: v for k, v in scope.items() if not k.startswith("__")})
        _checking_names[name] = found
    return _checking_names[name]

def hints(fn):
    module = sys.modules.get(getattr(fn, "__module__", None) or "")
    extra = checking_names(module)
    try:
        return typing.get_type_hints(fn, localns=extra)
    except Exception:
        pass
    # One unresolvable annotation must not hide the others: evaluate them one by one.
    out = {}
    scope = dict(getattr(fn, "__globals__", {}))
    for name, ann in (getattr(fn, "__annotations__", {}) or {}).items():
        if isinstance(ann, str):
            try:
                ann = eval(ann, scope, extra)
            except Exception:
                pass
        out[name] = ann
    return out

KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "positional",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional",
    inspect.Parameter.KEYWORD_ONLY: "keyword_only",
    inspect.Parameter.VAR_POSITIONAL: "args",
    inspect.Parameter.VAR_KEYWORD: "kwargs",
}

def callable_info(fn, is_static=False, skip_first=False):
    sig = inspect.signature(fn)
    h = hints(fn)
    params = []
    for i, (name, p) in enumerate(sig.parameters.items()):
        if skip_first and i == 0:
            continue
        if name in exclude:
            continue
        info = {
            "name": name,
            "kind": KINDS[p.kind],
            "required": p.default is inspect.Parameter.empty and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD),
            "type": describe(h.get(name, inspect.Parameter.empty)),
        }
        if p.default is not inspect.Parameter.empty:
            info["default"] = {"repr": repr(p.default)[:200], "kind": describe(type(p.default))["kind"] if p.default is not None else "none"}
        params.append(info)
    return {
        "params": params,
        "returns": describe(h.get("return", inspect.Parameter.empty)),
        "async": inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn),
        "static": is_static,
    }

# Parameters without a usable annotation: learn their class from the calls the project itself makes
# (its conftest fixtures, tests and entry points): Clock(ranker) where ranker = TagRanker(db).
ROOT_PACKAGE = req["model"]["module"].split(".")[0]

def project_class(obj):
    return isinstance(obj, type) and (getattr(obj, "__module__", "") or "").split(".")[0] == ROOT_PACKAGE

def dotted_package(path):
    parts = []
    folder = os.path.dirname(os.path.abspath(path))
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        parts.insert(0, os.path.basename(folder))
        folder = os.path.dirname(folder)
    return ".".join(parts) or None

def file_scope(tree, path):
    """What the file's own imports bind (only its import statements run, never the file)."""
    scope = {"__name__": "__specialist_scan__", "__package__": dotted_package(path), "__builtins__": builtins}
    stmts = []
    for stmt in tree.body:
        if isinstance(stmt, ast.If) and _is_type_checking(stmt.test):
            stmts += stmt.body
        else:
            stmts.append(stmt)
    for stmt in stmts:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            try:
                exec(compile(ast.Module(body=[stmt], type_ignores=[]), path, "exec"), scope)
            except Exception:
                continue
    return scope

def resolve(expr, scope):
    if isinstance(expr, ast.Name):
        return scope.get(expr.id)
    if isinstance(expr, ast.Attribute):
        base = resolve(expr.value, scope)
        return inspect.getattr_static(base, expr.attr, None) if base is not None else None
    return None

def expr_class(expr, scope, env):
    if isinstance(expr, ast.Await):
        expr = expr.value
    if isinstance(expr, ast.Call):
        callee = resolve(expr.func, scope)
        if project_class(callee):
            return callee
        if inspect.isfunction(callee):
            ret = hints(callee).get("return")
            return ret if project_class(ret) else None
        return None
    if isinstance(expr, ast.Name):
        return env.get(expr.id)
    return None

def function_env(fn, scope, fixtures):
    env = {}
    if fn is not None:
        for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs:
            cls = None
            if a.annotation is not None:
                try:
                    cls = eval(compile(ast.Expression(a.annotation), "<annotation>", "eval"), dict(scope))
                except Exception:
                    cls = None
            cls = cls if project_class(cls) else fixtures.get(a.arg)
            if cls is not None:
                env[a.arg] = cls
    return env

def own_nodes(body):
    """Nodes of a body, not those of functions defined inside it (they have their own scope)."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                stack.append(child)

def bind(body, scope, env):
    """Local names bound to a project object, in source order."""
    nodes = sorted((n for n in own_nodes(body) if hasattr(n, "lineno")), key=lambda n: (n.lineno, n.col_offset))
    for node in nodes:
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            targets, value = [node.optional_vars], node.context_expr
        for t in targets:
            if isinstance(t, ast.Name):
                cls = expr_class(value, scope, env)
                if cls is not None:
                    env[t.id] = cls
    return nodes

def is_fixture(fn):
    return any("fixture" in ast.unparse(d) for d in fn.decorator_list)

def scan_files(folders):
    files = []
    for folder in folders:
        if not os.path.isdir(folder):
            continue
        found = []
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
            found += [os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(".py")]
        # conftest files first: their fixtures type the parameters of the tests
        files += sorted(found, key=lambda f: (os.path.basename(f) != "conftest.py", f))
    parsed = []
    for path in files:
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            if req["generatedMarker"] in text:
                continue
            parsed.append((path, ast.parse(text)))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
    return parsed

learned = {}
def learn_constructions(folders):
    parsed = [(path, tree, file_scope(tree, path)) for path, tree in scan_files(folders)]
    fixtures = {}
    for _ in range(2):  # fixtures may use fixtures defined further down
        for path, tree, scope in parsed:
            if os.path.basename(path) != "conftest.py":
                continue
            for fn in tree.body:
                if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_fixture(fn):
                    env = function_env(fn, scope, fixtures)
                    for node in bind(fn.body, scope, env):
                        if isinstance(node, (ast.Return, ast.Yield)) and node.value is not None:
                            cls = expr_class(node.value, scope, env)
                            if cls is not None:
                                fixtures[fn.name] = cls
                                break
    for path, tree, scope in parsed:
        bodies = [(None, tree.body)] + [(fn, fn.body) for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for fn, body in bodies:
            env = function_env(fn, scope, fixtures)
            for node in bind(body, scope, env):
                if not isinstance(node, ast.Call):
                    continue
                cls = resolve(node.func, scope)
                if not project_class(cls):
                    continue
                try:
                    names = [n for n in inspect.signature(cls.__init__).parameters][1:]
                except (TypeError, ValueError):
                    continue
                passed = []
                for i, arg in enumerate(node.args):
                    if isinstance(arg, ast.Starred):
                        break
                    if i < len(names):
                        passed.append((names[i], arg))
                passed += [(kw.arg, kw.value) for kw in node.keywords if kw.arg]
                for pname, arg in passed:
                    got = expr_class(arg, scope, env)
                    if got is not None:
                        where = os.path.relpath(path).replace(os.sep, "/") + ":" + str(arg.lineno)
                        learned.setdefault((cls.__module__, cls.__qualname__), {}).setdefault(pname, (got, where))

try:
    learn_constructions(req.get("constructionFolders") or [])
except Exception:
    pass  # learning is a help: the parameters stay as the annotations say

out = {"classes": {}, "functions": {}}
model_module = importlib.import_module(req["model"]["module"])
# The workspace's code, not a copy installed elsewhere (an editable install's finder can come first).
where = os.path.realpath(getattr(model_module, "__file__", None) or "")
if not where.startswith(os.path.realpath(os.getcwd()) + os.sep):
    sys.stderr.write(req["model"]["module"] + " is imported from " + where + ", not from the workspace " + os.getcwd() + " (an installed copy of the package comes first on the import path)\n")
    sys.exit(3)
model_cls = getattr(model_module, req["model"]["name"])
fields = []
for name, info in model_cls.model_fields.items():
    if name in exclude:
        continue
    constraints = {}
    for meta in info.metadata:
        for key in CONSTRAINTS:
            value = getattr(meta, key, None)
            if value is not None and not callable(value):
                constraints[key] = value if isinstance(value, (int, float, str)) else str(value)
    fields.append({"name": name, "required": info.is_required(), "type": describe(info.annotation, constraints or None)})
out["model"] = {"module": req["model"]["module"], "name": req["model"]["name"], "fields": fields}

pending = [(c["module"], c["name"]) for c in req["classes"]]
for c in req["classes"]:
    try:
        importlib.import_module(c["module"])  # so that subclasses defined elsewhere exist
    except Exception:
        pass
for c in req.get("subclassesOf") or []:
    try:
        stack = [getattr(importlib.import_module(c["module"]), c["name"])]
    except Exception:
        continue
    while stack:
        for sub in sorted(stack.pop().__subclasses__(), key=lambda k: (k.__module__, k.__qualname__)):
            if project_class(sub):
                pending.append((sub.__module__, sub.__qualname__))
                stack.append(sub)
seen = set()
while pending:
    module, name = pending.pop(0)
    if (module, name) in seen:
        continue
    seen.add((module, name))
    try:
        cls = getattr(importlib.import_module(module), name)
    except Exception:
        continue
    methods = {}
    for attr, raw in sorted(vars(cls).items()):
        if attr.startswith("__") and attr != "__init__":
            continue
        is_static = isinstance(raw, (staticmethod, classmethod))
        fn = raw.__func__ if is_static else raw
        if not inspect.isfunction(fn):
            continue
        try:
            methods[attr] = callable_info(fn, is_static, skip_first=not isinstance(raw, staticmethod))
        except (TypeError, ValueError):
            continue
    init = methods.pop("__init__", {"params": []})["params"]
    for p in init:
        taught = learned.get((cls.__module__, cls.__qualname__), {}).get(p["name"])
        if p["type"]["kind"] in ("any", "unknown") and taught:
            p["type"] = dict(describe(taught[0]), nullable=p["type"]["nullable"])
            p["learnedFrom"] = taught[1]
    for p in init:
        # Only the project's own classes: a connection class of a library is a leaf.
        if p["type"]["kind"] == "class" and p["type"]["cls"]["module"].split(".")[0] == req["model"]["module"].split(".")[0]:
            pending.append((p["type"]["cls"]["module"], p["type"]["cls"]["name"]))
    out["classes"][module + ":" + name] = {
        "module": module,
        "name": name,
        "init": init,
        "bases": [k.__module__ + ":" + k.__qualname__ for k in cls.__mro__[1:] if project_class(k)],
        "methods": methods,
        "asyncContextManager": hasattr(cls, "__aenter__"),
    }
for f in req["functions"]:
    try:
        fn = getattr(importlib.import_module(f["module"]), f["name"])
        out["functions"][f["module"] + ":" + f["name"]] = callable_info(fn)
    except Exception:
        continue
for module in req["modules"]:
    try:
        mod = importlib.import_module(module)
    except Exception:
        continue
    for attr, fn in sorted(vars(mod).items()):
        if inspect.isfunction(fn) and fn.__module__ == module:
            try:
                out["functions"][module + ":" + attr] = callable_info(fn)
            except (TypeError, ValueError):
                continue

# Example values: literals the project's tests use for the same name, else synthesized; each one
# validated by Pydantic against the field's (or parameter's) type and constraints.
import ast
harvest = {}
folder = req.get("testsFolder")
if folder and os.path.isdir(folder):
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for filename in sorted(filenames):
            if not filename.endswith(".py"):
                continue
            try:
                with open(os.path.join(dirpath, filename), encoding="utf-8") as fh:
                    text = fh.read()
                if req["generatedMarker"] in text:
                    continue
                tree = ast.parse(text)
            except (OSError, SyntaxError, UnicodeDecodeError):
                continue
            pairs = []
            for node in ast.walk(tree):
                if isinstance(node, ast.Dict):
                    pairs += [(k.value, v) for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and isinstance(k.value, str)]
                elif isinstance(node, ast.Call):
                    pairs += [(kw.arg, kw.value) for kw in node.keywords if kw.arg]
            pairs.sort(key=lambda kv: (kv[1].lineno, kv[1].col_offset))
            for key, value in pairs:
                try:
                    literal = ast.literal_eval(value)
                except Exception:
                    continue
                if literal is not None:
                    harvest.setdefault(key, []).append(literal)

from pydantic import TypeAdapter

def synthesize(desc, name):
    kind = desc["kind"]
    c = desc.get("constraints") or {}
    if kind == "str":
        text = "test " + name.replace("_", " ")
        low, high = c.get("min_length", 1), c.get("max_length")
        if high is not None:
            text = text[:high]
        return text + "x" * max(0, low - len(text))
    if kind in ("int", "float"):
        low = c["ge"] if "ge" in c else c["gt"] + 1 if "gt" in c else 1
        if "le" in c:
            low = min(low, c["le"])
        if "lt" in c:
            low = min(low, c["lt"] - 1)
        return low
    if kind == "bool":
        return False
    if kind == "datetime":
        return "2024-01-02T03:04:05+00:00"
    if kind == "date":
        return "2024-01-02"
    if kind == "UUID":
        return "12345678-1234-5678-1234-567812345678"
    if kind == "enum":
        return desc["enum"]["members"][0]["value"]
    if kind == "list":
        return []
    if kind == "dict":
        return {}
    if desc["nullable"]:
        return None
    return "test"

def example(adapter, desc, name):
    for candidate in harvest.get(name, []) + [synthesize(desc, name)]:
        try:
            adapter.validate_python(candidate)
            return candidate
        except Exception:
            continue
    return None

examples = {}
for name, info in model_cls.model_fields.items():
    if name in exclude or not info.is_required():
        continue
    desc = next(f["type"] for f in fields if f["name"] == name)
    adapter = TypeAdapter(typing.Annotated[tuple([info.annotation, *info.metadata])] if info.metadata else info.annotation)
    value = example(adapter, desc, name)
    if value is not None:
        examples["model." + name] = value
service = req.get("serviceMethod")
if service:
    try:
        owner = importlib.import_module(service["module"])
        if service.get("name"):
            owner = getattr(owner, service["name"])
        fn = getattr(owner, service["method"])
        sig = inspect.signature(fn)
        h = hints(fn)
        for pname, p in sig.parameters.items():
            if pname in exclude or pname == "self" or p.default is not inspect.Parameter.empty:
                continue
            if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
                continue
            if "model." + pname in examples:
                examples["param." + pname] = examples["model." + pname]
                continue
            tp = h.get(pname, typing.Any)
            try:
                value = example(TypeAdapter(tp), describe(tp), pname)
            except Exception:
                # An object the call takes (a module service function's database) has no example value.
                continue
            if value is not None:
                examples["param." + pname] = value
    except Exception:
        pass
out["examples"] = examples
sys.stdout.write("\n" + MARKER + json.dumps(out, sort_keys=True) + "\n")
`;

/** Runs the introspection in `root` with `python`; throws with Python's own error when the import fails. */
export async function introspectProject(
  python: string,
  root: string,
  request: IntrospectionRequest,
  signal?: AbortSignal,
): Promise<ProjectFacts> {
  const outcome = await runProcess(python, ['-c', SCRIPT], {
    cwd: root,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    input: JSON.stringify(request),
    timeoutMs: 60_000,
    signal,
    label: 'introspect project',
  });
  if (outcome.exitCode !== 0) {
    const lines = outcome.stderr.trim().split('\n');
    throw new Error(`could not import the project to describe it: ${lines.slice(-3).join(' | ')}`);
  }
  return parseMarkedJson(outcome.stdout) as ProjectFacts;
}
