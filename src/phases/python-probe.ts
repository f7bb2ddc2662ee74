/**
 * Runs a check script of phases 1–5 with the project's interpreter, importing the code under test from
 * the given folders (the worktree's source root first, so a copy of the project installed in editable
 * mode elsewhere is never the one imported). The process runs in a temporary folder with
 * PYTHONDONTWRITEBYTECODE, so nothing lands in the worktree; whatever cannot run is returned as a
 * reason, never thrown: the caller turns it into a failed check (fail closed).
 */
import { makeTempDir } from '../process/temp-dir';
import { parseMarkedJson, runProcess } from '../python/run-process';

/**
 * Python put before every probe script: puts `req["sysPath"]` first on sys.path, and `emit(out)`
 * writes the marked result and leaves at once (an open aiosqlite thread of a failed project call must
 * not keep the process alive). `imported_from(module)` says where a module was loaded from when that
 * is not one of the requested folders; `where(exc)` names the error and the last line of the
 * project's code it went through.
 */
export const PROBE_PRELUDE = String.raw`
MARKER = "@@specialist-json@@"
import json, os, sys, traceback
req = json.load(sys.stdin)
for entry in reversed(req["sysPath"]):
    sys.path.insert(0, entry)

def emit(out):
    sys.stdout.write("\n" + MARKER + json.dumps(out, default=str) + "\n")
    sys.stdout.flush()
    os._exit(0)

def imported_from(module):
    """None when the module's file is under one of the requested folders, else where it came from."""
    file = os.path.realpath(getattr(module, "__file__", None) or "")
    roots = [os.path.realpath(r) for r in req["sysPath"]]
    if any(file.startswith(r + os.sep) for r in roots):
        return None
    return file or "a module without a file"

def describe_error(exc):
    return f"{type(exc).__name__}: {exc}"

def where(exc):
    """The error with the last line of the project's code it went through."""
    roots = [os.path.realpath(r) + os.sep for r in req["sysPath"]]
    frames = traceback.extract_tb(exc.__traceback__)
    frames = [f for f in frames if any(os.path.realpath(f.filename).startswith(r) for r in roots)] or frames
    at = f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return describe_error(exc) + at
`;

export type ProbeOutcome<T> = { ok: true; out: T } | { ok: false; reason: string };

/** What the activity passes down: its heartbeat and cancellation. */
export interface ProbeControl {
  heartbeat?: (detail: unknown) => void;
  signal?: AbortSignal;
}

export interface ProbeOptions extends ProbeControl {
  /**
   * Absolute folders put first on sys.path, in order — or how to find them: reading the project's
   * configuration runs its Python, and when that cannot run the probe fails like any other (a reason).
   */
  sysPath: string[] | (() => Promise<string[]>);
  label: string;
  timeoutMs?: number;
}

/** Runs `PROBE_PRELUDE + script` with `request` (JSON, with `sysPath` added) on stdin. */
export async function runProbe<T>(
  python: string,
  script: string,
  request: Record<string, unknown>,
  options: ProbeOptions,
): Promise<ProbeOutcome<T>> {
  const temp = await makeTempDir('probe');
  const cwd = temp.path;
  try {
    const sysPath = typeof options.sysPath === 'function' ? await options.sysPath() : options.sysPath;
    const outcome = await runProcess(python, ['-c', PROBE_PRELUDE + script], {
      cwd,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      input: JSON.stringify({ ...request, sysPath }),
      timeoutMs: options.timeoutMs ?? 120_000,
      label: options.label,
      heartbeat: options.heartbeat,
      signal: options.signal,
    });
    if (outcome.timedOut)
      return {
        ok: false,
        reason: `${options.label} did not finish in ${(options.timeoutMs ?? 120_000) / 1000} s`,
      };
    try {
      return { ok: true, out: parseMarkedJson<T>(outcome.stdout) };
    } catch {
      const output = (outcome.stderr.trim() || outcome.stdout.trim()).split('\n').slice(-12).join('\n');
      return {
        ok: false,
        reason: `${options.label} ended (exit ${outcome.exitCode ?? outcome.signal}) without a result: ${output}`,
      };
    }
  } catch (err) {
    if (options.signal?.aborted) throw err; // cancelled: not a check result
    return { ok: false, reason: `could not run ${python}: ${(err as Error).message}` };
  } finally {
    await temp.remove();
  }
}
