/** One run per branch, the client's part: the workflow id of a feature on a repository, and spec comparison. */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { canonicalJson } from '../../src/client/commands/run-open';
import { repositoryKey, runWorkflowId } from '../../src/client/commands/run-identity';

describe('runWorkflowId', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'run-identity-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: scratch, stdio: 'pipe' });
    git('init', '-q', '-b', 'main', 'repo');
    git(
      '-C',
      'repo',
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@t',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'base',
    );
    git('-C', 'repo', 'worktree', 'add', '-q', '../linked', '-b', 'other');
    git('init', '-q', '-b', 'main', 'another');
    symlinkSync(path.join(scratch, 'repo'), path.join(scratch, 'alias'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('is the same for a feature on one repository, whichever checkout or path names it', async () => {
    const id = runWorkflowId('task-summary', await repositoryKey(path.join(scratch, 'repo')));
    expect(id).toMatch(/^feature-task-summary-[0-9a-f]{8}$/);
    expect(runWorkflowId('task-summary', await repositoryKey(path.join(scratch, 'linked')))).toBe(id);
    expect(runWorkflowId('task-summary', await repositoryKey(path.join(scratch, 'alias')))).toBe(id);
  });

  it('differs for another feature or another repository', async () => {
    const key = await repositoryKey(path.join(scratch, 'repo'));
    expect(runWorkflowId('task-owner', key)).not.toBe(runWorkflowId('task-summary', key));
    expect(runWorkflowId('task-summary', await repositoryKey(path.join(scratch, 'another')))).not.toBe(
      runWorkflowId('task-summary', key),
    );
  });
});

describe('canonicalJson', () => {
  it('ignores key order (jsonb gives keys back in its own order) but not values or array order', () => {
    expect(canonicalJson({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(
      canonicalJson({ b: { d: 'x', c: [1, 2] }, a: 1 }),
    );
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });
});
