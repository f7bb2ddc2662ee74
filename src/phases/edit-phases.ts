/** The edit phases 1–5: apply the codemods of one phase for every change of a spec to a workspace. */
import { spawnSync } from 'node:child_process';
import { analyzeWorkspace } from '../analysis/analyze-workspace';
import type { AnchorMap } from '../analysis/anchor-map';
import { SpecialistError } from '../errors';
import { resolvePython } from '../python/interpreter';
import { syntaxErrorAt } from '../python-syntax/parse';
import type { FeatureSpec } from '../spec/feature-spec';
import type { PhaseEditResult } from './contract';
import { FileSet, runPhase, type EditPhaseName } from './phase-codemods';
import { migrationProbe } from './migration-probe';
import { modelProbe } from './model-probe';

export type { EditPhaseName } from './phase-codemods';

type Check = PhaseEditResult['checks'][number];

function pyCompile(python: string, root: string, files: string[]): Check {
  if (files.length === 0) return { name: 'py_compile', passed: true, detail: 'no file touched' };
  // py_compile proper, but into a throwaway .pyc: no __pycache__ lands in the workspace (a git worktree).
  const script = [
    'import os, py_compile, sys, tempfile',
    'fd, cfile = tempfile.mkstemp(suffix=".pyc")',
    'os.close(fd)',
    'try:',
    '    for f in sys.argv[1:]:',
    '        py_compile.compile(f, cfile=cfile, doraise=True)',
    'except py_compile.PyCompileError as exc:',
    '    print(exc.msg, file=sys.stderr)',
    '    sys.exit(1)',
    'finally:',
    '    os.remove(cfile)',
  ].join('\n');
  const run = spawnSync(python, ['-c', script, ...files], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.error)
    // No interpreter is not a compile error: the edits parsed; the check says what could not run.
    return {
      name: 'py_compile (not run)',
      passed: false,
      detail: `could not run ${python}: ${run.error.message}`,
    };
  return {
    name: 'py_compile',
    passed: run.status === 0,
    detail:
      run.status === 0 ? `${files.length} file(s) compile` : (run.stderr || run.stdout).trim().slice(0, 2000),
  };
}

/**
 * Applies one phase's codemods to the files under `root` (writing only files whose content changes),
 * checks the result (re-parse, py_compile, model instantiation for domain_model) and reports it.
 * Idempotent: a second call changes no file. Throws `SpecialistError` (`SpecInvalid`,
 * `AnchorNotFound`, `AnchorAmbiguous`, `CodemodFailed`, `CompileFailed`) without leaving a
 * half-edited workspace behind.
 */
export async function applyEditPhase(
  root: string,
  spec: FeatureSpec,
  phase: EditPhaseName,
  anchors?: AnchorMap,
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
  const python = resolvePython(root, spec.architecture.python);
  const compiled = pyCompile(python, root, touched);
  checks.push(compiled);
  if (!compiled.passed && compiled.name === 'py_compile' && touched.length > 0) {
    files.restore(touched);
    throw new SpecialistError(
      'CompileFailed',
      `${phase}: the edited files do not compile (restored): ${compiled.detail}`,
      {
        files: touched,
      },
    );
  }
  if (phase === 'domain_model') {
    for (const [i, change] of spec.data_models.changes.entries())
      checks.push(...modelProbe(python, root, map, i, change));
  }
  if (phase === 'database_migration') {
    for (const [i, change] of spec.data_models.changes.entries()) {
      const a = map.changes[i]!;
      const file = a.createTables[0]?.file;
      if (!file) continue;
      const after = files.get(file);
      const before = files.original.get(file) ?? after;
      if (before === after) continue; // already migrated by an earlier run: nothing new to replay
      checks.push(migrationProbe(python, a, change, before, after));
    }
  }
  for (const note of notes) checks.push({ name: 'note', passed: true, detail: note });
  return { phase, filesModified: touched, filesCreated: [], changes, checks };
}
