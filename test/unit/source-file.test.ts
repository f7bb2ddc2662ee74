/** A project's files keep their encoding and line endings outside the edits (source-file.ts, FileSet). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpecialistError } from '../../src/errors';
import { FileSet } from '../../src/phases/phase-codemods';
import {
  codecOf,
  codingDeclaration,
  decodeSource,
  encodeSource,
  newFileNewline,
  sourceText,
} from '../../src/phases/source-file';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const utf8 = (s: string) => Buffer.from(s, 'utf8');

function refusal(fn: () => unknown): SpecialistError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpecialistError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('codingDeclaration (PEP 263)', () => {
  test.each([
    ['# -*- coding: latin-1 -*-\nx = 1\n', 'latin-1'],
    ['#!/usr/bin/env python\n# vim: set fileencoding=iso-8859-1 :\n', 'iso-8859-1'],
    ['# coding=utf8\n', 'utf8'],
    ['\n# coding: ascii\n', 'ascii'],
    ['x = 1\n# coding: latin-1\n', undefined], // line 2 counts only after a comment or blank line 1
    ['"""coding: latin-1"""\n', undefined],
    ['x = 1\n', undefined],
  ])('%j → %s', (text, expected) => {
    expect(codingDeclaration(utf8(text))).toBe(expected);
  });

  test.each([
    ['latin-1', 'latin-1'],
    ['ISO-8859-1', 'latin-1'],
    ['iso_8859_1', 'latin-1'],
    ['latin1', 'latin-1'],
    ['l1', 'latin-1'],
    ['UTF-8', 'utf-8'],
    ['utf-8-sig', 'utf-8'],
    ['us-ascii', 'ascii'],
    ['cp1252', undefined],
    ['iso-8859-15', undefined],
    ['shift_jis', undefined],
  ])('codec of %s is %s', (name, codec) => {
    expect(codecOf(name)).toBe(codec);
  });
});

describe('decodeSource / encodeSource', () => {
  test('latin-1 bytes decode to their characters and encode back byte for byte', () => {
    const bytes = latin1('# -*- coding: latin-1 -*-\n"""mod\xe8les, Soci\xe9t\xe9"""\nx = 1\n');
    const { text, format } = decodeSource(bytes, 'm.py');
    expect(text).toContain('modèles, Société');
    expect(text).not.toContain('\ufffd');
    expect(format).toMatchObject({ encoding: 'latin-1', newline: '\n', bom: false });
    expect(encodeSource(text, format, 'm.py').equals(bytes)).toBe(true);
    const edited = encodeSource(`${text}y = "\xe0"\n`, format, 'm.py');
    expect(edited.equals(Buffer.concat([bytes, latin1('y = "\xe0"\n')]))).toBe(true);
  });

  test('a character latin-1 cannot hold is refused, naming the file, the character and where', () => {
    const { text, format } = decodeSource(latin1('# coding: latin-1\nx = 1\n'), 'src/m.py');
    const err = refusal(() => encodeSource(`${text}y = "\u2014 \u{1F600}"\n`, format, 'src/m.py'));
    expect(err.type).toBe('CodemodFailed');
    expect(err.message).toMatch(/^src\/m\.py: .*U\+2014 "\u2014" at line 3, column 6.*latin-1/);
  });

  test('an emoji in an ascii file is refused with its whole code point', () => {
    const { text, format } = decodeSource(utf8('# coding: ascii\n'), 'a.py');
    expect(refusal(() => encodeSource(`${text}# \u{1F600}\n`, format, 'a.py')).message).toContain('U+1F600');
  });

  test('an encoding that cannot be written back byte for byte is refused by name', () => {
    const err = refusal(() => decodeSource(latin1('# -*- coding: cp1252 -*-\nx = "\x80"\n'), 'w.py'));
    expect(err.type).toBe('WorkspaceInvalid');
    expect(err.message).toMatch(/^w\.py: declares "coding: cp1252", an encoding .* cannot write back/);
  });

  test('bytes that are not UTF-8 in an undeclared file are refused, not replaced by U+FFFD', () => {
    expect(refusal(() => decodeSource(latin1('x = "\xe9"\n'), 'u.py')).message).toMatch(
      /u\.py: is not valid utf-8/,
    );
    expect(refusal(() => decodeSource(utf8('# coding: ascii\nx = "é"\n'), 'a.py')).message).toMatch(
      /U\+00E9 "é" at line 2, column 6/,
    );
  });

  test('a declaration after a BOM is read; a BOM with another encoding is refused', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(codingDeclaration(Buffer.concat([bom, utf8('# coding: utf-8\n')]))).toBe('utf-8');
    const err = refusal(() => decodeSource(Buffer.concat([bom, utf8('# coding: latin-1\n')]), 'b.py'));
    expect(err.message).toMatch(/byte order mark but declares "coding: latin-1"/);
  });

  test('UTF-8 with a BOM and non-ASCII text round-trips', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('x = "é😀"\r\n')]);
    const { text, format } = decodeSource(bytes, 'b.py');
    expect(text).toBe('x = "é😀"\n');
    expect(format).toMatchObject({ bom: true, encoding: 'utf-8', newline: '\r\n' });
    expect(encodeSource(text, format, 'b.py').equals(bytes)).toBe(true);
  });

  test('a CRLF file is LF for the codemods and every line, new ones too, ends in CRLF again', () => {
    const bytes = utf8('a = 1\r\nb = 2\r\n');
    const { text, format } = decodeSource(bytes, 'c.py');
    expect(text).toBe('a = 1\nb = 2\n');
    const out = encodeSource('a = 1\nnew = 0\nb = 2\n', format, 'c.py', text).toString();
    expect(out).toBe('a = 1\r\nnew = 0\r\nb = 2\r\n');
  });

  test('a file mixing endings keeps each untouched line ending; new lines take the usual one', () => {
    const bytes = utf8('a = 1\r\nb = 2\nc = 3\r\nd = 4\r\n');
    const { text, format } = decodeSource(bytes, 'mix.py');
    expect(format.newline).toBe('\r\n');
    expect(encodeSource(text, format, 'mix.py', text).equals(bytes)).toBe(true);
    const out = encodeSource('a = 1\nb = 2\nnew = 0\nc = 3\nd = 4\n', format, 'mix.py', text).toString();
    expect(out).toBe('a = 1\r\nb = 2\nnew = 0\r\nc = 3\r\nd = 4\r\n');
  });

  test('a last line without an ending stays without one', () => {
    const { text, format } = decodeSource(utf8('a = 1\r\nb = 2'), 'e.py');
    expect(encodeSource(`${text}\nc = 3`, format, 'e.py', text).toString()).toBe('a = 1\r\nb = 2\r\nc = 3');
  });

  test('sourceText reads what it cannot round-trip instead of stopping the analysis', () => {
    expect(sourceText(latin1('# coding: cp1252\nx = "\xe9"\r\n'), 'w.py')).toBe(
      '# coding: cp1252\nx = "é"\n',
    );
    expect(sourceText(latin1('# coding: latin-1\nx = "\xe9"\r\n'), 'l.py')).toBe(
      '# coding: latin-1\nx = "é"\n',
    );
  });
});

describe('FileSet', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'specialist-fileset-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('writes edits in the file own encoding and line endings, restores the original bytes', () => {
    const bytes = latin1('# -*- coding: latin-1 -*-\r\n"""Soci\xe9t\xe9"""\r\nx = 1\r\n');
    writeFileSync(path.join(dir, 'm.py'), bytes);
    const files = new FileSet(dir);
    expect(files.get('m.py')).toBe('# -*- coding: latin-1 -*-\n"""Société"""\nx = 1\n');
    files.set('m.py', `${files.get('m.py')}y = "\xe0"\n`);
    expect(files.write()).toEqual(['m.py']);
    const written = readFileSync(path.join(dir, 'm.py'));
    expect(written.equals(Buffer.concat([bytes, latin1('y = "\xe0"\r\n')]))).toBe(true);
    files.restore(['m.py']);
    expect(readFileSync(path.join(dir, 'm.py')).equals(bytes)).toBe(true);
  });

  test('refuses before writing anything when one file cannot hold its new text', () => {
    writeFileSync(path.join(dir, 'a.py'), 'a = 1\n');
    writeFileSync(path.join(dir, 'b.py'), latin1('# coding: latin-1\nb = 1\n'));
    const files = new FileSet(dir);
    files.set('a.py', 'a = 2\n');
    files.set('b.py', `${files.get('b.py')}c = "\u{1F600}"\n`);
    expect(() => files.write()).toThrow(/b\.py: .*U\+1F600/);
    expect(readFileSync(path.join(dir, 'a.py'), 'utf8')).toBe('a = 1\n');
  });

  test('a new file in a folder of CRLF files ends its lines in CRLF', () => {
    expect(newFileNewline(path.join(dir, 'missing'))).toBe('\n');
    expect(newFileNewline(dir)).toBe('\n');
    writeFileSync(path.join(dir, 'a.py'), 'a = 1\r\nb = 2\r\n');
    writeFileSync(path.join(dir, 'b.py'), 'c = 3\n');
    writeFileSync(path.join(dir, 'notes.txt'), '\n\n\n\n');
    expect(newFileNewline(dir)).toBe('\r\n');
  });
});
