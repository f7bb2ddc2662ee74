/** The workspace activities on a real git repository: idempotent preparation, refusals, clean release. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createWorkspaceActivities, worktreeFolderName } from '../../src/activities/workspace-activities';
import { copySample } from '../../src/client/demo';
import { git } from '../../src/git/git';
import { PROJECT_ROOT } from '../../src/python/interpreter';
import type { PreparedWorkspace } from '../../src/workflows/run-types';

describe('the run workspace', () => {
  let scratch: string;
  let repo: string;
  const env = new MockActivityEnvironment();

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'specialist-ws-'));
    repo = await copySample(path.join(PROJECT_ROOT, 'examples/taskqueue'));
  }, 60_000);

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  });

  const activities = () => createWorkspaceActivities({ worktreesDir: path.join(scratch, 'worktrees') });

  it('creates the worktree once and finds it again on a retry', async () => {
    const { prepareWorkspace } = activities();
    const input = { workflowId: 'feature-x-1', workspace: repo, feature: 'x' };
    const first = (await env.run(prepareWorkspace, input)) as PreparedWorkspace;
    expect(first.branch).toBe('feature/x');
    expect(first.baseCommit).toBe(await git(repo, ['rev-parse', 'HEAD']));
    expect(await env.run(prepareWorkspace, input)).toEqual(first);
    expect(await git(first.worktree, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('feature/x');
  });

  it('recreates a worktree folder that vanished, on the same branch', async () => {
    const { prepareWorkspace } = activities();
    const input = { workflowId: 'feature-x-1', workspace: repo, feature: 'x' };
    const state = (await env.run(prepareWorkspace, input)) as PreparedWorkspace;
    rmSync(state.worktree, { recursive: true, force: true });
    expect(await env.run(prepareWorkspace, input)).toEqual(state);
    expect(await git(state.worktree, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('feature/x');
  });

  it('refuses a branch an earlier run left, naming the command that deletes it', async () => {
    const { prepareWorkspace } = activities();
    await expect(
      env.run(prepareWorkspace, { workflowId: 'feature-x-2', workspace: repo, feature: 'x' }),
    ).rejects.toMatchObject({
      type: 'WorkspaceInvalid',
      nonRetryable: true,
      message: expect.stringMatching(/branch -D feature\/x/),
    });
  });

  /** An activity environment of one run (workflow id + run id), as a worker gives it. */
  const runEnv = (workflowId: string, runId: string) =>
    new MockActivityEnvironment({ workflowExecution: { workflowId, runId } });

  it('gives feature/<name> to one of two runs preparing it together; the other stops, naming the owner', async () => {
    const { prepareWorkspace } = activities();
    const a = runEnv('feature-race-a', 'run-a');
    const b = runEnv('feature-race-b', 'run-b');
    const input = (workflowId: string) => ({ workflowId, workspace: repo, feature: 'race' });
    const results = await Promise.allSettled([
      a.run(prepareWorkspace, input('feature-race-a')),
      b.run(prepareWorkspace, input('feature-race-b')),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<PreparedWorkspace>).value;
    const winnerId = results[0]!.status === 'fulfilled' ? 'feature-race-a' : 'feature-race-b';
    const loser =
      winnerId === 'feature-race-a' ? { env: b, id: 'feature-race-b' } : { env: a, id: 'feature-race-a' };
    // The loser's own retry (its state file is there) must not take the winner's branch either —
    // not even once the winner released its worktree (the reset to the base that lost a run's work).
    await env.run(activities().releaseWorkspace, { workspace: repo, worktree: winner.worktree });
    await git(repo, ['update-ref', 'refs/heads/feature/race', await commitOnTop(repo, 'feature/race')]);
    const tip = await git(repo, ['rev-parse', 'feature/race']);
    await expect(loser.env.run(prepareWorkspace, input(loser.id))).rejects.toMatchObject({
      type: 'WorkspaceInvalid',
      nonRetryable: true,
      message: expect.stringContaining(`run ${winnerId} made it`),
    });
    expect(await git(repo, ['rev-parse', 'feature/race'])).toBe(tip);
    expect(await git(repo, ['worktree', 'list'])).not.toContain(worktreeFolderName(loser.id));
  });

  it('finds its own branch again on a retry after the worktree folder vanished', async () => {
    const { prepareWorkspace } = activities();
    const own = runEnv('feature-own-1', 'run-1');
    const input = { workflowId: 'feature-own-1', workspace: repo, feature: 'own' };
    const state = (await own.run(prepareWorkspace, input)) as PreparedWorkspace;
    await git(repo, ['worktree', 'remove', '--force', state.worktree]);
    expect(await own.run(prepareWorkspace, input)).toEqual(state);
    expect(await git(state.worktree, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('feature/own');
  });

  it('replaces a worktree an earlier run of the same workflow id left behind', async () => {
    const { prepareWorkspace } = activities();
    const input = { workflowId: 'feature-again-1', workspace: repo, feature: 'again' };
    const first = (await runEnv('feature-again-1', 'run-1').run(
      prepareWorkspace,
      input,
    )) as PreparedWorkspace;
    // That run was terminated without releasing; its branch was deleted by a person.
    await git(repo, ['worktree', 'remove', '--force', first.worktree]);
    await git(repo, ['branch', '-D', 'feature/again']);
    const second = (await runEnv('feature-again-1', 'run-2').run(
      prepareWorkspace,
      input,
    )) as PreparedWorkspace;
    expect(second.branch).toBe('feature/again');
    expect(await git(second.worktree, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('feature/again');
    expect(await git(repo, ['reflog', 'show', '--format=%gs', 'refs/heads/feature/again', '--'])).toContain(
      'feature-again-1 run-2',
    );
  });

  it('refuses a folder that is not a git repository', async () => {
    const { prepareWorkspace } = activities();
    await expect(
      env.run(prepareWorkspace, { workflowId: 'feature-y-1', workspace: scratch, feature: 'y' }),
    ).rejects.toMatchObject({
      type: 'WorkspaceInvalid',
      message: expect.stringMatching(/not a git repository/),
    });
  });

  it('removes the worktree on release and keeps the branch', async () => {
    const { prepareWorkspace, releaseWorkspace } = activities();
    const state = (await env.run(prepareWorkspace, {
      workflowId: 'feature-x-1',
      workspace: repo,
      feature: 'x',
    })) as PreparedWorkspace;
    await env.run(releaseWorkspace, { workspace: repo, worktree: state.worktree });
    expect(await git(repo, ['worktree', 'list'])).not.toContain(state.worktree);
    expect(await git(repo, ['rev-parse', '--verify', 'feature/x'])).toBe(state.baseCommit);
  });

  it('removes an empty branch when asked (an abort before any phase), so the feature can run again', async () => {
    const { prepareWorkspace, releaseWorkspace } = activities();
    const first = (await env.run(prepareWorkspace, {
      workflowId: 'feature-empty-1',
      workspace: repo,
      feature: 'empty',
    })) as PreparedWorkspace;
    const removeEmptyBranch = { branch: first.branch, baseCommit: first.baseCommit };
    const released = await env.run(releaseWorkspace, {
      workspace: repo,
      worktree: first.worktree,
      removeEmptyBranch,
    });
    expect(released).toEqual({ branchRemoved: true });
    expect(await git(repo, ['branch', '--list', 'feature/empty'])).toBe('');
    // Idempotent: a retried release finds it gone.
    expect(
      await env.run(releaseWorkspace, { workspace: repo, worktree: first.worktree, removeEmptyBranch }),
    ).toEqual({ branchRemoved: true });
    // The next run of the feature is not blocked.
    const next = (await env.run(prepareWorkspace, {
      workflowId: 'feature-empty-2',
      workspace: repo,
      feature: 'empty',
    })) as PreparedWorkspace;
    expect(next.branch).toBe('feature/empty');
  });

  it('keeps a branch that has commits even when asked to remove it empty', async () => {
    const { prepareWorkspace, releaseWorkspace } = activities();
    const state = (await env.run(prepareWorkspace, {
      workflowId: 'feature-kept-1',
      workspace: repo,
      feature: 'kept',
    })) as PreparedWorkspace;
    await git(state.worktree, [
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@t',
      'commit',
      '--quiet',
      '--allow-empty',
      '-m',
      'work someone may want',
    ]);
    const tip = await git(repo, ['rev-parse', 'feature/kept']);
    const released = await env.run(releaseWorkspace, {
      workspace: repo,
      worktree: state.worktree,
      removeEmptyBranch: { branch: state.branch, baseCommit: state.baseCommit },
    });
    expect(released).toEqual({ branchRemoved: false });
    expect(await git(repo, ['rev-parse', 'feature/kept'])).toBe(tip);
  });

  it('starts a run over on another worker: the lost worktree goes, the branch back to the base, a new worktree', async () => {
    // Worker A's and worker B's data folders (two hosts; here one disk, so A's folder can be seen).
    const onA = createWorkspaceActivities({
      worktreesDir: path.join(scratch, 'a'),
      ownTaskQueue: 'q/worker-a',
    });
    const onB = createWorkspaceActivities({
      worktreesDir: path.join(scratch, 'b'),
      ownTaskQueue: 'q/worker-b',
    });
    const run = runEnv('feature-moved-1', 'run-1');
    const input = { workflowId: 'feature-moved-1', workspace: repo, feature: 'moved' };
    const lost = (await run.run(onA.prepareWorkspace, input)) as PreparedWorkspace;
    expect(lost.taskQueue).toBe('q/worker-a');
    // Two phases the lost worktree committed (this run's: its Workflow-Id trailer).
    for (const phase of [1, 2])
      await git(lost.worktree, [
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@t',
        'commit',
        '--quiet',
        '--allow-empty',
        '-m',
        `phase ${phase}\n\nWorkflow-Id: feature-moved-1`,
      ]);
    const again = (await run.run(onB.prepareWorkspace, { ...input, takeOver: lost })) as PreparedWorkspace;
    expect(again).toEqual({
      worktree: path.join(scratch, 'b', 'feature-moved-1'),
      branch: 'feature/moved',
      baseCommit: lost.baseCommit,
      taskQueue: 'q/worker-b',
    });
    expect(await git(repo, ['rev-parse', 'feature/moved'])).toBe(lost.baseCommit);
    expect(await git(again.worktree, ['rev-parse', 'HEAD'])).toBe(lost.baseCommit);
    const worktrees = await git(repo, ['worktree', 'list', '--porcelain']);
    expect(worktrees).toContain(again.worktree);
    expect(worktrees).not.toContain(lost.worktree);
    expect(existsSync(lost.worktree)).toBe(false);
    // Idempotent: a retry of the same step gives the same fresh worktree.
    expect(await run.run(onB.prepareWorkspace, { ...input, takeOver: lost })).toEqual(again);
  });

  it('does not start over on a branch that holds a commit of someone else, nor on a branch of another run', async () => {
    const onA = createWorkspaceActivities({
      worktreesDir: path.join(scratch, 'a'),
      ownTaskQueue: 'q/worker-a',
    });
    const onB = createWorkspaceActivities({
      worktreesDir: path.join(scratch, 'b'),
      ownTaskQueue: 'q/worker-b',
    });
    const input = { workflowId: 'feature-held-1', workspace: repo, feature: 'held' };
    const lost = (await runEnv('feature-held-1', 'run-1').run(
      onA.prepareWorkspace,
      input,
    )) as PreparedWorkspace;
    await git(repo, ['update-ref', 'refs/heads/feature/held', await commitOnTop(repo, 'feature/held')]);
    const tip = await git(repo, ['rev-parse', 'feature/held']);
    await expect(
      runEnv('feature-held-1', 'run-1').run(onB.prepareWorkspace, { ...input, takeOver: lost }),
    ).rejects.toMatchObject({
      type: 'WorkspaceInvalid',
      message: expect.stringMatching(/another run or a person/),
    });
    expect(await git(repo, ['rev-parse', 'feature/held'])).toBe(tip);
    // Another run (another run id) never takes the branch over.
    await expect(
      runEnv('feature-held-1', 'run-2').run(onB.prepareWorkspace, { ...input, takeOver: lost }),
    ).rejects.toMatchObject({ type: 'WorkspaceInvalid', message: expect.stringMatching(/already exists/) });
    expect(await git(repo, ['rev-parse', 'feature/held'])).toBe(tip);
  });
});

/** A commit on top of `branch` (made without a checkout): the branch has moved on since its run. */
async function commitOnTop(repo: string, branch: string): Promise<string> {
  const tree = await git(repo, ['rev-parse', `${branch}^{tree}`]);
  return git(repo, ['commit-tree', tree, '-p', branch, '-m', 'a phase of the owner'], {
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@t',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@t',
  });
}
