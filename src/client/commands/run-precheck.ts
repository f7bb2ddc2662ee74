/**
 * `run`'s check before it starts anything: the analysis and in-memory plan `plan` does, on the files
 * the run will branch off (HEAD). A clean checkout is read in place; one with uncommitted or untracked
 * changes is read from a temporary copy of HEAD, since those changes are not part of a run. Nothing in
 * the repository is written (git runs without optional locks, so not even the index is refreshed).
 * First of all, the feature's branch: one that exists with no worktree on it belongs to no open run.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { branchOwner, branchTaken } from '../../activities/workspace-activities';
import { branchExists, git } from '../../git/git';
import type { FeatureSpec } from '../../spec/feature-spec';
import { CliError } from '../cli-error';
import { planWorkspace } from './plan-workspace';

const run = promisify(execFile);

/**
 * Refuses a `feature/<name>` branch that exists but is checked out in no worktree: an open run holds
 * its branch in its worktree until it ends, so this one was left by a run that ended (or made by a
 * person) and would stop the run at prepare_workspace. A branch in a worktree may be an open run's
 * (then `run` attaches to it): only the server can say, so that case is left to `startOrAttach`.
 */
export async function refuseTakenBranch(root: string, feature: string): Promise<void> {
  const branch = `feature/${feature}`;
  if (!(await branchExists(root, branch))) return;
  const worktrees = await git(root, ['--no-optional-locks', 'worktree', 'list', '--porcelain']);
  if (worktrees.split('\n').includes(`branch refs/heads/${branch}`)) return;
  throw new CliError(branchTaken(root, branch, await branchOwner(root, branch), 'then run again').message);
}

/** Throws the CliError (exit 2) `plan` would print when the run would be refused. */
export async function precheckRun(repo: { root: string; head: string }, spec: FeatureSpec): Promise<void> {
  await refuseTakenBranch(repo.root, spec.feature);
  const status = await git(repo.root, ['--no-optional-locks', 'status', '--porcelain']);
  if (status === '') {
    await planWorkspace(repo.root, spec);
    return;
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'specialist-precheck-'));
  try {
    const tree = path.join(scratch, 'tree');
    mkdirSync(tree);
    await git(repo.root, ['archive', '--format=tar', '-o', path.join(scratch, 'head.tar'), repo.head]);
    await run('tar', ['-xf', path.join(scratch, 'head.tar'), '-C', tree]);
    try {
      await planWorkspace(tree, spec);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      throw new CliError(
        `${err.message} (checked on HEAD ${repo.head.slice(0, 12)}, which the run branches off: the checkout's uncommitted changes are not part of a run)`,
        err.exitCode,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
