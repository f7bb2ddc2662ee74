/**
 * Reading and writing a project's Python files so that every byte outside an edit stays as it was:
 * the text is decoded by its PEP 263 `coding:` declaration (UTF-8 by default, a UTF-8 BOM kept),
 * line endings are normalised to `\n` for the codemods and restored on write (CRLF files stay CRLF,
 * and in a file that mixes both every untouched line keeps its own ending), and the result is encoded
 * back with the same encoding. An encoding we cannot write back byte for byte is refused with its
 * name, as is new text that the file's encoding cannot hold.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_TYPES, SpecialistError } from '../errors';
import { diffLines } from './unified-diff';

/** The encodings we decode and encode losslessly (Node's `latin1` is true ISO-8859-1, not cp1252). */
type Codec = 'utf-8' | 'latin-1' | 'ascii';

export interface SourceFormat {
  encoding: Codec;
  /** The file starts with a UTF-8 byte order mark (kept on write, never part of the text). */
  bom: boolean;
  /** The ending of new lines: the file's most common one. */
  newline: '\n' | '\r\n';
  /** Every line ending of the original file in order, when it mixes `\n` and `\r\n`. */
  mixedEndings?: ('\n' | '\r\n')[];
}

export interface DecodedSource {
  /** The text with `\n` line endings, as codemods and tree-sitter see it. */
  text: string;
  format: SourceFormat;
}

// Python's own names for the codecs above (codecs.lookup normalises case, `-` and `_`).
const ALIASES: Record<string, Codec> = {
  utf8: 'utf-8',
  utf_8: 'utf-8',
  u8: 'utf-8',
  utf: 'utf-8',
  cp65001: 'utf-8',
  utf8_sig: 'utf-8',
  latin1: 'latin-1',
  latin_1: 'latin-1',
  latin: 'latin-1',
  l1: 'latin-1',
  iso8859_1: 'latin-1',
  iso_8859_1: 'latin-1',
  iso_8859_1_1987: 'latin-1',
  iso_ir_100: 'latin-1',
  '8859': 'latin-1',
  cp819: 'latin-1',
  ibm819: 'latin-1',
  csisolatin1: 'latin-1',
  ascii: 'ascii',
  us_ascii: 'ascii',
  '646': 'ascii',
  'ansi_x3.4_1968': 'ascii',
  iso646_us: 'ascii',
};

const DECLARATION = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/**
 * The encoding a PEP 263 declaration names (on line 1, or on line 2 after a comment or blank line 1),
 * as written; undefined when there is none.
 */
export function codingDeclaration(bytes: Buffer): string | undefined {
  // The declaration itself is ASCII: reading the first two lines as latin-1 cannot fail.
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const head = bytes
    .subarray(bom ? 3 : 0, 1024)
    .toString('latin1')
    .split('\n', 2);
  const first = DECLARATION.exec(head[0] ?? '');
  if (first) return first[1];
  if (!/^[ \t\f]*(#.*)?\r?$/.test(head[0] ?? '')) return undefined;
  return DECLARATION.exec(head[1] ?? '')?.[1];
}

/** The lossless codec for a declared encoding name, or undefined when we cannot round-trip it. */
export function codecOf(name: string): Codec | undefined {
  const key = name.toLowerCase().replace(/-/g, '_');
  // Python matches `utf-8-*` and `latin-1-*`/`iso-8859-1-*` by prefix (tokenizer.c get_normal_name).
  if (key === 'utf_8' || key.startsWith('utf_8_')) return 'utf-8';
  if (/^(latin_1|iso_8859_1|iso_latin_1)(_|$)/.test(key)) return 'latin-1';
  return ALIASES[key];
}

function refuse(file: string, message: string, details: Record<string, unknown>): never {
  throw new SpecialistError(ERROR_TYPES.workspaceInvalid, `${file}: ${message}`, { file, ...details });
}

/** Line endings in order (`\n` or `\r\n`); a lone `\r` is content, as it is to Python's tokenizer. */
function endingsOf(text: string): ('\n' | '\r\n')[] {
  const out: ('\n' | '\r\n')[] = [];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1))
    out.push(text[i - 1] === '\r' ? '\r\n' : '\n');
  return out;
}

