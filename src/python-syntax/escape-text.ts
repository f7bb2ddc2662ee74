/**
 * The one way text from a spec (descriptions, titles, defaults, names) becomes part of Python source:
 * inside a string literal (`pythonString`) or inside an existing docstring (`docstringText`). Both go
 * through `escapePythonText`, so quotes, triple quotes, backslashes, line breaks and control characters
 * can never end a literal early, start an escape sequence, or break the file; characters outside the
 * BMP (emoji) are kept as they are (source files are UTF-8).
 */

export type Quote = '"' | "'";

/** Text that cannot be written into Python source (an unpaired UTF-16 surrogate, a raw docstring's limits). */
export class PythonTextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PythonTextError';
  }
}

export interface EscapeOptions {
  /** The delimiting quote character. */
  quote: Quote;
  /**
   * Inside a triple-quoted string: line breaks become one space (docstring prose stays on its line)
   * and the quote character is escaped only where it could close the string (before another one, or
   * at the end of the text), so ordinary quotes stay readable.
   */
  triple?: boolean;
}

const LINE_BREAK = /[ \t]*(?:\r\n|[\r\n\u2028\u2029])[ \t]*/g;

/** The body of a Python string literal (without its quotes) that reads back as exactly `value`. */
export function escapePythonText(value: string, options: EscapeOptions): string {
  const { quote, triple = false } = options;
  const text = triple ? value.replace(LINE_BREAK, ' ') : value;
  const chars = [...text]; // code points: a surrogate pair (emoji) stays one character
  let out = '';
  chars.forEach((ch, i) => {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff)
      throw new PythonTextError(
        `cannot write ${JSON.stringify(value)} into Python source: it holds an unpaired UTF-16 surrogate`,
      );
    if (ch === '\\') out += '\\\\';
    else if (ch === quote)
      out += !triple || chars[i + 1] === quote || i === chars.length - 1 ? `\\${quote}` : ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += triple ? ch : '\\t';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16)}`;
    else out += ch;
  });
  return out;
}

/** A Python string literal of `value` in the given quote style. */
export function pythonString(value: string, quote: Quote = '"'): string {
  return `${quote}${escapePythonText(value, { quote })}${quote}`;
}

/**
 * `value` as text to place inside an existing string literal whose source starts with `opening`
 * (e.g. `"""`, `r'''`, `f"`), so that the literal then holds exactly `value` there. `prose` (docstrings)
 * turns line breaks into spaces instead of escaping them. Refuses (PythonTextError) what the literal
 * cannot hold: escapes in a raw string, non-ASCII in bytes.
 */
export function textInLiteral(value: string, opening: string, options: { prose?: boolean } = {}): string {
  const match = /^([A-Za-z]*)("""|'''|"|')/.exec(opening);
  const prefix = (match?.[1] ?? '').toLowerCase();
  const delimiter = match?.[2] ?? '"""';
  const quote = delimiter[0] as Quote;
  const triple = delimiter.length === 3;
  const text = options.prose ? value.replace(LINE_BREAK, ' ') : value;
  // eslint-disable-next-line no-control-regex
  if (prefix.includes('b') && /[^\u0000-\u007f]/.test(text))
    throw new PythonTextError(`cannot write ${JSON.stringify(value)} into a bytes literal: it is not ASCII`);
  let body: string;
  if (prefix.includes('r')) {
    // A raw literal has no escapes: text that would need one is refused.
    // eslint-disable-next-line no-control-regex
    if (/[\\\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/.test(text) || text.includes(quote))
      throw new PythonTextError(
        `cannot write ${JSON.stringify(value)} into a raw string: its backslashes, ${quote} or control characters cannot be escaped there`,
      );
    body = text;
  } else {
    body = escapePythonText(text, { quote, triple: triple && options.prose === true });
  }
  // In an f-string a brace starts an expression.
  return prefix.includes('f') ? body.replace(/[{}]/g, (brace) => brace + brace) : body;
}

/** `value` as text inside an existing docstring whose source starts with `opening` (see textInLiteral). */
export function docstringText(value: string, opening: string): string {
  return textInLiteral(value, opening, { prose: true });
}
