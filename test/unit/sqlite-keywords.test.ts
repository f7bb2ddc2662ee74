/**
 * The SQLite keyword sets of src/spec/identifiers.ts, checked against the sqlite3 library itself
 * through Python: its own keyword list (sqlite3_keyword_name), and for every keyword whether a bare
 * column of that name works in each statement the phases write or a project runs, and reads back the
 * column's value. Python's BaseModel attributes are checked against the field-name rule the same way.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SHARED_VENV } from '../../src/python/interpreter';
import {
  fieldNameProblem,
  SQLITE_KEYWORDS,
  SQLITE_REJECTED_NAMES,
  SQLITE_VALUE_KEYWORDS,
  sqlIdentifierProblem,
} from '../../src/spec/identifiers';

const python = (() => {
  const shared = path.join(SHARED_VENV, 'bin', 'python');
  return existsSync(shared) ? shared : 'python3';
})();

function runPython(script: string, input: unknown): unknown {
  const result = spawnSync(python, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${python} failed: ${result.stderr || result.error?.message}`);
  return JSON.parse(result.stdout);
}

const KEYWORDS_OF_SQLITE = `
import ctypes, json, _sqlite3
lib = ctypes.CDLL(_sqlite3.__file__)
lib.sqlite3_keyword_name.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_int)]
names = []
for i in range(lib.sqlite3_keyword_count()):
    p, n = ctypes.c_char_p(), ctypes.c_int()
    assert lib.sqlite3_keyword_name(i, ctypes.byref(p), ctypes.byref(n)) == 0
    names.append(p.value[:n.value].decode().lower())
print(json.dumps({"version": _sqlite3.sqlite_version, "keywords": names}))
`;

/** Every statement shape a new column meets; {k} is the bare name. */
const BARE_COLUMN_USES = `
import json, sqlite3, sys
SETUP = "CREATE TABLE t (x INTEGER PRIMARY KEY, {k} TEXT)"
USES = [
    ["CREATE TABLE t (x INTEGER PRIMARY KEY, {k} TEXT NOT NULL DEFAULT 'a', y TEXT)"],
    ["CREATE TABLE u (x INTEGER PRIMARY KEY)", "ALTER TABLE u ADD COLUMN {k} TEXT"],
    ["CREATE TABLE u (x INTEGER PRIMARY KEY)", "ALTER TABLE u ADD COLUMN {k} TEXT DEFAULT NULL"],
    [SETUP, "INSERT INTO t (x, {k}) VALUES (1, 'a')"],
    [SETUP, "INSERT INTO t (x, {k}) VALUES (1, 'a') ON CONFLICT(x) DO UPDATE SET {k} = excluded.{k}"],
    [SETUP, "SELECT {k} FROM t"],
    [SETUP, "SELECT x, {k} FROM t WHERE {k} = 1 ORDER BY {k}"],
    [SETUP, "SELECT x FROM t WHERE x = 1 AND {k} IS NULL"],
    [SETUP, "SELECT t.{k} FROM t"],
    [SETUP, "UPDATE t SET x = 2, {k} = 'b' WHERE x = 1"],
]
failing = {}
for k in json.load(sys.stdin):
    for use in USES:
        db = sqlite3.connect(":memory:")
        try:
            for statement in use:
                db.execute(statement.format(k=k))
        except sqlite3.Error as err:
            failing.setdefault(k, f"{use[-1].format(k=k)}: {err}")
            break
    if k in failing:
        continue
    # Accepted everywhere: does a bare name read the column back (not a value of the same spelling)?
    db = sqlite3.connect(":memory:")
    db.execute(SETUP.format(k=k))
    db.execute(f"INSERT INTO t (x, {k}) VALUES (1, 'v')")
    if db.execute(f"SELECT {k} FROM t WHERE {k} = 'v'").fetchall() != [("v",)]:
        failing[k] = f"SELECT {k} FROM t does not read the column"
print(json.dumps(failing))
`;

describe('SQLite keywords as column names (checked with the sqlite3 library)', () => {
  it('knows every keyword of the SQLite in use', () => {
    const { version, keywords } = runPython(KEYWORDS_OF_SQLITE, null) as {
      version: string;
      keywords: string[];
    };
    const missing = keywords.filter((k) => !SQLITE_KEYWORDS.has(k));
    expect({ version, missing }).toEqual({ version, missing: [] });
    expect(keywords.length).toBeGreaterThanOrEqual(147);
  });

  it('refuses exactly the keywords SQLite rejects or misreads as a bare column name', () => {
    const failing = runPython(BARE_COLUMN_USES, [...SQLITE_KEYWORDS]) as Record<string, string>;
    const refused = new Set([...SQLITE_REJECTED_NAMES, ...SQLITE_VALUE_KEYWORDS]);
    // Every keyword we allow works in every statement (safety) ...
    expect([...SQLITE_KEYWORDS].filter((k) => !refused.has(k) && failing[k])).toEqual([]);
    // ... and every keyword we refuse does fail somewhere (no needless refusal).
    expect([...refused].filter((k) => !failing[k])).toEqual([]);
    expect(Object.keys(failing)).toContain('deferrable');
  });

  it('gives the refusal for field and table names, in any case, and allows keywords SQLite takes as names', () => {
    expect(fieldNameProblem('deferrable')).toMatch(/"deferrable" is an SQLite keyword that SQLite rejects/);
    expect(fieldNameProblem('Order')).toMatch(/SQLite keyword/);
    expect(fieldNameProblem('current_timestamp')).toMatch(/reads as the current time/);
    expect(sqlIdentifierProblem('references')).toMatch(/SQLite keyword/);
    for (const name of ['key', 'desc', 'action', 'priority', 'summary'])
      expect(fieldNameProblem(name)).toBeUndefined();
  });
});

describe('field names against pydantic.BaseModel (checked with Pydantic itself)', () => {
  it('refuses every public attribute of BaseModel', () => {
    const names = runPython(
      'import json; from pydantic import BaseModel; print(json.dumps([n for n in dir(BaseModel) if not n.startswith("_")]))',
      null,
    ) as string[];
    expect(names).toContain('model_dump');
    expect(names.filter((n) => fieldNameProblem(n) === undefined)).toEqual([]);
  });
});
