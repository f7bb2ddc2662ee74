/**
 * The case files hold together without running anything: every expected.json parses, every case has
 * its spec and project, the known-failing list names only real cases, nothing points outside the
 * repository, and the HOME snapshot sees additions, changes and removals.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CASES_DIR, loadCases, loadKnownFailing } from '../cases/harness/expectations';
import { diffHome, snapshotHome } from '../cases/harness/home-snapshot';

describe('test/cases', () => {
  const cases = loadCases();

  it('has every case with its spec, its project and a well-formed expectation', () => {
    expect(cases.length).toBeGreaterThanOrEqual(27);
    for (const c of cases) {
      expect(existsSync(c.spec)).toBe(true);
      expect(existsSync(path.join(c.project, 'pyproject.toml'))).toBe(true);
      if (c.expected.outcome !== 'ok') expect(() => new RegExp(c.expected.refusal!, 'i')).not.toThrow();
    }
  });

  it('lists as known failing only cases and samples that exist', () => {
    expect(() => loadKnownFailing()).not.toThrow();
  });

  it('stands alone: no file refers to a folder outside the repository', () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const full = path.join(dir, name);
        return statSync(full).isDirectory() ? walk(full) : [full];
      });
    const outside = walk(CASES_DIR).filter((file) =>
      /\.\.\/shared|\/work\/shared/.test(readFileSync(file, 'latin1')),
    );
    expect(outside).toEqual([]);
  });
});

describe('the HOME snapshot', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'home-snapshot-'));
    mkdirSync(path.join(home, '.config'));
    writeFileSync(path.join(home, '.config', 'a.toml'), 'a = 1\n');
    writeFileSync(path.join(home, '.profile'), 'x\n');
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('is unchanged when nothing was written', () => {
    expect(diffHome(snapshotHome(home), snapshotHome(home))).toEqual([]);
  });

  it('sees a new folder and file, a rewritten file (same size, new mtime) and a removed one', () => {
    const before = snapshotHome(home);
    mkdirSync(path.join(home, '.app'));
    writeFileSync(path.join(home, '.app', 'app.db'), 'db');
    writeFileSync(path.join(home, '.config', 'a.toml'), 'a = 2\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(home, '.config', 'a.toml'), later, later);
    rmSync(path.join(home, '.profile'));
    const changes = diffHome(before, snapshotHome(home));
    expect(changes).toEqual([
      'added .app',
      'added .app/app.db',
      expect.stringMatching(/^changed \.config\/a\.toml/),
      'removed .profile',
    ]);
  });
});
