/**
 * The few git operations a run needs, through the `git` command line: the run's own worktree on
 * `feature/<name>`, resets to a phase's base commit, and one deterministic commit per phase.
 * The user's checkout is never touched (a dirty tree is fine): everything happens in the worktree.
 */
import { execFile } from 'node:child_process';
import { ERROR_TYPES, SpecialistError } from '../errors';

/** Who the phase commits are by; fixed so a retried phase yields the same commit. */
export const COMMIT_IDENTITY = {
  name: 'python-backend-specialist',
  email: 'python-backend-specialist@localhost',
};

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
    readonly code: number | null,
  ) {
    super(`git ${args.join(' ')} failed (${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`);
    this.name = 'GitError';
  }
}

/** Runs git in `cwd`; resolves stdout (trailing whitespace removed), rejects with GitError. */
export function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...env },
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new GitError(
              args,
              String(stderr || error.message),
              typeof error.code === 'number' ? error.code : null,
            ),
          );
        } else resolve(String(stdout).trimEnd());
      },
    );
  });
}

/** The repository's top folder and HEAD commit; WorkspaceInvalid when it is not a repo with a commit. */
export async function describeRepository(dir: string): Promise<{ root: string; head: string }> {
  let root: string;
  try {
    root = await git(dir, ['rev-parse', '--show-toplevel']);
  } catch {
    throw new SpecialistError(
      ERROR_TYPES.workspaceInvalid,
      `${dir} is not a git repository: run \`git init && git add -A && git commit -m initial\` there first`,
      { workspace: dir },
    );
  }
  try {
    const head = await git(dir, ['rev-parse', '--verify', 'HEAD^{commit}']);
    return { root, head };
  } catch {
    throw new SpecialistError(
      ERROR_TYPES.workspaceInvalid,
      `${dir} has no commit yet: commit the project first (the run branches off HEAD)`,
      { workspace: dir },
    );
  }
}

