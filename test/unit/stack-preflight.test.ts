import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataDirProblem, postgresUserBlockedBy, postgresUserProblem } from '../../src/stack/preflight';
import { devServerArgs } from '../../src/stack/temporal-dev-server';
import { SEARCH_ATTRIBUTES } from '../../src/stack/search-attributes';

describe('stack preflight', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-preflight-'));
    chmodSync(dir, 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a data folder it can create and write', () => {
    expect(dataDirProblem(path.join(dir, 'home'))).toBeUndefined();
  });

  it('says which data folder is not writable and how to choose another', () => {
    writeFileSync(path.join(dir, 'file'), '');
    const problem = dataDirProblem(path.join(dir, 'file', 'home'));
    expect(problem).toMatch(/data folder .*file\/home is not writable \(ENOTDIR\)/);
    expect(problem).toContain('SPECIALIST_HOME');
  });

  const asRoot = process.getuid?.() === 0 ? it : it.skip;

  asRoot('as root, names the folder the postgres user cannot enter', () => {
    const locked = path.join(dir, 'locked');
    mkdirSync(locked, { mode: 0o700 });
    chmodSync(locked, 0o700);
    const data = path.join(locked, 'project', '.specialist', 'postgres');
    expect(postgresUserBlockedBy(data)).toBe(locked);
    expect(postgresUserProblem(data)).toMatch(/user postgres, which cannot enter .*locked.*SPECIALIST_HOME/);
  });

  asRoot('as root, accepts a data folder whose parents everyone may enter', () => {
    expect(postgresUserBlockedBy(path.join(dir, 'home', 'postgres'))).toBeUndefined();
  });
});

describe('devServerArgs', () => {
  const args = devServerArgs({ cli: 'temporal', dbFile: '/d/temporal/history.db', port: 7001, uiPort: 8001 });

  it('keeps history in the SQLite file and binds to loopback', () => {
    expect(args.join(' ')).toContain('server start-dev --ip 127.0.0.1 --port 7001 --ui-port 8001');
    expect(args.join(' ')).toContain('--db-filename /d/temporal/history.db');
  });

  it("registers every one of the project's search attributes", () => {
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
      expect(args.join(' ')).toContain(`--search-attribute ${name}=${type}`);
    }
    expect(Object.keys(SEARCH_ATTRIBUTES)).toEqual([
      'SpecialistFeature',
      'SpecialistPhase',
      'SpecialistStatus',
    ]);
  });
});
