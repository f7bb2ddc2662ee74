/**
 * Runs mypy the way the project configures it, with its cache outside the workspace.
 */
import path from 'node:path';
import { makeTempDir } from '../process/temp-dir';
import { runProcess } from '../python/run-process';

export interface MypyIssue {
  file: string;
  line: number;
  message: string;
}

export interface MypyRun {
  passed: boolean;
  issues: MypyIssue[];
  /** The end of mypy's output. */
  output: string;
  /** mypy could not run at all (not installed, crashed): nothing is known about the types. */
  unavailable?: string;
}

/** `path:line[:col]: error: message` lines of mypy's output. */
export function parseMypyOutput(output: string): MypyIssue[] {
  const issues: MypyIssue[] = [];
  for (const line of output.split('\n')) {
    const match = /^(.+?):(\d+)(?::\d+)?: error: (.*)$/.exec(line.trim());
    if (match)
      issues.push({ file: match[1]!.split(path.sep).join('/'), line: Number(match[2]), message: match[3]! });
  }
  return issues;
}

export async function runMypy(options: {
  python: string;
  root: string;
  /** Targets when the configuration has no `files` setting (e.g. the package folder). */
  targets: string[];
  configHasFiles: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  heartbeat?: (detail: unknown) => void;
}): Promise<MypyRun> {
  const temp = await makeTempDir('mypy');
  const cache = temp.path;
  try {
    const args = ['-m', 'mypy', `--cache-dir=${cache}`, '--no-color-output', '--no-pretty'];
    if (!options.configHasFiles) args.push(...options.targets);
    const outcome = await runProcess(options.python, args, {
      cwd: options.root,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', MYPY_FORCE_COLOR: '0' },
      timeoutMs: options.timeoutMs ?? 5 * 60_000,
      signal: options.signal,
      heartbeat: options.heartbeat,
      label: 'mypy',
    });
    const output = `${outcome.stdout}\n${outcome.stderr}`.trim();
    const tail = output.split('\n').slice(-40).join('\n');
    if (/No module named mypy/.test(outcome.stderr))
      return {
        passed: false,
        issues: [],
        output: tail,
        unavailable: 'mypy is not installed in the project interpreter',
      };
    if (outcome.timedOut) return { passed: false, issues: [], output: tail, unavailable: 'mypy timed out' };
    const issues = parseMypyOutput(outcome.stdout);
    if (outcome.exitCode !== 0 && issues.length === 0) {
      return {
        passed: false,
        issues,
        output: tail,
        unavailable: `mypy exited with ${String(outcome.exitCode)}`,
      };
    }
    return { passed: outcome.exitCode === 0, issues, output: tail };
  } finally {
    await temp.remove();
  }
}