export async function branchExists(repo: string, branch: string): Promise<boolean> {
  try {
    await git(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
    return true;
  } catch {
    return false;
  }
}

const NO_COMMIT = '0'.repeat(40);

/**
 * Creates `branch` at `base` only if it does not exist (atomically: `update-ref <ref> <new> <zero>`),
 * with `note` as the first entry of its reflog (the owner mark `branchCreationNote` reads back).
 * Returns false when the branch already exists: someone else made it, and it is not touched.
 */
export async function createBranch(
  repo: string,
  branch: string,
  base: string,
  note: string,
): Promise<boolean> {
  const ref = `refs/heads/${branch}`;
  try {
    await git(repo, ['update-ref', '--create-reflog', '-m', note, ref, base, NO_COMMIT]);
    return true;
  } catch (err) {
    if (await branchExists(repo, branch)) return false;
    throw err;
  }
}

/** The message of the oldest reflog entry of `branch` (what created it), or undefined. */
export async function branchCreationNote(repo: string, branch: string): Promise<string | undefined> {
  try {
    const log = await git(repo, ['reflog', 'show', '--format=%gs', `refs/heads/${branch}`, '--']);
    return log.split('\n').pop() || undefined;
  } catch {
    return undefined;
  }
}

/** Creates `dir` as a worktree on a new branch starting at `base`. */
export async function addWorktree(repo: string, dir: string, branch: string, base: string): Promise<void> {
  await git(repo, ['worktree', 'add', '--quiet', '-b', branch, dir, base]);
}

/** Creates `dir` as a worktree on the existing `branch` (git refuses a branch checked out elsewhere). */
export async function addWorktreeOn(repo: string, dir: string, branch: string): Promise<void> {
  await git(repo, ['worktree', 'prune']);
  await git(repo, ['worktree', 'add', '--quiet', dir, branch]);
}

/**
 * Deletes `branch` only while it points at `expected` (atomically: `git update-ref -d <ref> <old>`).
 * Returns true when the branch is gone (also when it was already), false when it has moved on: then
 * it holds commits someone may want, and it stays.
 */
export async function deleteBranchAt(repo: string, branch: string, expected: string): Promise<boolean> {
  const ref = `refs/heads/${branch}`;
  let tip: string;
  try {
    tip = await git(repo, ['rev-parse', '--verify', '--quiet', ref]);
  } catch {
    return true;
  }
  if (tip !== expected) return false;
  try {
    await git(repo, ['update-ref', '-d', ref, expected]);
    return true;
  } catch (err) {
    // Moved between the two commands: keep it, as above.
    if ((await git(repo, ['rev-parse', '--verify', '--quiet', ref]).catch(() => '')) !== expected)
      return false;
    throw err;
  }
}

/**
 * Moves `branch` back to `commit` when it went past it with commits of `workflowId` only (a phase that
 * committed after its run was cancelled); returns how many commits were dropped. Refuses (throws) when
 * the branch went elsewhere or holds someone else's commits: those are never dropped. Atomic against
 * a concurrent move (`git update-ref <ref> <new> <old>`). A missing branch drops nothing.
 */
export async function resetBranchTo(
  repo: string,
  branch: string,
  commit: string,
  workflowId: string,
): Promise<number> {
  const ref = `refs/heads/${branch}`;
  let tip: string;
  try {
    tip = await git(repo, ['rev-parse', '--verify', '--quiet', ref]);
  } catch {
    return 0;
  }
  if (tip === commit) return 0;
  const refuse = (why: string) =>
    new SpecialistError(
      ERROR_TYPES.workspaceInvalid,
      `${branch} in ${repo} is at ${tip.slice(0, 12)}, not a descendant of ${commit.slice(0, 12)} made by this run (${why}): left as it is`,
      { branch, tip, commit },
    );
  try {
    await git(repo, ['merge-base', '--is-ancestor', commit, tip]);
  } catch {
    throw refuse('it went elsewhere');
  }
  const owners = (
    await git(repo, [
      'log',
      '--format=%(trailers:key=Workflow-Id,valueonly,separator=%x2C)',
      `${commit}..${tip}`,
    ])
  )
    .split('\n')
    .map((line) => line.trim());
  if (owners.some((owner) => owner !== workflowId))
    throw refuse('it holds commits of another run or a person');
  await git(repo, ['update-ref', ref, commit, tip]);
  return owners.length;
}

/** Removes the worktree folder (the branch stays); tolerant of a folder already gone. */
export async function removeWorktree(repo: string, dir: string): Promise<void> {
  await git(repo, ['worktree', 'remove', '--force', dir]).catch(() => undefined);
  await git(repo, ['worktree', 'prune']).catch(() => undefined);
}

/**
 * Puts the worktree exactly at `commit`: tracked files reset, untracked and ignored files removed.
 * Refuses anything but a linked worktree: a wrong path must never reset a person's own checkout.
 */
export async function resetWorktree(worktree: string, commit: string): Promise<void> {
  const [gitDir, commonDir] = (
    await git(worktree, ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'])
  ).split('\n');
  if (!gitDir || gitDir === commonDir) {
    throw new SpecialistError(
      ERROR_TYPES.workspaceInvalid,
      `${worktree} is a repository's main checkout, not a run's worktree: refusing to reset it`,
      { worktree },
    );
  }
  await git(worktree, ['reset', '--quiet', '--hard', commit]);
  await git(worktree, ['clean', '-ffdxq']);
}

/**
 * Commits exactly `files` (relative paths) with a fixed identity and date, so the same content on the
 * same base gives the same commit id. An empty `files` still commits (`--allow-empty`): the branch
 * keeps one commit per phase.
 */
export async function commitFiles(
  worktree: string,
  files: string[],
  message: string,
  date: string,
): Promise<string> {
  if (files.length > 0) await git(worktree, ['add', '--', ...files]);
  await git(
    worktree,
    ['-c', 'commit.gpgsign=false', 'commit', '--quiet', '--allow-empty', '--no-verify', '-m', message],
    {
      GIT_AUTHOR_NAME: COMMIT_IDENTITY.name,
      GIT_AUTHOR_EMAIL: COMMIT_IDENTITY.email,
      GIT_COMMITTER_NAME: COMMIT_IDENTITY.name,
      GIT_COMMITTER_EMAIL: COMMIT_IDENTITY.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    },
  );
  return git(worktree, ['rev-parse', 'HEAD']);
}
