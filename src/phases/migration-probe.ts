/**
 * The migration check of phase 2 (the sqlite-migration-specialist's "validate on a fresh database and
 * on one created with the old schema"): in an in-memory SQLite, the edited CREATE TABLE and the old
 * CREATE TABLE + the PRAGMA-checked ALTER (run twice) must give the new column the same definition.
 */
import { spawnSync } from 'node:child_process';
import type { FieldAnchors } from '../analysis/anchor-map';
import { columnDefinition } from '../codemods/field';
import { closingParen, createTableRegex } from '../codemods/sql';
import { findAll, parsePython, stringValue } from '../python-syntax/parse';
import type { FieldChange } from '../spec/feature-spec';
import type { PhaseEditResult } from './contract';

type Check = PhaseEditResult['checks'][number];

/** The first `CREATE TABLE <table> (...)` statement held in a string literal of `source`. */
export function createTableSql(source: string, table: string): string | undefined {
  for (const str of findAll(parsePython(source).rootNode, 'string')) {
    const value = stringValue(str) ?? '';
    const m = createTableRegex(table).exec(value);
    if (!m) continue;
    const close = closingParen(value, m.index + m[0].length - 1);
    if (close > 0) return value.slice(m.index, close + 1);
  }
  return undefined;
}

const SCRIPT = `
import json, sqlite3, sys
p = json.loads(sys.argv[1])
def column(conn):
    rows = conn.execute(f"PRAGMA table_info({p['table']})").fetchall()
    return next(([r[2].upper(), r[3], r[4]] for r in rows if r[1] == p["column"]), None)
fresh = sqlite3.connect(":memory:")
fresh.execute(p["new"])
old = sqlite3.connect(":memory:")
old.execute(p["old"])
for _ in range(2):  # the migration runs on every start: the second run must be a no-op
    names = [r[1] for r in old.execute(f"PRAGMA table_info({p['table']})").fetchall()]
    if p["column"] not in names:
        old.execute(p["alter"])
print(json.dumps({"fresh": column(fresh), "migrated": column(old)}))
`;

export function migrationProbe(
  python: string,
  a: FieldAnchors,
  change: FieldChange,
  before: string,
  after: string,
): Check {
  const name = `migrate ${a.table}.${a.field} on a fresh and an old-schema database`;
  const oldSql = createTableSql(before, a.table);
  const newSql = createTableSql(after, a.table);
  if (!oldSql || !newSql)
    return { name: `${name} (skipped)`, passed: true, detail: 'no CREATE TABLE literal to replay' };
  const probe = {
    table: a.table,
    column: a.field,
    old: oldSql,
    new: newSql,
    alter: `ALTER TABLE ${a.table} ADD COLUMN ${columnDefinition({ ...change, enums: Object.fromEntries(a.enums.map((e) => [e.className, e.members])) }, a.sqlType)}`,
  };
  const run = spawnSync(python, ['-c', SCRIPT, JSON.stringify(probe)], { encoding: 'utf8', timeout: 60_000 });
  if (run.error || run.status !== 0) {
    return { name, passed: false, detail: (run.error?.message ?? run.stderr).trim().slice(-1000) };
  }
  const out = JSON.parse(run.stdout.trim()) as { fresh: unknown; migrated: unknown };
  const same = JSON.stringify(out.fresh) === JSON.stringify(out.migrated) && out.fresh !== null;
  return {
    name,
    passed: same,
    detail: `fresh: ${JSON.stringify(out.fresh)}, migrated: ${JSON.stringify(out.migrated)} (type, notnull, default)`,
  };
}
