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
  addWorktreeOn,
  branchCreationNote,
  branchExists,
  createBranch,
  deleteBranchAt,
  describeRepository,
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

/** The state file beside the worktree: what `prepareWorkspace` returns, and the run it belongs to. */
type SavedWorkspace = PreparedWorkspace & { runId?: string };

const OWNER_PREFIX = 'specialist: branch of run ';

/** The reflog message a run's branch is created with: names its owner (workflow id and run id). */
export function ownerNote(workflowId: string, runId: string): string {
  return `${OWNER_PREFIX}${workflowId} ${runId}`;
}

/** The workflow id of the run that created `branch`, when a run did. */
export async function branchOwner(root: string, branch: string): Promise<string | undefined> {
  const note = await branchCreationNote(root, branch);
  return note?.startsWith(OWNER_PREFIX) ? note.slice(OWNER_PREFIX.length).split(' ')[0] : undefined;
}

export function branchTaken(
  root: string,
  branch: string,
  ownerId: string | undefined,
  then = 'then retry',
): SpecialistError {
  const by = ownerId ? `run ${ownerId} made it` : 'an earlier run, or a person, made it';
  return new SpecialistError(
    ERROR_TYPES.workspaceInvalid,
    `branch ${branch} already exists in ${root} (${by}): a branch belongs to the run that created it. Delete it with \`git -C ${root} branch -D ${branch}\` or give the feature another name, ${then}`,
    { branch, workspace: root, ...(ownerId ? { owner: ownerId } : {}) },
  );
}

/**
 * The worktree `dir` on the run's branch: created now at the base commit (atomically), or — on a
 * retry after a crash — found again, but only when this run created it (`owner`; undefined for a state
 * file written before owners were recorded).
 */
async function attachOwnBranch(
  root: string,
  dir: string,
  state: PreparedWorkspace,
  owner: string | undefined,
): Promise<void> {
  if (!owner) {
    if (!(await branchExists(root, state.branch)))
      await createBranch(root, state.branch, state.baseCommit, OWNER_PREFIX.trim());
  } else if (
    !(await createBranch(root, state.branch, state.baseCommit, owner)) &&
    (await branchCreationNote(root, state.branch)) !== owner
  ) {
    throw branchTaken(root, state.branch, await branchOwner(root, state.branch));
  }
  await addWorktreeOn(root, dir, state.branch);
}

/**
 * A run that lost the worker holding its worktree starts over here (docs/durable-run.md, Several
 * workers): what this worker kept of the run goes (it may be the lost worker, back again), the lost
 * worktree is unregistered from the repository (and removed, when its folder is on this disk: the run
 * owns it, and a worker that comes back must not commit from it), and the run's branch — only if this
 * run created it — moves back to the base, dropping the commits the lost worktree made (only commits
 * of this run; anything else stops here). Then a new worktree on the branch.
 */
async function takeOver(
  root: string,
  dir: string,
  lost: PreparedWorkspace,
  workflowId: string,
  runId: string,
): Promise<PreparedWorkspace> {
  const owner = ownerNote(workflowId, runId);
  const state: PreparedWorkspace = { worktree: dir, branch: lost.branch, baseCommit: lost.baseCommit };
  const exists = await branchExists(root, state.branch);
  if (exists && (await branchCreationNote(root, state.branch)) !== owner)
    throw branchTaken(root, state.branch, await branchOwner(root, state.branch));
  for (const folder of new Set([dir, lost.worktree])) {
    // Another host's folder is not here: `git worktree prune` then only drops its registration.
    await removeWorktree(root, folder);
    await rm(folder, { recursive: true, force: true });
    await rm(`${folder}.json`, { force: true });
  }
  if (exists) await resetBranchTo(root, state.branch, state.baseCommit, workflowId);
  await writeFile(`${dir}.json`, JSON.stringify({ ...state, runId } satisfies SavedWorkspace));
  Context.current().heartbeat({ step: 'git worktree add' });
  await attachOwnBranch(root, dir, state, owner);
  return state;
}

export function createWorkspaceActivities(deps: { worktreesDir: string; ownTaskQueue?: string }) {
  /** The state plus this worker's own queue: the run sends its next steps on the worktree there. */
  const here = (state: PreparedWorkspace): PreparedWorkspace => {
    const { worktree, branch, baseCommit } = state;
    return { worktree, branch, baseCommit, ...(deps.ownTaskQueue ? { taskQueue: deps.ownTaskQueue } : {}) };
  };
  return {
    /**
     * Idempotent: a retry finds the worktree its first attempt made (the state file is written before
     * the worktree, so even a crash in between is recovered). The branch belongs to the run that
     * created it: it is created atomically (never over an existing one) with the run's id as the first
     * entry of its reflog, and a run attaches a worktree only to a branch it created itself — so a run
     * that lost a race for `feature/<name>` stops instead of resetting the winner's branch to the base.
     * Returns this worker's own task queue with the worktree; with `takeOver`, starts the run over on
     * this worker (see `takeOver`).
     */
    async prepareWorkspace(input: PrepareWorkspaceInput): Promise<PreparedWorkspace> {
      return asActivity(async () => {
        const { root, head } = await describeRepository(input.workspace);
        const dir = path.join(deps.worktreesDir, worktreeFolderName(input.workflowId));
        const stateFile = `${dir}.json`;
        const runId = Context.current().info.workflowExecution?.runId ?? '';
        const owner = ownerNote(input.workflowId, runId);
        await mkdir(deps.worktreesDir, { recursive: true });
        if (input.takeOver) return here(await takeOver(root, dir, input.takeOver, input.workflowId, runId));
        if (existsSync(stateFile)) {
          const saved = JSON.parse(await readFile(stateFile, 'utf8')) as SavedWorkspace;
          const { runId: savedRunId, ...state } = saved;
          if (savedRunId !== undefined && savedRunId !== runId) {
            // Left by an earlier run of the same workflow id that never released it (terminated):
            // that run is closed (one run of an id is open at a time), its worktree is stale.
            await removeWorktree(root, dir);
            await rm(dir, { recursive: true, force: true });
            await rm(stateFile, { force: true });
          } else {
            if (existsSync(path.join(dir, '.git'))) return here(state);
            await attachOwnBranch(root, dir, state, savedRunId === undefined ? undefined : owner);
            return here(state);
          }
        }
        const branch = `feature/${input.feature}`;
        if (await branchExists(root, branch))
          throw branchTaken(root, branch, await branchOwner(root, branch));
        const state: PreparedWorkspace = { worktree: dir, branch, baseCommit: head };
        await writeFile(stateFile, JSON.stringify({ ...state, runId } satisfies SavedWorkspace));
        Context.current().heartbeat({ step: 'git worktree add' });
        await attachOwnBranch(root, dir, state, owner);
        return here(state);
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
