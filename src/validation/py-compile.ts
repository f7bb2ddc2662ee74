/**
 * Compiles touched Python files with the project's interpreter (the `py_compile` check) without
 * writing `.pyc` files into the workspace: the builtin `compile()` on the source text.
 */
import { runProcess } from '../python/run-process';

export interface CompileProblem {
  file: string;
  line?: number;
  message: string;
}

const SCRIPT = String.raw`
import json, sys
problems = []
for path in json.load(sys.stdin):
    try:
        with open(path, "rb") as fh:
            source = fh.read()
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as err:
        problems.append({"file": path, "line": err.lineno, "message": f"{type(err).__name__}: {err.msg}"})
    except (OSError, ValueError) as err:
        problems.append({"file": path, "message": f"{type(err).__name__}: {err}"})
print(json.dumps(problems))
`;

/** Returns one problem per file that does not compile (empty when all do). Paths relative to `root`. */
export async function compilePythonFiles(
  python: string,
  root: string,
  files: string[],
  signal?: AbortSignal,
): Promise<CompileProblem[]> {
  const pyFiles = [...new Set(files.filter((f) => f.endsWith('.py')))].sort();
  if (pyFiles.length === 0) return [];
  const outcome = await runProcess(python, ['-c', SCRIPT], {
    cwd: root,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    input: JSON.stringify(pyFiles),
    timeoutMs: 60_000,
    signal,
    label: 'py_compile',
  });
  if (outcome.exitCode !== 0) throw new Error(`py_compile helper failed: ${outcome.stderr.trim()}`);
  return JSON.parse(outcome.stdout) as CompileProblem[];
}
