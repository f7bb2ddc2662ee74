/**
 * Reads a target project's pytest, coverage and mypy configuration with the project's own Python
 * (tomllib + configparser), so TOML/INI parsing matches what pytest and mypy themselves see.
 */
import { parseMarkedJson, runProcess } from './run-process';

export interface ProjectConfig {
  pytest: {
    /** `asyncio_mode` from the pytest configuration, e.g. `auto` or `strict` (pytest-asyncio's default). */
    asyncioMode?: string;
    testpaths: string[];
    pythonpath: string[];
    markers: string[];
    /** Which file holds the pytest configuration, relative to the root. */
    configFile?: string;
  };
  coverage: { source: string[] };
  mypy: {
    configured: boolean;
    configFile?: string;
    /** The `files` setting: when present, `mypy` with no targets checks what the project means. */
    files: string[];
  };
}

const SCRIPT = String.raw`
MARKER = "@@specialist-json@@"
import configparser, json, os, sys
try:
    import tomllib
except ImportError:  # Python < 3.11: tomli is the same parser, where the project has it
    try:
        import tomli as tomllib
    except ImportError:
        tomllib = None

def split(value):
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [part for part in str(value).replace(",", " ").split() if part]

def lines(value):
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [part.strip() for part in str(value).splitlines() if part.strip()]

out = {"pytest": {"testpaths": [], "pythonpath": [], "markers": []}, "coverage": {"source": []}, "mypy": {"configured": False, "files": []}}
pyproject = {}
if os.path.exists("pyproject.toml") and tomllib is not None:
    with open("pyproject.toml", "rb") as fh:
        pyproject = tomllib.load(fh)
tool = pyproject.get("tool", {})

def ini(path):
    parser = configparser.ConfigParser(interpolation=None)
    if os.path.exists(path):
        try:
            parser.read(path)
        except configparser.Error:
            pass
    return parser

pytest_section = None
pytest_file = None
for path, section in (("pytest.ini", "pytest"), (".pytest.ini", "pytest")):
    parser = ini(path)
    if parser.has_section(section):
        pytest_section, pytest_file = dict(parser[section]), path
        break
if pytest_section is None and "ini_options" in tool.get("pytest", {}):
    pytest_section, pytest_file = tool["pytest"]["ini_options"], "pyproject.toml"
if pytest_section is None:
    for path, section in (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        parser = ini(path)
        if parser.has_section(section):
            pytest_section, pytest_file = dict(parser[section]), path
            break
if pytest_section is not None:
    out["pytest"]["configFile"] = pytest_file
    if pytest_section.get("asyncio_mode"):
        out["pytest"]["asyncioMode"] = str(pytest_section["asyncio_mode"]).strip()
    out["pytest"]["testpaths"] = split(pytest_section.get("testpaths"))
    out["pytest"]["pythonpath"] = split(pytest_section.get("pythonpath"))
    out["pytest"]["markers"] = lines(pytest_section.get("markers"))

cov = tool.get("coverage", {}).get("run", {})
if not cov:
    for path, section in ((".coveragerc", "run"), ("setup.cfg", "coverage:run"), ("tox.ini", "coverage:run")):
        parser = ini(path)
        if parser.has_section(section):
            cov = dict(parser[section])
            break
out["coverage"]["source"] = split(cov.get("source"))

if "mypy" in tool:
    out["mypy"] = {"configured": True, "configFile": "pyproject.toml", "files": split(tool["mypy"].get("files"))}
else:
    for path in ("mypy.ini", ".mypy.ini", "setup.cfg"):
        parser = ini(path)
        if parser.has_section("mypy"):
            out["mypy"] = {"configured": True, "configFile": path, "files": split(parser["mypy"].get("files"))}
            break
sys.stdout.write("\n" + MARKER + json.dumps(out) + "\n")
`;

/**
 * The folders the project's code is imported from, relative to the root: the source root, then
 * pytest's `pythonpath` (as pytest itself puts them on `sys.path`).
 */
export function importPath(sourceRoot: string, config: ProjectConfig): string[] {
  return [...new Set([sourceRoot || '.', ...config.pytest.pythonpath])];
}

/** `importPath` of the project at `root`, its configuration read with `python`. */
export async function readImportPath(
  python: string,
  root: string,
  sourceRoot: string,
  signal?: AbortSignal,
): Promise<string[]> {
  return importPath(sourceRoot, await readProjectConfig(python, root, signal));
}

/** Reads the configuration of the project at `root` with `python`. */
export async function readProjectConfig(
  python: string,
  root: string,
  signal?: AbortSignal,
): Promise<ProjectConfig> {
  const outcome = await runProcess(python, ['-c', SCRIPT], {
    cwd: root,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    timeoutMs: 30_000,
    signal,
    label: 'read project config',
  });
  if (outcome.exitCode !== 0) {
    throw new Error(`could not read the project configuration with ${python}: ${outcome.stderr.trim()}`);
  }
  return parseMarkedJson(outcome.stdout) as ProjectConfig;
}
