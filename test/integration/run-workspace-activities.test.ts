/** The workspace activities on a real git repository: idempotent preparation, refusals, clean release. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createWorkspaceActivities } from '../../src/activities/workspace-activities';
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
});