/** Decodes a Python file's bytes; refuses an encoding we cannot write back and bytes it does not hold. */
export function decodeSource(bytes: Buffer, file: string): DecodedSource {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const declared = codingDeclaration(bytes);
  const encoding = declared === undefined ? 'utf-8' : codecOf(declared);
  if (!encoding)
    refuse(
      file,
      `declares "coding: ${declared}", an encoding this tool cannot write back byte for byte (supported: utf-8, latin-1, ascii); convert the file to UTF-8 or edit it by hand`,
      { encoding: declared },
    );
  if (bom && encoding !== 'utf-8')
    refuse(file, `starts with a UTF-8 byte order mark but declares "coding: ${declared}"`, {
      encoding: declared,
    });
  const body = bom ? bytes.subarray(3) : bytes;
  let raw: string;
  if (encoding === 'latin-1') raw = body.toString('latin1');
  else {
    try {
      raw = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
    } catch {
      refuse(file, `is not valid ${encoding} (declare its encoding with a "# -*- coding: ... -*-" line)`, {
        encoding,
      });
    }
    if (encoding === 'ascii') {
      const at = firstAbove(raw, 0x7f);
      if (at >= 0)
        refuse(file, `declares "coding: ${declared}" but holds ${describeChar(raw, at)}`, { encoding });
    }
  }
  const endings = endingsOf(raw);
  const crlf = endings.filter((e) => e === '\r\n').length;
  const newline = crlf > endings.length - crlf ? '\r\n' : '\n';
  const mixed = crlf > 0 && crlf < endings.length;
  return {
    text: crlf > 0 ? raw.replace(/\r\n/g, '\n') : raw,
    format: { encoding, bom, newline, ...(mixed ? { mixedEndings: endings } : {}) },
  };
}

/** Index of the first UTF-16 unit above `limit` (the start of a surrogate pair counts), or -1. */
function firstAbove(text: string, limit: number): number {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > limit) return i;
  return -1;
}

/** `U+00E9 "é" at line 3, column 7` for the character at `index` of `text`. */
function describeChar(text: string, index: number): string {
  const code = text.codePointAt(index)!;
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  const column = index - before.lastIndexOf('\n');
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  return `U+${hex} "${String.fromCodePoint(code)}" at line ${line}, column ${column}`;
}

/** Puts each line's ending back: untouched lines keep their own, new and changed lines get the usual one. */
function restoreEndings(text: string, original: string, format: SourceFormat): string {
  if (!format.mixedEndings) return format.newline === '\n' ? text : text.replace(/\n/g, '\r\n');
  const split = (s: string) => s.split('\n');
  const before = split(original);
  const after = split(text);
  // Align the lines (the same jsdiff alignment as `specialist plan`'s diff): a kept line's ending is its own.
  const kept = new Map<number, number>();
  let i = 0;
  let j = 0;
  for (const op of diffLines(before, after)) {
    if (op.kind === ' ') kept.set(j++, i++);
    else if (op.kind === '-') i++;
    else j++;
  }
  let out = '';
  for (let k = 0; k < after.length; k++) {
    out += after[k];
    if (k === after.length - 1) break;
    const from = kept.get(k);
    // A kept line that was the last one (no ending) and now is followed by more gets the usual ending.
    out += (from !== undefined ? format.mixedEndings[from] : undefined) ?? format.newline;
  }
  return out;
}

/**
 * Encodes edited text back in the file's format; refuses (naming the file and the character) text
 * that its encoding cannot hold, rather than writing something Python would read differently.
 */
export function encodeSource(text: string, format: SourceFormat, file: string, original?: string): Buffer {
  const limit = format.encoding === 'latin-1' ? 0xff : format.encoding === 'ascii' ? 0x7f : undefined;
  if (limit !== undefined) {
    const at = firstAbove(text, limit);
    if (at >= 0)
      throw new SpecialistError(
        ERROR_TYPES.codemodFailed,
        `${file}: the new text holds ${describeChar(text, at)}, which the file's encoding (${format.encoding}) cannot hold; use only characters it can, or convert the file to UTF-8`,
        { file, encoding: format.encoding },
      );
  }
  const restored = restoreEndings(text, original ?? text, format);
  const body = Buffer.from(restored, format.encoding === 'latin-1' ? 'latin1' : 'utf8');
  return format.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

/**
 * The text of a file that is only read (analysis): decoded like `decodeSource`, or — for an encoding
 * we could not write back, or bytes that do not decode — as well as the platform can, since a file
 * that is never edited must not stop the run. Editing such a file is refused by `decodeSource`.
 */
export function sourceText(bytes: Buffer, file: string): string {
  try {
    return decodeSource(bytes, file).text;
  } catch {
    const declared = codingDeclaration(bytes);
    let label = 'utf-8';
    try {
      new TextDecoder(declared ?? label);
      label = declared ?? label;
    } catch {
      // an encoding the platform does not know either: read it as UTF-8, replacing what does not decode
    }
    return new TextDecoder(label).decode(bytes).replace(/\r\n/g, '\n');
  }
}

/** Reads and decodes `file` (relative to `root`). */
export function readSource(root: string, file: string): DecodedSource & { bytes: Buffer } {
  const bytes = readFileSync(path.join(root, file));
  return { ...decodeSource(bytes, file), bytes };
}

/**
 * The line ending for a new Python file in `dir`: the one most of the Python files already there use
 * (CRLF when they are CRLF), `\n` when there are none. New files are UTF-8, Python's default.
 */
export function newFileNewline(dir: string): '\n' | '\r\n' {
  if (!existsSync(dir)) return '\n';
  let crlf = 0;
  let lf = 0;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.py')) continue;
    const endings = endingsOf(readFileSync(path.join(dir, name), 'latin1'));
    const n = endings.filter((e) => e === '\r\n').length;
    crlf += n;
    lf += endings.length - n;
  }
  return crlf > lf ? '\r\n' : '\n';
}
