/**
 * Before/after fixtures of every codemod: `test/fixtures/codemods/<codemod-id>/<case>.input.py` with
 * `<case>.params.json`, and either `<case>.output.py` (the expected source; equal to the input when the
 * codemod does not apply) or `<case>.failed.txt` (the codemod refuses; the file holds part of the reason).
 * Every case also checks that running the codemod on its output changes nothing.
 * Fixture files are read and written the way `FileSet` reads and writes a project's files (their
 * `coding:` declaration, CRLF endings), and outputs compared byte for byte: a latin-1 or CRLF fixture
 * checks the whole round trip.
 * `UPDATE_FIXTURES=1` writes missing expectations (review them before committing).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCodemod } from '../../../src/codemods/codemod';
import { CODEMODS } from '../../../src/codemods';
import { decodeSource, encodeSource } from '../../../src/phases/source-file';

const ROOT = path.resolve(__dirname, '..', '..', 'fixtures', 'codemods');
const update = process.env.UPDATE_FIXTURES === '1';

const cases = readdirSync(ROOT).flatMap((id) =>
  readdirSync(path.join(ROOT, id))
    .filter((f) => f.endsWith('.input.py'))
    .map((f) => ({
      id,
      name: f.replace(/\.input\.py$/, ''),
      base: path.join(ROOT, id, f.replace(/\.input\.py$/, '')),
    })),
);

test('every codemod has fixtures', () => {
  for (const id of Object.keys(CODEMODS)) expect(cases.some((c) => c.id === id)).toBe(true);
});

describe.each(Object.keys(CODEMODS))('%s', (id) => {
  const own = cases.filter((c) => c.id === id);
  test.each(own.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const codemod = CODEMODS[c.id]!;
    const inputFile = `${c.base}.input.py`;
    const { text: input, format } = decodeSource(readFileSync(inputFile), inputFile);
    const encode = (text: string) => encodeSource(text, format, inputFile, input);
    const params: unknown = JSON.parse(readFileSync(`${c.base}.params.json`, 'utf8'));
    const result = runCodemod(codemod, input, params);
    const outputFile = `${c.base}.output.py`;
    const failedFile = `${c.base}.failed.txt`;
    if (update && !existsSync(outputFile) && !existsSync(failedFile)) {
      if (result.status === 'failed') writeFileSync(failedFile, `${result.reason}\n`);
      else writeFileSync(outputFile, encode(result.source));
    }
    if (existsSync(failedFile)) {
      expect(result.status).toBe('failed');
      expect(result.source).toBe(input);
      expect(result.reason).toContain(readFileSync(failedFile, 'utf8').trim());
      return;
    }
    const expectedBytes = readFileSync(outputFile);
    const expected = decodeSource(expectedBytes, outputFile).text;
    expect(result.source).toBe(expected);
    // Then the bytes: the same encoding and line endings as the input file.
    expect(encode(result.source).toString('latin1')).toBe(expectedBytes.toString('latin1'));
    if (expected === input) {
      expect(['unchanged', 'skipped']).toContain(result.status);
    } else {
      expect(result.status).toBe('changed');
      expect(result.changes.length).toBeGreaterThan(0);
    }
    const again = runCodemod(codemod, expected, params);
    expect(again.source).toBe(expected);
    expect(['unchanged', 'skipped']).toContain(again.status);
  });
});
