import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { createMemoryPool, loadMigrations, migrateMemoryDatabase } from '../../src/memory';
import { PROJECT_ROOT } from '../../src/python/interpreter';
import type { RunningPostgres } from '../../src/stack/embedded-postgres';
import { startTestPostgres } from '../helpers/postgres';

let pg: RunningPostgres;
const pools: Pool[] = [];
const tmpDirs: string[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
}, 60_000);

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  tmpDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  await pg?.stop();
}, 60_000);

/** A fresh database on the test server, and its URL. */
async function freshDatabase(name: string): Promise<string> {
  const admin = poolFor(pg.url);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(pg.url);
  url.pathname = `/${name}`;
  return url.toString();
}

function poolFor(url: string): Pool {
  const pool = new Pool({ connectionString: url, max: 2 });
  // An idle connection dropped by the server must fail the test that uses it, not crash the run.
  pool.on('error', () => {});
  pools.push(pool);
  return pool;
}

/** Runs the migrations in a separate Node process (TypeScript loaded through swc); resolves with its output. */
function migrateInChildProcess(
  url: string,
  dir?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `
    const { Pool } = require('pg');
    const { loadMigrations, migrateMemoryDatabase } = require(${JSON.stringify(path.join(PROJECT_ROOT, 'src/memory/migrate.ts'))});
    const pool = new Pool({ connectionString: process.env.URL, max: 1 });
    migrateMemoryDatabase(pool, process.env.DIR ? loadMigrations(process.env.DIR) : undefined)
      .then((applied) => { process.stdout.write(JSON.stringify(applied)); return pool.end(); })
      .catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exitCode = 1; return pool.end(); });
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', path.join(PROJECT_ROOT, 'bench/ts-register.js'), '-e', script],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, URL: url, DIR: dir ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('memory migrations', () => {
  it('apply once and record what ran; running them again changes nothing', async () => {
    const pool = poolFor(await freshDatabase('migrate_once'));
    expect(await migrateMemoryDatabase(pool)).toEqual(['1_memory']);
    expect(await migrateMemoryDatabase(pool)).toEqual([]);
    const { rows } = await pool.query('SELECT version, name FROM specialist_migrations ORDER BY version');
    expect(rows).toEqual([{ version: 1, name: 'memory' }]);
  });

  it('succeed in two separate processes started at the same time', async () => {
    const url = await freshDatabase('migrate_race');
    const [a, b] = await Promise.all([migrateInChildProcess(url), migrateInChildProcess(url)]);
    expect([a.code, a.stderr, b.code, b.stderr]).toEqual([0, '', 0, '']);
    // Exactly one of them applied the migration; the other found it recorded.
    expect([JSON.parse(a.stdout), JSON.parse(b.stdout)].sort()).toEqual([[], ['1_memory']]);
    const { rows } = await poolFor(url).query('SELECT count(*)::int AS n FROM specialist_migrations');
    expect(rows[0].n).toBe(1);
  });

  it('are applied once when two processes overlap on a slow migration', async () => {
    const url = await freshDatabase('migrate_overlap');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'memory-migrations-'));
    tmpDirs.push(dir);
    // Not idempotent on purpose: a second run would fail with "relation already exists".
    writeFileSync(path.join(dir, '001_slow.sql'), 'SELECT pg_sleep(1); CREATE TABLE slow_table (id int);');
    const [a, b] = await Promise.all([migrateInChildProcess(url, dir), migrateInChildProcess(url, dir)]);
    expect([a.code, a.stderr, b.code, b.stderr]).toEqual([0, '', 0, '']);
    expect([JSON.parse(a.stdout), JSON.parse(b.stdout)].sort()).toEqual([[], ['1_slow']]);
  });

  it('give the connection back with the pool statement timeout', async () => {
    const url = await freshDatabase('migrate_timeout');
    const pool = createMemoryPool({ connectionString: url, max: 1, statementTimeoutMs: 1234 });
    pools.push(pool);
    await migrateMemoryDatabase(pool);
    const { rows } = await pool.query('SHOW statement_timeout');
    expect(rows[0].statement_timeout).toBe('1234ms');
  });

  it('roll back a failing migration and record nothing for it', async () => {
    const pool = poolFor(await freshDatabase('migrate_failure'));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'memory-migrations-'));
    tmpDirs.push(dir);
    writeFileSync(path.join(dir, '001_ok.sql'), 'CREATE TABLE one (id int);');
    writeFileSync(path.join(dir, '002_broken.sql'), 'CREATE TABLE two (id int); SELECT no_such_function();');
    await expect(migrateMemoryDatabase(pool, loadMigrations(dir))).rejects.toThrow(
      /migration 2_broken failed: function no_such_function\(\) does not exist/,
    );
    const tables = await pool.query(`SELECT tablename FROM pg_tables WHERE tablename IN ('one', 'two')`);
    expect(tables.rows).toEqual([{ tablename: 'one' }]);
    const recorded = await pool.query('SELECT version FROM specialist_migrations');
    expect(recorded.rows).toEqual([{ version: 1 }]);
  });

  it('refuse to run when an applied migration was edited afterwards', async () => {
    const pool = poolFor(await freshDatabase('migrate_edited'));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'memory-migrations-'));
    tmpDirs.push(dir);
    writeFileSync(path.join(dir, '001_first.sql'), 'CREATE TABLE first_table (id int);');
    await migrateMemoryDatabase(pool, loadMigrations(dir));
    writeFileSync(path.join(dir, '001_first.sql'), 'CREATE TABLE first_table (id bigint);');
    await expect(migrateMemoryDatabase(pool, loadMigrations(dir))).rejects.toThrow(
      /1_first was applied with different contents/,
    );
  });
});
