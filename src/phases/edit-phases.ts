/** The edit phases 1–5: apply the codemods of one phase for every change of a spec to a workspace. */
import path from 'node:path';
import { analyzeWorkspace } from '../analysis/analyze-workspace';
import type { AnchorMap } from '../analysis/anchor-map';
import { ERROR_TYPES, SpecialistError } from '../errors';
import { resolvePython } from '../python/interpreter';
import { syntaxErrorAt } from '../python-syntax/parse';
import type { FeatureSpec } from '../spec/feature-spec';
import { compilePythonFiles } from '../validation/py-compile';
import type { PhaseEditResult } from './contract';
import { FileSet, runPhase, type EditPhaseName } from './phase-codemods';
import { migrationProbe } from './migration-probe';
import { modelProbe } from './model-probe';
import { ROUND_TRIP_PHASES, roundTripProbe, type RoundTripPhase } from './round-trip-probe';
import type { ProbeControl } from './python-probe';

export type { EditPhaseName } from './phase-codemods';

type Check = PhaseEditResult['checks'][number];

/** Bytes of a failed check's output carried in the error (the run shows it to a person). */
const MAX_CHECK_OUTPUT = 1_500;

/** The compile check; `ran: false` when the interpreter could not run it (a failed check too). */
async function pyCompile(
  python: string,
  root: string,
  files: string[],
  signal?: AbortSignal,
): Promise<Check & { ran: boolean }> {
  if (files.length === 0) return { name: 'py_compile', passed: true, detail: 'no file touched', ran: true };
  try {
    const problems = await compilePythonFiles(python, root, files, signal);
    return {
      name: 'py_compile',
      passed: problems.length === 0,
      detail:
        problems.length === 0
          ? `${files.length} file(s) compile`
          : problems
              .map((p) => `${path.relative(root, path.resolve(root, p.file))}:${p.line ?? '?'} ${p.message}`)
              .join('; '),
      ran: true,
    };
  } catch (err) {
    if (signal?.aborted) throw err; // cancelled: not a check result
    return {
      name: 'py_compile',
      passed: false,
      detail: `could not run ${python}: ${(err as Error).message}`,
      ran: false,
    };
  }
}

/** Every failed check, each with its output, as a person reads it where the run waits. */
export function describeFailedChecks(phase: EditPhaseName, failed: Check[]): string {
  const lines = failed.map((c) => `- ${c.name}: ${(c.detail ?? 'failed').slice(0, MAX_CHECK_OUTPUT)}`);
  return [`${phase}: ${failed.length} check(s) failed; the phase's edits were undone:`, ...lines].join('\n');
}

/**
 * Applies one phase's codemods to the files under `root` (writing only files whose content changes),
 * checks the result (re-parse, py_compile, the model probe for domain_model, the fresh and old
 * database checks with the project's own code for database_migration, the round trip through the
 * project's objects for service_layer, api_layer and serialization) and reports it. Idempotent: a
 * second call changes no file. `control` carries the activity's heartbeat (beaten while a probe runs)
 * and cancellation. Fails closed: a check that fails or cannot run restores every file the
 * phase wrote and throws. Throws `SpecialistError` (`SpecInvalid`, `AnchorNotFound`,
 * `AnchorAmbiguous`, `CodemodFailed`, `CompileFailed`, `CheckFailed`) without leaving a half-edited
 * workspace behind.
 */
export async function applyEditPhase(
  root: string,
  spec: FeatureSpec,
  phase: EditPhaseName,
  anchors?: AnchorMap,
  control: ProbeControl = {},
): Promise<PhaseEditResult> {
  // The codemods locate their targets by name, so an anchor map computed before earlier phases ran
  // is still valid; without one, analyse now.
  const map = anchors ?? (await analyzeWorkspace(root, spec));
  const files = new FileSet(root);
  const { changes, notes } = runPhase(phase, spec, map, files);
  const touched = files.changed();
  const checks: Check[] = [];
  for (const file of touched) {
    const error = syntaxErrorAt(files.current.get(file)!);
    checks.push({
      name: `parse ${file}`,
      passed: !error,
      detail: error ? `syntax error at ${error}` : undefined,
    });
  }
  files.write(); // in each file's own encoding and line endings (source-file.ts)
  try {
    const python = resolvePython(root, spec.architecture.python);
    const { ran, ...compiled } = await pyCompile(python, root, touched, control.signal);
    checks.push(compiled);
    if (ran && !compiled.passed) {
      throw new SpecialistError(
        ERROR_TYPES.compileFailed,
        `${phase}: the edited files do not compile (restored): ${compiled.detail}`,
        { files: touched },
      );
    }
    if (compiled.passed && phase === 'domain_model') {
      for (const [i, change] of spec.data_models.changes.entries())
        checks.push(...(await modelProbe(python, root, map, i, change, control)));
    }
    if (compiled.passed && phase === 'database_migration') {
      // The files as they were before the phase: the base code that made the "old" database.
      const originals = new Map(touched.map((f) => [f, files.originalBytes(f)]));
      for (const [i, change] of spec.data_models.changes.entries())
        checks.push(...(await migrationProbe(python, root, map, i, change, originals, control)));
    }
    if (compiled.passed && (ROUND_TRIP_PHASES as EditPhaseName[]).includes(phase))
      checks.push(...(await roundTripProbe(python, root, spec, map, phase as RoundTripPhase, control)));
    const failed = checks.filter((c) => !c.passed);
    if (failed.length > 0) {
      throw new SpecialistError(ERROR_TYPES.checkFailed, describeFailedChecks(phase, failed), {
        phase,
        files: touched,
        checks: failed,
      });
    }
  } catch (err) {
    files.restore(touched);
    throw err;
  }
  for (const note of notes) checks.push({ name: 'note', passed: true, detail: note });
  return { phase, filesModified: touched, filesCreated: [], changes, checks };
}
