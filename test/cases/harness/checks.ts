/**
 * The extra checks a case's expected.json may list, each judged on the case's repository after the
 * run (`base` = the project as given, `branch` = the run's feature branch). Each returns what is wrong
 * (empty when the check holds).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { exec, git } from './case-repo';
import type { CaseCheck } from './expectations';

const runBuffer = promisify(execFile);

/** A file's bytes at a commit (undefined when it does not exist there). */
async function showBytes(repo: string, commit: string, file: string): Promise<Buffer | undefined> {
  try {
    const { stdout } = await runBuffer('git', ['-C', repo, 'show', `${commit}:${file}`], {
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch {
    return undefined;
  }
}

const changedFiles = async (repo: string, branch: string) =>
  (await git(repo, ['diff', '--name-only', 'base', branch])).split('\n').filter(Boolean);

/** Creates a database with the base commit's code, then opens it twice with the branch's code. */
const OLD_DATABASE_SCRIPT = `
import asyncio, importlib, inspect, sqlite3, sys
module, cls, path, seed, table, column, opener = sys.argv[1:8]
Database = getattr(importlib.import_module(module), cls)
async def open_once():
    # aiosqlite classes open and close with await, sqlite3 ones without.
    db = Database(path)
    for result in (getattr(db, opener)(), db.close()):
        if inspect.isawaitable(result):
            await result
asyncio.run(open_once())
con = sqlite3.connect(path)
if seed:
    con.execute(seed)
    con.commit()
rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
# The project may print while it migrates: our result is the marked last line.
print("@@result@@", rows, cols.count(column))
`;

async function oldDatabaseGainsColumn(
  repo: string,
  branch: string,
  check: Extract<CaseCheck, { kind: 'old-database-gains-column' }>,
): Promise<string[]> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'case-old-db-'));
  const trees = { old: path.join(tmp, 'old'), new: path.join(tmp, 'new') };
  await git(repo, ['worktree', 'add', '--quiet', '--detach', trees.old, 'base']);
  await git(repo, ['worktree', 'add', '--quiet', '--detach', trees.new, branch]);
  try {
    const db = path.join(tmp, 'app.db');
    const open = (tree: string, seed = '') =>
      exec(
        path.join(repo, '.venv', 'bin', 'python'),
        [
          '-c',
          OLD_DATABASE_SCRIPT,
          check.module,
          check.class,
          db,
          seed,
          check.table,
          check.column,
          check.open,
        ],
        { cwd: tree, env: { ...process.env, PYTHONPATH: 'src', HOME: tmp }, timeoutMs: 60_000 },
      );
    const old = await open(trees.old, check.seed);
    if (old.code !== 0) return [`the base commit's code could not create the database: ${old.stderr.trim()}`];
    // The project's own output (it may print while it migrates) comes before our marked line.
    const result = (stdout: string) =>
      ([...stdout.split('\n')].reverse().find((l) => l.startsWith('@@result@@ ')) ?? '').split(' ').slice(1);
    const [rowsBefore] = result(old.stdout);
    const problems: string[] = [];
    for (const time of ['first', 'second']) {
      const opened = await open(trees.new);
      if (opened.code !== 0) {
        problems.push(
          `the branch's code could not open the old database (${time} time): ${opened.stderr.trim()}`,
        );
        break;
      }
      const [rows, count] = result(opened.stdout);
      if (count !== '1')
        problems.push(
          `after the ${time} open, ${check.table} has ${count} columns named ${check.column}, not 1`,
        );
      if (rows !== rowsBefore)
        problems.push(`after the ${time} open, ${check.table} has ${rows} rows, not ${rowsBefore}`);
    }
    return problems;
  } finally {
    for (const tree of Object.values(trees))
      await git(repo, ['worktree', 'remove', '--force', tree]).catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function noAddedLine(repo: string, branch: string, pattern: string, why: string) {
  const re = new RegExp(pattern);
  const diff = await git(repo, ['diff', 'base', branch, '--', 'src']);
  return diff
    .split('\n')
    .filter((line) => !line.startsWith('+++') && re.test(line))
    .map((line) => `added line ${JSON.stringify(line)} matches /${pattern}/ (${why})`);
}

async function branchContains(repo: string, branch: string, pattern: string, why: string) {
  const re = new RegExp(pattern, 'i');
  const files = (await git(repo, ['ls-tree', '-r', '--name-only', branch, '--', 'src'])).split('\n');
  for (const file of files.filter(Boolean)) {
    if (re.test((await showBytes(repo, branch, file))?.toString('latin1') ?? '')) return [];
  }
  return [`no file under src/ on ${branch} matches /${pattern}/i (${why})`];
}

const lines = (bytes: Buffer) => {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, start)) {
    out.push(bytes.subarray(start, i));
    start = i + 1;
  }
  out.push(bytes.subarray(start));
  return out;
};

async function encodingKept(repo: string, branch: string, name: string) {
  const file = (await changedFiles(repo, branch)).find((f) => f.endsWith(name));
  if (!file) return [`no changed file ends with ${name}`];
  const base = await showBytes(repo, 'base', file);
  const after = await showBytes(repo, branch, file);
  if (!base || !after) return [`${file} is missing at base or on ${branch}`];
  const problems: string[] = [];
  if (after.includes(Buffer.from([0xef, 0xbf, 0xbd])))
    problems.push(`${file} gained U+FFFD (a lost character)`);
  // Every base line, byte for byte, in order among the branch's lines.
  const afterLines = lines(after);
  let at = 0;
  for (const line of lines(base)) {
    while (at < afterLines.length && !afterLines[at]!.equals(line)) at++;
    if (at === afterLines.length) {
      problems.push(
        `${file}: the base line ${JSON.stringify(line.toString('latin1'))} is not kept byte for byte`,
      );
      break;
    }
    at++;
  }
  return problems;
}

async function crlfKept(repo: string, branch: string) {
  const problems: string[] = [];
  for (const file of (await changedFiles(repo, branch)).filter((f) => f.endsWith('.py'))) {
    const base = await showBytes(repo, 'base', file);
    if (!base || !base.includes('\r\n')) continue;
    const after = (await showBytes(repo, branch, file)) ?? Buffer.alloc(0);
    const bare = lines(after)
      .slice(0, -1)
      .filter((l) => l.at(-1) !== 13).length;
    if (bare > 0) problems.push(`${file} uses CRLF but ${bare} line(s) on ${branch} end in a bare LF`);
  }
  return problems;
}

function deliverableContains(deliverable: unknown, pattern: string, why: string): string[] {
  if (!deliverable) return [`no deliverable was printed (${why})`];
  return new RegExp(pattern).test(JSON.stringify(deliverable))
    ? []
    : [`the deliverable does not match /${pattern}/ (${why})`];
}

export function runCheck(
  repo: string,
  branch: string,
  check: CaseCheck,
  deliverable?: unknown,
): Promise<string[]> {
  switch (check.kind) {
    case 'deliverable-contains':
      return Promise.resolve(deliverableContains(deliverable, check.pattern, check.why));
    case 'old-database-gains-column':
      return oldDatabaseGainsColumn(repo, branch, check);
    case 'no-added-line':
      return noAddedLine(repo, branch, check.pattern, check.why);
    case 'branch-contains':
      return branchContains(repo, branch, check.pattern, check.why);
    case 'encoding-kept':
      return encodingKept(repo, branch, check.file);
    case 'crlf-kept':
      return crlfKept(repo, branch);
  }
}
