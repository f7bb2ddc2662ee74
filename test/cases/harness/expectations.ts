/**
 * The cases under test/cases: each `<name>/` holds `spec.json`, `project/` (a small Python project in
 * a shape real codebases have) and `expected.json` (what the tool must do with it). `known-failing.json`
 * names the cases the tool does not get right yet, with why: their tests are `test.failing`, so the
 * list must shrink as soon as one passes (jest reports a known-failing case that passes as a failure).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../../../src/python/interpreter';

export const CASES_DIR = path.join(PROJECT_ROOT, 'test', 'cases');

const checkSchema = z.discriminatedUnion('kind', [
  /** A database made by the base commit's code, with a row, opened twice by the branch's code. */
  z.object({
    kind: z.literal('old-database-gains-column'),
    module: z.string(),
    class: z.string(),
    table: z.string(),
    column: z.string(),
    /** The coroutine method that opens (and migrates) the database; `close()` follows. */
    open: z.string().default('initialize'),
    /** SQL run on the old database after its creation (a row that must survive the upgrade). */
    seed: z.string().optional(),
  }),
  /** No line added under src/ (base..branch) matches `pattern`. */
  z.object({ kind: z.literal('no-added-line'), pattern: z.string(), why: z.string() }),
  /** Some file under src/ on the branch matches `pattern` (case-insensitive). */
  z.object({ kind: z.literal('branch-contains'), pattern: z.string(), why: z.string() }),
  /** The deliverable the run printed, as compact JSON, matches `pattern`. */
  z.object({ kind: z.literal('deliverable-contains'), pattern: z.string(), why: z.string() }),
  /** The changed file named `file` keeps every base line byte for byte and gains no U+FFFD. */
  z.object({ kind: z.literal('encoding-kept'), file: z.string() }),
  /** In every changed .py file that used CRLF at base, every line of the branch's version ends in CRLF. */
  z.object({ kind: z.literal('crlf-kept') }),
]);
export type CaseCheck = z.infer<typeof checkSchema>;

const expectationSchema = z.object({
  shape: z.string(),
  correct: z.string(),
  /** `plan`: the diff only; `run`: the whole durable run. */
  mode: z.enum(['plan', 'run']),
  /**
   * ok: exit 0, deliverable SUCCESS, the project's own suite green on the branch, nothing under HOME;
   * refused: exit 2 and `refusal` (a case-insensitive regex) in what the tool printed; or either;
   * waits: (run mode) a phase fails and the run waits for a person (exit 3) with `refusal` in what was
   * printed; the harness then skips the step as a person would, and `checks` judge the branch and the
   * deliverable the run ends with (a case whose honest end needs a person's edit).
   */
  outcome: z.enum(['ok', 'refused', 'ok-or-refused', 'waits']),
  refusal: z.string().optional(),
  checks: z.array(checkSchema).default([]),
});
export type CaseExpectation = z.infer<typeof expectationSchema>;

export interface Case {
  name: string;
  dir: string;
  spec: string;
  project: string;
  expected: CaseExpectation;
}

export function loadCases(): Case[] {
  return readdirSync(CASES_DIR)
    .filter((name) => existsSync(path.join(CASES_DIR, name, 'expected.json')))
    .sort()
    .map((name) => {
      const dir = path.join(CASES_DIR, name);
      const raw: unknown = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8'));
      const parsed = expectationSchema.safeParse(raw);
      if (!parsed.success) throw new Error(`test/cases/${name}/expected.json: ${parsed.error.message}`);
      if (parsed.data.outcome !== 'ok' && !parsed.data.refusal)
        throw new Error(`test/cases/${name}/expected.json: outcome ${parsed.data.outcome} needs "refusal"`);
      return {
        name,
        dir,
        spec: path.join(dir, 'spec.json'),
        project: path.join(dir, 'project'),
        expected: parsed.data,
      };
    });
}

/**
 * Case name → why it does not pass yet (the issue item that fixes it). `<case>:home` stands for the
 * HOME snapshot test of that case, `sample:<name>` for the whole-run test of examples/<name>.
 */
export function loadKnownFailing(): Record<string, string> {
  const file = path.join(CASES_DIR, 'known-failing.json');
  const list = z.record(z.string(), z.string()).parse(JSON.parse(readFileSync(file, 'utf8')));
  const names = new Set(readdirSync(CASES_DIR));
  for (const name of Object.keys(list)) {
    const known = name.startsWith('sample:')
      ? existsSync(path.join(PROJECT_ROOT, 'examples', name.slice('sample:'.length)))
      : names.has(name.split(':')[0]!);
    if (!known) throw new Error(`known-failing.json names ${name}, which is neither a case nor a sample`);
  }
  return list;
}
