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
});
