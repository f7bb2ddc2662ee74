/**
 * The one way activities run a tool (pytest, mypy, a helper script): a child process in its own
 * process group, so that a timeout, a cancellation (the activity's signal: a cancelled run, or the
 * worker shutting down) or the end of the leader kills the whole tree (pytest may spawn workers,
 * tests may start servers), with a periodic heartbeat while it runs — the heartbeat is also how a
 * Temporal activity learns it was cancelled. While the group exists it is recorded in the worker's
 * leftover ledger (a worker started after a SIGKILL kills it) and it is killed if this process exits.
 * Output is captured with a cap: these summaries travel in Temporal payloads.
 */
import { spawn } from 'node:child_process';
import { ERROR_TYPES, SpecialistError } from '../errors';
import { activeLedger } from '../process/leftover-ledger';

export interface RunProcessOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the process group after this long; the outcome then has `timedOut: true`. */
  timeoutMs?: number;
  /** Aborting kills the process group and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called every `heartbeatIntervalMs` while the process runs (Temporal activity heartbeat). */
  heartbeat?: (detail: unknown) => void;
  heartbeatIntervalMs?: number;
  /** Names the run in heartbeat details, e.g. `pytest`. */
  label?: string;
  /** Bytes of stdout/stderr kept (the tail is kept). */
  maxOutputBytes?: number;
  /** Written to stdin, then stdin is closed. */
  input?: string;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

const KILL_GRACE_MS = 2_000;
/** Often enough that a cancel reaches the activity within seconds (the worker throttles what it sends). */
const DEFAULT_HEARTBEAT_MS = 1_000;

/** Process groups started here and not yet ended: killed if this process exits first. */
const liveGroups = new Set<number>();
let exitHandlerInstalled = false;

function killLiveGroupsOnExit(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.once('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  });
}

/** The process groups this process has running now (tests check that none outlive their step). */
export function runningProcessGroups(): number[] {
  return [...liveGroups];
}

/** Keeps the last `max` characters: the end of a pytest/mypy output holds the summary. */
function capped(chunks: string[], max: number): string {
  const text = chunks.join('');
  return text.length > max ? `…${text.slice(text.length - max)}` : text;
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

/** Spawns `command args` detached (own process group) and resolves when it exits. */
export function runProcess(
  command: string,
  args: string[],
  options: RunProcessOptions,
): Promise<ProcessOutcome> {
  const started = Date.now();
  const max = options.maxOutputBytes ?? 200_000;
  const label = options.label ?? command;
  return new Promise<ProcessOutcome>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(options.signal.reason ?? new Error(`${label} cancelled`));
      return;
    }
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const pgid = child.pid;
    let release: (() => void) | undefined;
    if (pgid !== undefined) {
      liveGroups.add(pgid);
      killLiveGroupsOnExit();
      release = activeLedger()?.recordGroup(pgid, label);
    }
    const ended = () => {
      // Children of the group may outlive the leader (a server a test started): nothing is left behind.
      killGroup(pgid, 'SIGKILL');
      if (pgid !== undefined) liveGroups.delete(pgid);
      release?.();
      release = undefined;
    };
    const stdout: string[] = [];
    const stderr: string[] = [];
    let timedOut = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const terminate = () => {
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    const timeout =
      options.timeoutMs !== undefined && options.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            terminate();
          }, options.timeoutMs)
        : undefined;
    const beat = options.heartbeat
      ? setInterval(
          () => options.heartbeat?.({ step: label, elapsedMs: Date.now() - started }),
          options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS,
        )
      : undefined;
    const onAbort = () => {
      aborted = true;
      terminate();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    const cleanup = () => {
      if (timeout) clearTimeout(timeout);
      if (beat) clearInterval(beat);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      ended();
      // A program that is not there (or not executable) is a setting to fix, not a passing fault:
      // non-retryable, naming the program.
      if (err.code === 'ENOENT' || err.code === 'EACCES')
        reject(
          new SpecialistError(
            ERROR_TYPES.workspaceInvalid,
            `could not start ${label}: ${command} ${err.code === 'ENOENT' ? 'does not exist' : 'is not executable'} (the project's Python comes from architecture.python, SPECIALIST_PYTHON, the project's .venv or .specialist/venv)`,
            { command, code: err.code },
          ),
        );
      else reject(err);
    });
    // The leader is gone: what is left of its group (a server a test started, holding our pipes open
    // so that 'close' would never come) goes too.
    child.on('exit', () => killGroup(pgid, 'SIGKILL'));
    child.on('close', (exitCode, signal) => {
      cleanup();
      if (killTimer) clearTimeout(killTimer);
      ended();
      if (aborted) {
        reject(options.signal?.reason ?? new Error(`${label} cancelled`));
        return;
      }
      resolve({
        exitCode,
        signal,
        stdout: capped(stdout, max),
        stderr: capped(stderr, max),
        timedOut,
        durationMs: Date.now() - started,
      });
    });
  });
}

/**
 * The JSON a helper script wrote after `@@specialist-json@@`: importing a project may print (module
 * level `print`, logging to stdout), so the payload is marked rather than being the whole output.
 */
export function parseMarkedJson<T>(stdout: string): T {
  const marker = '@@specialist-json@@';
  const at = stdout.lastIndexOf(marker);
  if (at < 0) throw new Error(`helper script wrote no result: ${stdout.slice(-500)}`);
  return JSON.parse(stdout.slice(at + marker.length).split('\n')[0]!) as T;
}
