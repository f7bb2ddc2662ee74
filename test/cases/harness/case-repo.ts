/**
 * A case project as its user has it: a fresh git repository (first commit tagged `base`) with the
 * project's own virtualenv linked as `.venv` (ignored by git), and the project's own test suite run
 * on any commit of it.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, appendFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CASES_DIR } from './expectations';

const run = promisify(execFile);

/** Output of a finished command, whatever its exit code (a timeout reads as code 124, like timeout(1)). */
export interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

export async function exec(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Finished> {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 120_000,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; killed?: boolean; stdout?: string; stderr?: string };
    return {
      code: e.killed ? 124 : typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? String(err),
    };
  }
}

export const git = async (repo: string, args: string[]) => {
  const out = await exec('git', ['-C', repo, ...args]);
  if (out.code !== 0) throw new Error(`git ${args.join(' ')} in ${repo}: ${out.stderr.trim()}`);
  return out.stdout;
};

/** The cached virtualenv of a project (built by test/cases/venv.sh when missing). */
export async function caseVenv(project: string): Promise<string> {
  const out = await exec('bash', [path.join(CASES_DIR, 'venv.sh'), project], { timeoutMs: 900_000 });
  if (out.code !== 0) throw new Error(`could not build the virtualenv of ${project}:\n${out.stderr}`);
  return out.stdout.trim().split('\n').pop()!;
}

/** Copies `project` into `<work>/repo` as a one-commit repository tagged `base`, its venv as `.venv`. */
export async function caseRepository(project: string, work: string, venv: string): Promise<string> {
  const repo = path.join(work, 'repo');
  mkdirSync(repo, { recursive: true });
  cpSync(project, repo, { recursive: true });
  await git(repo, ['init', '--quiet', '--initial-branch=main']);
  await git(repo, ['add', '-A']);
  await git(repo, ['-c', 'user.email=case@example.org', '-c', 'user.name=case', 'commit', '-qm', 'base']);
  await git(repo, ['tag', 'base']);
  appendFileSync(path.join(repo, '.git', 'info', 'exclude'), '.venv\n');
  symlinkSync(venv, path.join(repo, '.venv'));
  return repo;
}

/**
 * The project's own suite on `commit`, in a detached worktree, with an empty HOME. A suite whose
 * database cannot open may print its summary and never exit: it is stopped after `timeoutMs`.
 */
export async function projectSuite(repo: string, commit: string, timeoutMs = 120_000, paths: string[] = []) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'case-suite-'));
  const tree = path.join(scratch, 'tree');
  const home = path.join(scratch, 'home');
  mkdirSync(home);
  await git(repo, ['worktree', 'add', '--quiet', '--detach', tree, commit]);
  try {
    const out = await exec(
      path.join(repo, '.venv', 'bin', 'python'),
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-o', 'addopts=', ...paths],
      { cwd: tree, env: { ...process.env, HOME: home }, timeoutMs },
    );
    const text = `${out.stdout}\n${out.stderr}`;
    const summary =
      text
        .split('\n')
        .filter((l) => /\b(passed|failed|error)/.test(l))
        .pop() ?? text.trim().split('\n').pop();
    return {
      passed: Number(/(\d+) passed/.exec(summary ?? '')?.[1] ?? 0),
      green: out.code === 0 && /\bpassed\b/.test(summary ?? '') && !/\b(failed|error)/.test(summary ?? ''),
      summary: out.code === 124 ? `${summary} (did not exit: stopped after ${timeoutMs / 1000} s)` : summary,
      output: text,
    };
  } finally {
    await git(repo, ['worktree', 'remove', '--force', tree]).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
}
