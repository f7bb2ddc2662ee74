/**
 * The run's workspace: its own `git worktree` on `feature/<name>`, branched off the workspace's HEAD,
 * in a folder under the data dir (never inside the user's checkout), and its removal at the end (the
 * branch is the output and stays, unless a run aborted before any phase leaves it empty).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ERROR_TYPES, SpecialistError } from '../errors';
import {
  addWorktree,
  branchExists,
  deleteBranchAt,
  describeRepository,
  git,
  removeWorktree,
  resetBranchTo,
} from '../git/git';
import type {
  PreparedWorkspace,
  PrepareWorkspaceInput,
  ReleasedWorkspace,
  ReleaseWorkspaceInput,
} from '../workflows/run-types';
import { asActivity } from './activity-errors';

/** A folder name from a workflow id (ids may hold `/`). */
export function worktreeFolderName(workflowId: string): string {
  return workflowId.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

export function createWorkspaceActivities(deps: { worktreesDir: string }) {
  return {
    /**
     * Idempotent: a retry finds the worktree its first attempt made (the state file is written before
     * the worktree, so even a crash in between is recovered).
     */
    async prepareWorkspace(input: PrepareWorkspaceInput): Promise<PreparedWorkspace> {
      return asActivity(async () => {
        const { root, head } = await describeRepository(input.workspace);
        const dir = path.join(deps.worktreesDir, worktreeFolderName(input.workflowId));
        const stateFile = `${dir}.json`;
        await mkdir(deps.worktreesDir, { recursive: true });
        if (existsSync(stateFile)) {
          const state = JSON.parse(await readFile(stateFile, 'utf8')) as PreparedWorkspace;
          if (existsSync(path.join(dir, '.git'))) return state;
          if (await branchExists(root, state.branch)) {
            await git(root, ['worktree', 'prune']);
            await git(root, ['worktree', 'add', '--quiet', dir, state.branch]);
          } else {
            await addWorktree(root, dir, state.branch, state.baseCommit);
          }
          return state;
        }
        const branch = `feature/${input.feature}`;
        if (await branchExists(root, branch))
          throw new SpecialistError(
            ERROR_TYPES.workspaceInvalid,
            `branch ${branch} already exists in ${root} (an earlier run?): delete it with \`git -C ${root} branch -D ${branch}\` or give the feature another name, then retry`,
            { branch, workspace: root },
          );
        const state: PreparedWorkspace = { worktree: dir, branch, baseCommit: head };
        await writeFile(stateFile, JSON.stringify(state));
        Context.current().heartbeat({ step: 'git worktree add' });
        await addWorktree(root, dir, branch, head);
        return state;
      });
    },

    /**
     * Removes the worktree folder; the branch and its commits stay in the repository, except an empty
     * branch the workflow asks to remove (a run aborted before any phase), which would otherwise make
     * the next run of the feature stop on "branch already exists", and the commits of a cancelled run
     * made after its cancel (`resetBranch`). Idempotent.
     */
    async releaseWorkspace(input: ReleaseWorkspaceInput): Promise<ReleasedWorkspace> {
      return asActivity(async () => {
        const { root } = await describeRepository(input.workspace);
        await removeWorktree(root, input.worktree);
        await rm(input.worktree, { recursive: true, force: true });
        await rm(`${input.worktree}.json`, { force: true });
        // After the worktree is gone: no phase can commit on the branch any more.
        const reset = input.resetBranch;
        const commitsDropped = reset
          ? await resetBranchTo(root, reset.branch, reset.commit, reset.workflowId)
          : undefined;
        const empty = input.removeEmptyBranch;
        const branchRemoved = empty ? await deleteBranchAt(root, empty.branch, empty.baseCommit) : false;
        return { branchRemoved, ...(commitsDropped !== undefined ? { commitsDropped } : {}) };
      });
    },
  };
}
