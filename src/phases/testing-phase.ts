/**
 * Phase 6 (testing and validation): generate the feature's unit, integration and migration tests in
 * the project's tests folder, py_compile every touched file, run the WHOLE pytest suite with coverage
 * and a JUnit report, run mypy when the project configures it, and report real numbers. Free of
 * Temporal: the activity passes its heartbeat and cancellation signal in.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AnchorMap } from '../analysis/anchor-map';
import { ERROR_TYPES, SpecialistError } from '../errors';
import { resolvePython } from '../python/interpreter';
import { introspectProject, type ProjectFacts } from '../python/introspect';
import { importPath, readImportPath, readProjectConfig, type ProjectConfig } from '../python/project-config';
import type { FeatureSpec } from '../spec/feature-spec';
import { generateTestSuite, TEST_CATEGORIES, type GeneratedFile } from '../testgen/generate-tests';
import { GENERATED_MARKER } from '../testgen/test-file';
import { touchedCoverage } from '../validation/coverage-report';
import { runMypy } from '../validation/mypy-runner';
import { compilePythonFiles } from '../validation/py-compile';
import { runPytest } from '../validation/pytest-runner';
import { headline } from '../validation/failure-headline';
import { judgeFailures } from '../baseline/judge-failures';
import { FAILURE_LIMITS, failureSummaries, isFailing } from '../validation/failing-cases';
import type { CodeChange, TestFailure, TestingResult } from './contract';
import { newFileNewline } from './source-file';
import { outsideWorkspaceProblem } from '../spec/workspace-paths';

export { headline };

export interface TestingPhaseOptions {
  /** Interpreter (absolute or relative to the root); default: `resolvePython`. */
  python?: string;
  /** pytest timeout; default `SPECIALIST_PYTEST_TIMEOUT` or 10 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  heartbeat?: (detail: unknown) => void;
  /** Files phases 1–5 changed (relative); default: every file the anchor map names. */
  touchedFiles?: string[];
  /**
   * Ids of tests already failing on the base that a person accepted (the baseline step): they may
   * still fail; any other failure, and any failure of a generated test, fails the phase.
   */
  knownFailures?: string[];
}

/** Source files the anchors point at: what phases 1–5 edit. */
export function anchoredFiles(anchors: AnchorMap): string[] {
  const files = new Set<string>();
  for (const c of anchors.changes) {
    files.add(c.modelAnchor.file).add(c.migrations.file).add(c.service.file);
    for (const x of [c.tool, c.route, c.route?.request, c.route?.response]) if (x) files.add(x.file);
    for (const x of [...c.createTables, ...c.inserts, ...c.rowMappers, ...c.serializers]) files.add(x.file);
  }
  return [...files].sort();
}

/** Runs the project's Python to learn what the generator needs (see `introspectProject`). */
export async function gatherFacts(
  python: string,
  root: string,
  spec: FeatureSpec,
  anchors: AnchorMap,
  signal?: AbortSignal,
  /** Beaten before each change's introspection (an activity's heartbeat). */
  heartbeat?: (detail: unknown) => void,
): Promise<ProjectFacts[]> {
  const facts: ProjectFacts[] = [];
  const sysPath = await readImportPath(python, root, anchors.sourceRoot, signal);
  for (const change of anchors.changes) {
    heartbeat?.({ step: `describing the project for ${change.model}.${change.field}` });
    const exclude = spec.data_models.changes.filter((c) => c.model === change.model).map((c) => c.field);
    const classes: { module: string; name: string }[] = [];
    if (change.service.className)
      classes.push({ module: change.service.module, name: change.service.className });
    if (change.tool?.className) classes.push({ module: change.tool.module, name: change.tool.className });
    const subclassesOf: { module: string; name: string }[] = [];
    if (change.migrations.className) {
      classes.push({ module: change.migrations.module, name: change.migrations.className });
      subclassesOf.push({ module: change.migrations.module, name: change.migrations.className });
    }
    for (const x of [...change.inserts, ...change.serializers])
      if (x.className) classes.push({ module: x.module, name: x.className });
    facts.push(
      await introspectProject(
        python,
        root,
        {
          sysPath,
          model: { module: change.modelAnchor.module, name: change.modelAnchor.className },
          exclude: exclude.sort(),
          classes,
          subclassesOf,
          functions: [
            // A module-level service function: the tests call it with the object it takes.
            ...(change.service.className
              ? []
              : [{ module: change.service.module, name: change.service.method }]),
            ...change.serializers
              .filter((s) => !s.className)
              .map((s) => ({ module: s.module, name: s.function })),
            // Factories the spec names for classes the tests cannot build on their own.
            ...Object.values(spec.architecture.factories ?? {}).map((f) => {
              const [module, name] = f.split(':') as [string, string];
              return { module, name };
            }),
          ],
          modules: [change.migrations.module],
          serviceMethod: {
            module: change.service.module,
            ...(change.service.className ? { name: change.service.className } : {}),
            method: change.service.method,
          },
          testsFolder: anchors.tests.folder,
          constructionFolders: [
            anchors.tests.folder,
            path.posix.join(anchors.sourceRoot || '.', anchors.package),
          ],
          generatedMarker: GENERATED_MARKER,
        },
        signal,
      ),
    );
  }
  return facts;
}

