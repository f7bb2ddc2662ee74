/**
 * Spec text placed inside a string literal that is already in the file (a docstring entry, a column
 * definition in a CREATE TABLE string), escaped by the one rule of python-syntax/escape-text, or a
 * CodemodRefusal saying why that literal cannot hold it.
 */
import { PythonTextError, textInLiteral } from '../python-syntax/escape-text';
import { CodemodRefusal } from './codemod';

function refusing<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PythonTextError) throw new CodemodRefusal(err.message);
    throw err;
  }
}

/** `text` for an entry of the docstring whose source is `docstringSource` (line breaks become spaces). */
export function docstringEntryText(text: string, docstringSource: string): string {
  return refusing(() => textInLiteral(text, docstringSource, { prose: true }));
}

/** `text` inserted into the string literal whose source is `literalSource`, holding exactly `text`. */
export function literalEntryText(text: string, literalSource: string): string {
  return refusing(() => textInLiteral(text, literalSource));
}
