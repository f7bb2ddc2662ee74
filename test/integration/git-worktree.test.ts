import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addWorktree, commitFiles, git, resetWorktree } from '../../src/git/git';

describe('resetting a run worktree', () => {
  let dir: string;
  let repo: string;
  let base: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-git-'));
    repo = path.join(dir, 'repo');
    await git(dir, ['init', '--quiet', '-b', 'main', repo]);
    writeFileSync(path.join(repo, 'a.txt'), 'one\n');
    base = await commitFiles(repo, ['a.txt'], 'initial', '2026-01-01T00:00:00Z');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('puts a linked worktree back at the commit, dropping edits and new files', async () => {
    const worktree = path.join(dir, 'wt');
    await addWorktree(repo, worktree, 'feature/x', base);
    writeFileSync(path.join(worktree, 'a.txt'), 'changed\n');
    writeFileSync(path.join(worktree, 'new.txt'), 'new\n');
    await resetWorktree(worktree, base);
    expect(readFileSync(path.join(worktree, 'a.txt'), 'utf8')).toBe('one\n');
    expect(existsSync(path.join(worktree, 'new.txt'))).toBe(false);
  });

  it("refuses a repository's main checkout and leaves its uncommitted work alone", async () => {
    writeFileSync(path.join(repo, 'a.txt'), 'work in progress\n');
    await expect(resetWorktree(repo, base)).rejects.toThrow(/main checkout, not a run's worktree/);
    expect(readFileSync(path.join(repo, 'a.txt'), 'utf8')).toBe('work in progress\n');
  });
});
