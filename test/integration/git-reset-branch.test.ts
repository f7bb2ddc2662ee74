/**
 * `resetBranchTo`, the clean-up of a cancelled run moving its branch back to the last phase completed
 * before the cancel: it drops only this run's commits after that phase, never a person's or another
 * run's, never a branch that went elsewhere.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addWorktree, commitFiles, git, resetBranchTo } from '../../src/git/git';

describe("moving a cancelled run's branch back", () => {
  let dir: string;
  let repo: string;
  let worktree: string;
  let base: string;

  /** A commit in the worktree with the trailers a phase writes. */
  const phaseCommit = async (n: number, workflowId: string) => {
    writeFileSync(path.join(worktree, `p${n}.txt`), `${n}\n`);
    return commitFiles(
      worktree,
      [`p${n}.txt`],
      `phase ${n}/6: x\n\nbody\n\nExecuted-By: python-backend-specialist\nWorkflow-Id: ${workflowId}`,
      '2026-01-01T00:00:00Z',
    );
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-git-'));
    repo = path.join(dir, 'repo');
    worktree = path.join(dir, 'wt');
    await git(dir, ['init', '--quiet', '-b', 'main', repo]);
    writeFileSync(path.join(repo, 'a.txt'), 'one\n');
    base = await commitFiles(repo, ['a.txt'], 'initial', '2026-01-01T00:00:00Z');
    await addWorktree(repo, worktree, 'feature/x', base);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("drops the run's commits made after the kept one", async () => {
    const kept = await phaseCommit(1, 'feature-x-1');
    await phaseCommit(2, 'feature-x-1');
    await phaseCommit(3, 'feature-x-1');
    expect(await resetBranchTo(repo, 'feature/x', kept, 'feature-x-1')).toBe(2);
    expect(await git(repo, ['rev-parse', 'feature/x'])).toBe(kept);
    expect(await resetBranchTo(repo, 'feature/x', kept, 'feature-x-1')).toBe(0);
  });

  it('refuses to drop a commit of another run or a person, and leaves the branch as it is', async () => {
    const kept = await phaseCommit(1, 'feature-x-1');
    const other = await phaseCommit(2, 'feature-x-2');
    await expect(resetBranchTo(repo, 'feature/x', kept, 'feature-x-1')).rejects.toThrow(
      /holds commits of another run or a person\): left as it is/,
    );
    expect(await git(repo, ['rev-parse', 'feature/x'])).toBe(other);
  });

  it('refuses a branch that went elsewhere, and drops nothing of a missing branch', async () => {
    const kept = await phaseCommit(1, 'feature-x-1');
    await git(worktree, ['reset', '--quiet', '--hard', base]);
    const elsewhere = await phaseCommit(2, 'feature-x-1');
    await expect(resetBranchTo(repo, 'feature/x', kept, 'feature-x-1')).rejects.toThrow(/went elsewhere/);
    expect(await git(repo, ['rev-parse', 'feature/x'])).toBe(elsewhere);
    expect(await resetBranchTo(repo, 'feature/missing', kept, 'feature-x-1')).toBe(0);
  });
});