async function compileOrThrow(
  python: string,
  root: string,
  files: string[],
  signal?: AbortSignal,
): Promise<void> {
  const problems = await compilePythonFiles(python, root, files, signal);
  if (problems.length > 0) {
    throw new SpecialistError(
      ERROR_TYPES.compileFailed,
      `py_compile failed: ${problems.map((p) => `${p.file}:${p.line ?? '?'} ${p.message}`).join('; ')}`,
      { problems },
    );
  }
}

/** Writes the files whose content differs; returns which were created and which modified. */
export async function writeGenerated(
  root: string,
  files: GeneratedFile[],
): Promise<{ created: string[]; modified: string[] }> {
  const created: string[] = [];
  const modified: string[] = [];
  for (const file of files) {
    const absolute = path.join(root, file.path);
    // Defence in depth: the analysis refuses such hints, but nothing may ever be written outside the worktree.
    const outside = outsideWorkspaceProblem(root, file.path);
    if (outside)
      throw new SpecialistError(
        ERROR_TYPES.workspaceInvalid,
        `generated test file ${outside}: refusing to write it (check architecture.tests)`,
        { file: file.path },
      );
    // A project whose files end lines in CRLF gets CRLF in its new test files too (source-file.ts).
    const newline = newFileNewline(path.dirname(absolute));
    const content = newline === '\n' ? file.content : file.content.replace(/\n/g, newline);
    const before = existsSync(absolute) ? await readFile(absolute, 'utf8') : undefined;
    if (before === content) continue;
    if (before !== undefined && !before.includes(GENERATED_MARKER)) {
      throw new SpecialistError(
        ERROR_TYPES.workspaceInvalid,
        `${file.path} exists and was not generated by this tool: refusing to overwrite it (rename it, or the feature)`,
        { file: file.path },
      );
    }
    await mkdir(path.dirname(absolute), { recursive: true });
    await writeFile(absolute, content);
    (before === undefined ? created : modified).push(file.path);
  }
  return { created, modified };
}

function covPackages(config: ProjectConfig, anchors: AnchorMap): string[] {
  return config.coverage.source.length > 0 ? config.coverage.source : [anchors.package];
}

