/**
 * The codemod contract (docs/how-to-add-a-codemod.md): a pure function from source and
 * options to a new source plus what changed. Edits are byte ranges of the original text, checked for
 * overlap and applied back to front; a result that does not parse is a failure, never a write.
 */
import type { z } from 'zod';
import { SpecialistError } from '../errors';
import { syntaxErrorAt } from '../python-syntax/parse';

export type CodemodStatus = 'changed' | 'unchanged' | 'skipped' | 'failed';

/**
 * A place the codemod cannot edit, named as the spec's `handled_by_hand` names it (the function, stable
 * against line shifts) with its line and why. A codemod given such a function in its `byHand` option
 * skips the place and says so in a warning instead of failing.
 */
export interface RefusedSite {
  /** `Class.method` or `function` (`<module>` for module-level code). */
  function: string;
  line: number;
  reason: string;
}

export interface CodemodResult {
  status: CodemodStatus;
  /** The new source (the input itself unless `changed`). */
  source: string;
  /** One line per edit a person reads. */
  changes: string[];
  /** Why the codemod skipped or failed (or what it could not do). */
  reason?: string;
  /** Things a person should know even though the codemod succeeded. */
  warnings?: string[];
  /** On `failed`, the places refused one by one, when the codemod can tell them apart. */
  sites?: RefusedSite[];
}

export interface Codemod<P> {
  id: string;
  /** One line that states what it does and its limits. */
  description: string;
  options: z.ZodType<P>;
  transform(source: string, params: P): CodemodResult;
}

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Thrown inside a transform to refuse (ambiguous match, unsupported shape): becomes `failed`. */
export class CodemodRefusal extends Error {}

/** Applies non-overlapping edits back to front; throws if two edits overlap. */
export function applyEdits(source: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const next = sorted[i]!;
    if (next.start < prev.end) {
      throw new CodemodRefusal(
        `overlapping edits at ${prev.start}-${prev.end} and ${next.start}-${next.end}`,
      );
    }
  }
  let out = source;
  for (const edit of sorted.reverse()) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

/** Builds the result of a transform: applies the edits and refuses a result that does not parse. */
export function finish(source: string, edits: Edit[], changes: string[], warnings?: string[]): CodemodResult {
  if (edits.length === 0) return { status: 'unchanged', source, changes: [], warnings };
  const next = applyEdits(source, edits);
  if (next === source) return { status: 'unchanged', source, changes: [], warnings };
  const error = syntaxErrorAt(next);
  if (error) {
    return {
      status: 'failed',
      source,
      changes: [],
      reason: `the edited source does not parse (at ${error})`,
      warnings,
    };
  }
  return { status: 'changed', source: next, changes, warnings };
}

export const unchanged = (source: string, reason?: string): CodemodResult => ({
  status: 'unchanged',
  source,
  changes: [],
  reason,
});
export const skipped = (source: string, reason: string): CodemodResult => ({
  status: 'skipped',
  source,
  changes: [],
  reason,
});

/**
 * Runs a codemod: validates the options, refuses a source that does not parse, and turns a
 * `CodemodRefusal` into a `failed` result (the input source, unchanged).
 */
export function runCodemod<P>(codemod: Codemod<P>, source: string, params: unknown): CodemodResult {
  const parsed = codemod.options.safeParse(params);
  if (!parsed.success) {
    throw new SpecialistError('CodemodFailed', `${codemod.id}: invalid options: ${parsed.error.message}`);
  }
  const before = syntaxErrorAt(source);
  if (before)
    return { status: 'failed', source, changes: [], reason: `the input does not parse (at ${before})` };
  try {
    return codemod.transform(source, parsed.data);
  } catch (err) {
    if (err instanceof CodemodRefusal) return { status: 'failed', source, changes: [], reason: err.message };
    throw err;
  }
}
