/**
 * `run`'s check before it starts anything: the analysis and in-memory plan `plan` does, on the files
 * the run will branch off (HEAD). A clean checkout is read in place; one with uncommitted or untracked
 * changes is read from a temporary copy of HEAD, since those changes are not part of a run. Nothing in
 * the repository is written (git runs without optional locks, so not even the index is refreshed).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { git } from '../../git/git';
import type { FeatureSpec } from '../../spec/feature-spec';
import { CliError } from '../cli-error';
import { planWorkspace } from './plan-workspace';

const run = promisify(execFile);

/** Throws the CliError (exit 2) `plan` would print when the run would be refused. */
export async function precheckRun(repo: { root: string; head: string }, spec: FeatureSpec): Promise<void> {
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
