/**
 * docker-compose.yml and the worker's Dockerfile, checked without a Docker engine: the compose file
 * validates with the compose client, and every file, npm script and command the image uses exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildProgram } from '../../src/client/cli';
import { parseEnv } from '../../src/config/env';
import { PROJECT_ROOT } from '../../src/python/interpreter';

function composeClient(): string[] | undefined {
  for (const candidate of [['docker', 'compose'], ['docker-compose']]) {
    const [cmd, ...args] = candidate as [string, ...string[]];
    if (spawnSync(cmd, [...args, 'version'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  return undefined;
}

const compose = composeClient();
// CI installs a compose client (.ci/run); a developer machine without one skips only this part.
const withCompose = compose || process.env.CI ? it : it.skip;

function runCompose(args: string[]) {
  if (!compose)
    throw new Error('no compose client: install Docker Compose (`docker compose` or `docker-compose`)');
  const [cmd, ...pre] = compose as [string, ...string[]];
  return spawnSync(cmd, [...pre, '-f', path.join(PROJECT_ROOT, 'docker-compose.yml'), ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
}

describe('docker-compose.yml', () => {
  withCompose('is a valid compose file', () => {
    const result = runCompose(['config', '-q']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  withCompose('runs PostgreSQL, Temporal on it, the Temporal UI and the worker', () => {
    const result = runCompose(['config', '--services']);
    expect(result.stdout.trim().split('\n').sort()).toEqual([
      'postgresql',
      'temporal',
      'temporal-ui',
      'worker',
    ]);
    const config = runCompose(['config']).stdout;
    expect(config).toMatch(/DB: postgres12/);
    expect(config).toMatch(/published: 8233/);
  });

  it('gives the worker a configuration the tool accepts', () => {
    const text = readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
    const url = /DATABASE_URL: (\S+)/.exec(text)?.[1];
    const address = /worker:[\s\S]*TEMPORAL_ADDRESS: (\S+)/.exec(text)?.[1];
    expect(parseEnv({ DATABASE_URL: url, TEMPORAL_ADDRESS: address })).toMatchObject({
      DATABASE_URL: url,
      TEMPORAL_ADDRESS: 'temporal:7233',
    });
  });
});

describe("the worker's Dockerfile", () => {
  const dockerfile = readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = dockerfile.split('\n').map((line) => line.trim());
  const ignored = readFileSync(path.join(PROJECT_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

  it('copies only files that exist and that .dockerignore lets through', () => {
    const sources = lines
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(existsSync(path.join(PROJECT_ROOT, source)) ? source : `missing: ${source}`).toBe(source);
      expect(ignored.filter((pattern) => source === pattern || source.startsWith(`${pattern}/`))).toEqual([]);
    }
  });

  it('uses only npm scripts that package.json defines', () => {
    const scripts = (
      JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const used = [...dockerfile.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(0);
    for (const script of used) expect(Object.keys(scripts)).toContain(script);
    expect(Object.keys(scripts)).toContain('prepare');
  });

  it('starts the `specialist worker` command', () => {
    const cmd = lines.find((line) => line.startsWith('CMD '));
    const argv = JSON.parse(cmd!.slice(4)) as string[];
    expect(argv.slice(0, 2)).toEqual(['node', 'bin/specialist.js']);
    expect(existsSync(path.join(PROJECT_ROOT, argv[1]!))).toBe(true);
    expect(buildProgram().commands.map((c) => c.name())).toContain(argv[2]);
  });
});