/** Generates the feature's tests, validates the workspace and returns the measured results. */
export async function runTestingPhase(
  root: string,
  spec: FeatureSpec,
  anchors: AnchorMap,
  options: TestingPhaseOptions = {},
): Promise<TestingResult> {
  const python = resolvePython(root, options.python ?? spec.architecture.python);
  const beat = (step: string) => options.heartbeat?.({ phase: 'testing_validation', step });
  beat('reading project configuration');
  const config = await readProjectConfig(python, root, options.signal);
  // Touched files first: the generator imports the project, and a syntax error should read as one.
  const touched = (options.touchedFiles ?? anchoredFiles(anchors)).filter((f) => f.endsWith('.py'));
  beat('py_compile');
  await compileOrThrow(python, root, touched, options.signal);

  beat('describing the project');
  const facts = await gatherFacts(python, root, spec, anchors, options.signal).catch((err: unknown) => {
    if (options.signal?.aborted) throw err;
    throw new SpecialistError(ERROR_TYPES.testsFailed, (err as Error).message, { step: 'introspection' });
  });
  const conftestPath = anchors.tests.conftest ? path.join(root, anchors.tests.conftest) : undefined;
  const conftestText =
    conftestPath && existsSync(conftestPath) ? await readFile(conftestPath, 'utf8') : undefined;
  const { files: generated, notes } = generateTestSuite({
    spec,
    anchors,
    facts,
    conftestText,
    asyncioMode: config.pytest.asyncioMode,
  });
  const written = await writeGenerated(root, generated);
  const changes: CodeChange[] = generated.map((g) => ({
    file: g.path,
    codemod: 'generate-tests',
    description: `${g.category} tests of ${spec.feature} (${(g.content.match(/^(?:async )?def test_/gm) ?? []).length} tests)`,
  }));
  const checks: TestingResult['checks'] = [];

  const compileTargets = [...new Set([...touched, ...generated.map((g) => g.path)])].sort();
  await compileOrThrow(
    python,
    root,
    generated.map((g) => g.path),
    options.signal,
  );
  checks.push({ name: 'py_compile', passed: true, detail: `${compileTargets.length} files` });

  beat('pytest');
  const run = await runPytest({
    python,
    root,
    covPackages: covPackages(config, anchors),
    // The workspace's code, even when the package is also installed in editable mode elsewhere.
    pythonPath: importPath(anchors.sourceRoot, config),
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    heartbeat: options.heartbeat,
  });
  if (run.timedOut) {
    // A report written before the hang still says what went wrong: show its first problems.
    const reported = (run.junit?.cases ?? [])
      .filter(isFailing)
      .slice(0, 3)
      .map((c) => `\n${c.id}: ${headline(c.message ?? c.outcome)}`);
    throw new SpecialistError(
      ERROR_TYPES.testsFailed,
      `pytest did not finish within the timeout (${run.durationMs} ms)${reported.join('')}`,
      {
        timedOut: true,
        outputTail: run.outputTail,
      },
    );
  }
  if (!run.junit) {
    throw new SpecialistError(
      ERROR_TYPES.testsFailed,
      `pytest wrote no report (exit ${String(run.exitCode)}): ${run.outputTail}`,
      {
        exitCode: run.exitCode,
        outputTail: run.outputTail,
      },
    );
  }
  const junit = run.junit;
  // The judgement: no new failure, and every generated test passes (an accepted base failure in a
  // generated file does not count as accepted).
  const known = new Set(options.knownFailures ?? []);
  const judged = judgeFailures({
    cases: junit.cases,
    exitCode: run.exitCode,
    knownFailures: options.knownFailures,
    generatedFiles: generated.map((g) => g.path),
  });
  const { newFailures, baseFailures } = judged;
  const failingCases = junit.cases.filter(isFailing);
  const isNew = (c: (typeof failingCases)[number]) => !baseFailures.includes(c.id);
  // Capped: the result travels in Temporal payloads (a broken base can fail hundreds of tests). New
  // failures first: they are what a person must look at.
  const failures: TestFailure[] = failureSummaries([
    ...failingCases.filter(isNew),
    ...failingCases.filter((c) => !isNew(c)),
  ]);
  const categories = Object.fromEntries(
    TEST_CATEGORIES.map((category) => {
      const file = generated.find((g) => g.category === category)?.path ?? '';
      const cases = junit.cases.filter((c) => c.file === file);
      const passed = cases.filter((c) => c.outcome === 'passed').length;
      const failed = cases.filter(isFailing).length;
      return [category, { file, tests: cases.length, passed, failed }];
    }),
  ) as NonNullable<TestingResult['categories']>;
  const categoryPassed = Object.fromEntries(
    TEST_CATEGORIES.map((category) => {
      const file = generated.find((g) => g.category === category)?.path;
      const cases = junit.cases.filter((c) => c.file === file);
      return [
        category,
        cases.length > 0 && cases.every((c) => c.outcome === 'passed' || c.outcome === 'skipped'),
      ];
    }),
  ) as Record<(typeof TEST_CATEGORIES)[number], boolean>;
  // A category the generator left out (its reason is a note below) is not "uncollected".
  const uncollected = TEST_CATEGORIES.filter((c) => categories[c].file !== '' && categories[c].tests === 0);
  if (uncollected.length > 0) {
    // Nothing proven: the project's pytest configuration (testpaths, python_files) did not pick
    // the generated files up.
    throw new SpecialistError(
      ERROR_TYPES.testsFailed,
      `pytest did not collect the generated ${uncollected.join(', ')} tests (${uncollected
        .map((c) => categories[c].file)
        .join(', ')}): check testpaths / python_files in the pytest configuration`,
      { uncollected: uncollected.map((c) => categories[c].file), outputTail: run.outputTail },
    );
  }
  const suitePassed = judged.passed;
  checks.push({
    name: 'pytest',
    passed: suitePassed,
    detail: `${junit.passed} passed, ${junit.failed} failed, ${junit.errors} errors, ${junit.skipped} skipped${
      baseFailures.length > 0 ? ` (${baseFailures.length} already failing on the base, accepted)` : ''
    }`,
  });
  for (const note of notes) checks.push({ name: 'note', passed: true, detail: note });
  const sourceTouched = touched.filter((f) => !f.startsWith(`${anchors.tests.folder}/`));
  const touchedModuleCoverage = run.coverage ? touchedCoverage(run.coverage, sourceTouched) : {};
  checks.push({
    name: 'coverage',
    passed: run.coverage !== undefined,
    detail: run.coverage
      ? `${run.coverage.totalPercent}% total`
      : 'pytest wrote no coverage report (is pytest-cov installed in the project interpreter?)',
  });

  let mypy: TestingResult['mypy'] = { configured: config.mypy.configured };
  let mypyBlocking: string[] = [];
  if (config.mypy.configured) {
    beat('mypy');
    const result = await runMypy({
      python,
      root,
      targets: [path.join(anchors.sourceRoot || '.', anchors.package)],
      configHasFiles: config.mypy.files.length > 0,
      signal: options.signal,
      heartbeat: options.heartbeat,
    });
    mypy = {
      configured: true,
      ...(result.unavailable ? {} : { passed: result.passed }),
      output: result.unavailable ?? result.output,
    };
    // Only errors in what this run touched block it: older errors elsewhere are not this feature's.
    const ours = new Set([...touched, ...generated.map((g) => g.path)]);
    mypyBlocking = result.issues
      .filter((i) => ours.has(i.file))
      .map((i) => `${i.file}:${i.line}: ${i.message}`);
    checks.push({
      // Older errors elsewhere are reported, not blocking; mypy that could not run has failed.
      name: 'mypy',
      passed: !result.unavailable && mypyBlocking.length === 0,
      detail: result.unavailable
        ? `mypy is configured but could not run: ${result.unavailable}`
        : `${result.issues.length} errors (${mypyBlocking.length} in touched or generated files)`,
    });
  }

  const result: TestingResult = {
    phase: 'testing_validation',
    filesModified: written.modified,
    filesCreated: written.created,
    changes,
    checks,
    passed: junit.passed,
    failed: junit.failed,
    errors: junit.errors,
    skipped: junit.skipped,
    unitTestsPassed: categoryPassed.unit,
    integrationTestsPassed: categoryPassed.integration,
    migrationTestsPassed: categoryPassed.migration,
    coveragePercentage: run.coverage?.totalPercent ?? 0,
    touchedModuleCoverage,
    mypy,
    failures,
    newFailures: newFailures.slice(0, FAILURE_LIMITS.ids),
    baseFailures: baseFailures.slice(0, FAILURE_LIMITS.ids),
    categories,
  };
  // Fail closed: a check that could not run (no coverage report, mypy unavailable) has failed.
  const unrun = checks.filter((c) => !c.passed && c.name !== 'pytest' && c.name !== 'mypy');
  const mypyUnavailable = checks.find((c) => c.name === 'mypy' && !c.passed && mypyBlocking.length === 0);
  if (mypyUnavailable) unrun.push(mypyUnavailable);
  if (!suitePassed || mypyBlocking.length > 0 || unrun.length > 0) {
    const failing = newFailures.length;
    const accepted =
      baseFailures.length > 0 ? ` (${baseFailures.length} more already failing on the base, accepted)` : '';
    const summary = [
      ...(failing > 0 || !suitePassed
        ? [`${failing} ${known.size > 0 ? 'new ' : ''}failing tests${accepted}`]
        : []),
      ...(mypyBlocking.length > 0 ? [`${mypyBlocking.length} mypy errors in touched files`] : []),
      ...(unrun.length > 0 ? [`${unrun.length} check(s) could not run`] : []),
    ].join(', ');
    const lines = [
      ...failures
        .filter((f) => newFailures.includes(f.id))
        .slice(0, 10)
        .map((f) => `${f.id}: ${headline(f.message)}`),
      ...mypyBlocking.slice(0, 10).map((m) => `mypy ${m}`),
      ...unrun.map((c) => `${c.name}: ${c.detail ?? 'failed'}`),
      // The places the phases skipped for a person: until they are edited, tests through them fail.
      ...anchors.changes.flatMap((c) =>
        (c.handEdits ?? []).map(
          (h) =>
            `likely reason: ${h.site} (line ${h.line}, ${h.layer}) is left to be edited by hand (handled_by_hand) and not edited yet — edit it in the run's worktree, then retry phase 6`,
        ),
      ),
    ];
    throw new SpecialistError(
      ERROR_TYPES.testsFailed,
      `${summary}${
        !suitePassed && failing === 0
          ? ` (pytest exit ${String(run.exitCode)}: ${run.outputTail.split('\n').slice(-3).join(' ')})`
          : ''
      }:\n${lines.join('\n')}`,
      { result, mypyErrors: mypyBlocking },
    );
  }
  return result;
}
