/**
 * Phases 1–5 on copies of examples/taskqueue whose files are written as real projects write them: a
 * latin-1 file with its `coding:` declaration, CRLF line endings, tab indentation. Every byte outside
 * the edits stays as it was, and new lines follow each file's encoding, line endings and indentation.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyEditPhase } from '../../src/phases/edit-phases';
import { EDIT_PHASES } from '../../src/phases/phase-codemods';
import { diffLines } from '../../src/phases/unified-diff';
import { parseFeatureSpec } from '../../src/spec/feature-spec';

const REPO = path.resolve(__dirname, '..', '..');
const PKG = 'src/taskqueue';
const MODELS = `${PKG}/domain/models.py`;
const DATABASE = `${PKG}/infrastructure/database.py`;
const SERVICE = `${PKG}/services/task_queue_service.py`;
const SERVER = `${PKG}/mcp/task_queue_server.py`;
const spec = parseFeatureSpec(
  JSON.parse(readFileSync(path.join(REPO, 'examples', 'specs', 'task-summary.json'), 'utf8')),
);

/** Lines of a file as bytes, each with its own ending. */
function lines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) {
    out.push(bytes.subarray(start, i + 1));
    start = i + 1;
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}

const isSubsequence = (short: string, long: string) => {
  let k = 0;
  for (const ch of long) if (ch === short[k]) k++;
  return k === short.length;
};

/**
 * The lines `after` adds to `before` (as latin-1 strings, endings included). Every line of `before`
 * is kept byte for byte, or is a line the codemods inserted into (still a subsequence of a new line).
 */
function addedLines(before: Buffer, after: Buffer): string[] {
  const text = (b: Buffer) => lines(b).map((l) => l.toString('latin1'));
  const ops = diffLines(text(before), text(after));
  const added = ops.filter((o) => o.kind === '+').map((o) => o.line);
  const removed = ops.filter((o) => o.kind === '-').map((o) => o.line);
  for (const line of removed) expect([line, added.some((a) => isSubsequence(line, a))]).toEqual([line, true]);
  return added;
}

const toTabs = (text: string) => text.replace(/^((?: {4})+)/gm, (spaces) => '\t'.repeat(spaces.length / 4));

describe('applyEditPhase keeps each file as it was outside the edits', () => {
  let dir: string;
  const before = new Map<string, Buffer>();
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-format-'));
    cpSync(path.join(REPO, 'examples', 'taskqueue'), dir, {
      recursive: true,
      filter: (src) => !/(__pycache__|\.pytest_cache|\.mypy_cache)$/.test(src),
    });
    const file = (rel: string) => path.join(dir, rel);
    const models = readFileSync(file(MODELS), 'utf8').replace(
      '"""Domain models for the task queue."""',
      '# -*- coding: latin-1 -*-\n"""Domain models for the task queue (modèles du domaine, Société Générale de Tâches)."""',
    );
    writeFileSync(file(MODELS), Buffer.from(models.replace(/\n/g, '\r\n'), 'latin1'));
    writeFileSync(file(DATABASE), toTabs(readFileSync(file(DATABASE), 'utf8')).replace(/\n/g, '\r\n'));
    writeFileSync(file(SERVICE), toTabs(readFileSync(file(SERVICE), 'utf8')));
    writeFileSync(file(SERVER), toTabs(readFileSync(file(SERVER), 'utf8')).replace(/\n/g, '\r\n'));
    for (const rel of [MODELS, DATABASE, SERVICE, SERVER]) before.set(rel, readFileSync(file(rel)));
    for (const phase of EDIT_PHASES) {
      const result = await applyEditPhase(dir, spec, phase);
      expect(result.checks.filter((c) => !c.passed)).toEqual([]);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const after = (rel: string) => readFileSync(path.join(dir, rel));

  test('the latin-1 file keeps its bytes; its new lines are latin-1 and CRLF', () => {
    const added = addedLines(before.get(MODELS)!, after(MODELS));
    expect(added.length).toBeGreaterThan(0);
    expect(after(MODELS).includes(Buffer.from('Soci\xe9t\xe9 G\xe9n\xe9rale', 'latin1'))).toBe(true);
    expect(after(MODELS).includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(false);
    for (const line of added) expect(line).toMatch(/\r\n$/);
  });

  test.each([DATABASE, SERVER])('%s (CRLF): every line, old and new, ends in CRLF', (rel) => {
    const added = addedLines(before.get(rel)!, after(rel));
    expect(added.length).toBeGreaterThan(0);
    expect(after(rel).toString('utf8').replace(/\r\n/g, '')).not.toContain('\n');
  });

  test.each([SERVICE, SERVER, DATABASE])('%s (tabs): new lines are indented with tabs only', (rel) => {
    const added = addedLines(before.get(rel)!, after(rel));
    expect(added.length).toBeGreaterThan(0);
    for (const line of added.filter((l) => l.trim())) expect(line).toMatch(/^\t*\S/);
  });

  test('nested new lines step in and out by one tab', () => {
    expect(after(SERVICE).toString('utf8')).toContain('\t\tsummary: str | None = None,\n');
    // The property's dict closes at the indentation it opened with.
    const property = addedLines(before.get(SERVER)!, after(SERVER));
    const open = property.findIndex((l) => l.includes('"summary": {'));
    const indent = /^\t*/.exec(property[open]!)![0];
    expect(property.slice(open + 1, open + 4).every((l) => l.startsWith(`${indent}\t"`))).toBe(true);
    expect(property[open + 4]).toBe(`${indent}},\r\n`);
  });
});
