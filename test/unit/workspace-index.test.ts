/**
 * The workspace's Python files: what `git ls-files` lists at the top of a repository (tracked and
 * untracked files, not what .gitignore excludes), the folder walked elsewhere; both sorted and
 * skipping virtualenvs, caches and hidden folders alike.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { indexWorkspace } from '../../src/analysis/workspace-index';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function project(files: string[]): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'specialist-index-'));
  roots.push(root);
  for (const file of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), file.endsWith('.py') ? 'x = 1\n' : 'local_settings.py\n');
  }
  return root;
}

const git = (root: string, args: string[]) =>
  execFileSync('git', ['-C', root, '-c', 'user.name=t', '-c', 'user.email=t@localhost', ...args], {
    stdio: 'ignore',
  });

const FILES = [
  'src/app/__init__.py',
  'src/app/models.py',
  'src/app/local_settings.py',
  'tests/test_models.py',
  '.venv/lib/site.py',
  'src/app/__pycache__/models.py',
  '.hidden/tool.py',
  '.gitignore',
];

describe('the Python files of a workspace', () => {
  it('a folder that is no repository is walked', () => {
    const root = project(FILES);
    expect(indexWorkspace(root).files.map((f) => f.path)).toEqual([
      'src/app/__init__.py',
      'src/app/local_settings.py',
      'src/app/models.py',
      'tests/test_models.py',
    ]);
  });

  it('at the top of a repository: tracked and untracked files, not the ignored ones nor deleted ones', () => {
    const root = project(FILES);
    git(root, ['init', '-q']);
    git(root, ['add', 'src/app/__init__.py', 'src/app/models.py', 'tests/test_models.py', '.gitignore']);
    git(root, ['commit', '-qm', 'x']);
    writeFileSync(path.join(root, 'src/app/new_module.py'), 'y = 2\n');
    unlinkSync(path.join(root, 'tests/test_models.py'));
    symlinkSync(path.join(root, 'src/app/models.py'), path.join(root, 'src/app/linked.py'));
    expect(indexWorkspace(root).files.map((f) => f.path)).toEqual([
      'src/app/__init__.py',
      'src/app/models.py',
      'src/app/new_module.py',
    ]);
  });

  it('a folder inside a repository (which may ignore it) is walked', () => {
    const root = project(FILES.map((f) => `sub/${f}`));
    git(root, ['init', '-q']);
    writeFileSync(path.join(root, '.gitignore'), 'sub/\n');
    expect(indexWorkspace(path.join(root, 'sub')).files.map((f) => f.path)).toContain('src/app/models.py');
  });
});
