/**
 * The unified diff (`diff -u` format) of `specialist plan`, and the line alignment that keeps each
 * untouched line's ending when a file is written back: both from the `diff` package (jsdiff).
 */
import { FILE_HEADERS_ONLY, createTwoFilesPatch, diffArrays } from 'diff';

export type Op = { kind: ' ' | '-' | '+'; line: string };

/** One op per line turning `a` into `b`: kept, removed (`-`) or added (`+`); removals before additions. */
export function diffLines(a: string[], b: string[]): Op[] {
  const ops: Op[] = [];
  for (const change of diffArrays(a, b)) {
    const kind = change.removed ? '-' : change.added ? '+' : ' ';
    for (const line of change.value) ops.push({ kind, line });
  }
  return ops;
}

/** `--- a/<file>` / `+++ b/<file>` and hunks with `context` lines around each change; '' when equal. */
export function unifiedDiff(file: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  return createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, {
    context,
    headerOptions: FILE_HEADERS_ONLY,
  });
}
