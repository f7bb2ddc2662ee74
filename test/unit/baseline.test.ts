/**
 * The baseline step's pure parts: phase 6's judgement with accepted base failures, the cache key and
 * its storage, the waiting message, which retries the run refuses, and both lists in the deliverable.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { describeBaselineFailures } from '../../src/baseline/baseline-message';
import {
  baselineCacheKey,
  fingerprintInterpreter,
  readBaselineCache,
  writeBaselineCache,
} from '../../src/baseline/baseline-cache';
import { runBaseline } from '../../src/baseline/run-baseline';
import type { BaselineResult } from '../../src/baseline/baseline-result';
import { judgeFailures, type JudgedCase } from '../../src/baseline/judge-failures';
import { renderProgress, renderWaiting } from '../../src/client/progress/progress-view';
import { buildDeliverable, deliverableSchema } from '../../src/deliverable';
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import { baselineRetryRefusal, newFailuresOf } from '../../src/workflows/baseline-step';
import type { RunProgress } from '../../src/workflows/run-types';

const failing = (id: string, file = id.split('::')[0]!): JudgedCase => ({ id, file, outcome: 'failed' });
const passing = (id: string): JudgedCase => ({ id, file: id.split('::')[0]!, outcome: 'passed' });

describe("phase 6's judgement: no new failure and every generated test passes", () => {
  const generatedFiles = ['tests/test_x_unit.py'];

  it('passes with only accepted base failures failing (pytest exits 1)', () => {
    const judged = judgeFailures({
      cases: [failing('tests/test_a.py::test_old'), passing('tests/test_x_unit.py::test_new')],
      exitCode: 1,
      knownFailures: ['tests/test_a.py::test_old'],
      generatedFiles,
    });
    expect(judged).toEqual({ newFailures: [], baseFailures: ['tests/test_a.py::test_old'], passed: true });
  });

  it('fails on a failure that did not fail on the base', () => {
    const judged = judgeFailures({
      cases: [failing('tests/test_a.py::test_old'), failing('tests/test_a.py::test_other')],
      exitCode: 1,
      knownFailures: ['tests/test_a.py::test_old'],
      generatedFiles,
    });
    expect(judged.passed).toBe(false);
    expect(judged.newFailures).toEqual(['tests/test_a.py::test_other']);
  });

  it('fails on a generated test even when its id was accepted on the base', () => {
    const judged = judgeFailures({
      cases: [failing('tests/test_x_unit.py::test_new')],
      exitCode: 1,
      knownFailures: ['tests/test_x_unit.py::test_new'],
      generatedFiles,
    });
    expect(judged).toMatchObject({ newFailures: ['tests/test_x_unit.py::test_new'], passed: false });
  });

  it('fails closed on an exit status other than 0, or 1 with accepted failures', () => {
    expect(judgeFailures({ cases: [], exitCode: 2, generatedFiles }).passed).toBe(false);
    expect(judgeFailures({ cases: [], exitCode: 1, generatedFiles }).passed).toBe(false);
    expect(
      judgeFailures({
        cases: [failing('tests/test_a.py::test_old')],
        exitCode: 2,
        knownFailures: ['tests/test_a.py::test_old'],
        generatedFiles,
      }).passed,
    ).toBe(false);
    expect(
      judgeFailures({ cases: [passing('tests/test_a.py::t')], exitCode: 0, generatedFiles }).passed,
    ).toBe(true);
  });
});

describe('the baseline cache', () => {
  const interpreter = { executable: '/venv/bin/python', version: '3.12.1', packagesMtimeMs: 1 };

  it('keys by tree and interpreter (path, version, installed packages)', () => {
    const key = baselineCacheKey('t1', interpreter);
    expect(baselineCacheKey('t1', { ...interpreter })).toBe(key);
    expect(baselineCacheKey('t2', interpreter)).not.toBe(key);
    expect(baselineCacheKey('t1', { ...interpreter, executable: '/other/bin/python' })).not.toBe(key);
    expect(baselineCacheKey('t1', { ...interpreter, version: '3.13.0' })).not.toBe(key);
    expect(baselineCacheKey('t1', { ...interpreter, packagesMtimeMs: 2 })).not.toBe(key);
  });

  it('stores and reads a result atomically, and reads nothing for an unknown key', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baseline-cache-'));
    try {
      await writeBaselineCache(path.join(dir, 'nested'), 'k1', { tree: 't1' });
      expect(await readBaselineCache(path.join(dir, 'nested'), 'k1')).toEqual({ tree: 't1' });
      expect(await readBaselineCache(path.join(dir, 'nested'), 'k2')).toBeUndefined();
      expect(readdirSync(path.join(dir, 'nested'))).toEqual(['k1.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers from the cache without asking for the import path (which parses the workspace)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baseline-hit-'));
    try {
      const python = 'python3';
      const key = baselineCacheKey('t1', await fingerprintInterpreter(python, dir));
      await writeBaselineCache(dir, key, { ...red, tree: 't1', cached: false });
      const importPath = jest.fn(() => Promise.reject(new Error('must not be asked on a cache hit')));
      const hit = await runBaseline({
        python,
        root: dir,
        commit: 'e'.repeat(40),
        tree: 't1',
        cacheDir: dir,
        pythonPath: importPath,
      });
      expect(hit).toMatchObject({ cached: true, commit: 'e'.repeat(40), failing: red.failing });
      expect(importPath).not.toHaveBeenCalled();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const red: BaselineResult = {
  commit: 'c'.repeat(40),
  tree: 't'.repeat(40),
  interpreter: '/venv/bin/python',
  cached: true,
  passed: 42,
  failed: 1,
  errors: 0,
  skipped: 0,
  failing: ['tests/test_a.py::test_old'],
  truncated: false,
  failures: [{ id: 'tests/test_a.py::test_old', message: 'AssertionError: assert 2 == 3\nmore' }],
  exitCode: 1,
  outputTail:
    'FAILED tests/test_a.py::test_old - AssertionError: assert 2 == 3\n1 failed, 42 passed in 0.50s\n',
};

it('the waiting message says "already failing on the base" and names each test with its error', () => {
  const message = describeBaselineFailures(red);
  expect(message).toMatch(
    /^already failing on the base: 1 test\(s\) .* base commit cccccccccccc, before any change \(cached/,
  );
  expect(message).toContain('tests/test_a.py::test_old: AssertionError: assert 2 == 3');
  expect(message).not.toContain('HEAD is now');
  expect(message).toMatch(
    /pytest output \(end\):\n {2}FAILED tests\/test_a\.py::test_old .*\n {2}1 failed, 42 passed in 0\.50s/,
  );
  expect(describeBaselineFailures({ ...red, repositoryHead: 'd'.repeat(40) })).toContain(
    "The repository's HEAD is now dddddddddddd: `retry --rebase` moves the run onto it.",
  );
});

describe('retries the run refuses', () => {
  const progress = (
    step: RunProgress['currentStep'],
    type: string,
    completed: number[] = [],
  ): RunProgress => ({
    workflowId: 'w',
    feature: 'f',
    status: 'waiting',
    delegate: false,
    waiting: { step: step!, type, message: '' },
    preSteps: [],
    phases: [1, 2, 3, 4, 5, 6].map((n) => ({
      number: n,
      name: 'domain_model',
      state: completed.includes(n) ? 'completed' : 'pending',
      executedBy: 'x',
      attempts: 0,
    })),
  });

  it('accepts --accept-failures only on a failing base, and not with --rebase', () => {
    expect(
      baselineRetryRefusal(progress('baseline_tests', 'BaselineFailing'), { acceptBaselineFailures: true }),
    ).toBeUndefined();
    expect(
      baselineRetryRefusal(progress('baseline_tests', 'TestsFailed'), { acceptBaselineFailures: true }),
    ).toMatch(/applies only while the run waits on tests already failing/);
    expect(
      baselineRetryRefusal(progress('api_layer', 'AnchorNotFound'), { acceptBaselineFailures: true }),
    ).toMatch(/applies only/);
    expect(
      baselineRetryRefusal(progress('baseline_tests', 'BaselineFailing'), {
        acceptBaselineFailures: true,
        rebase: true,
      }),
    ).toMatch(/exclude each other/);
  });

  it('accepts --rebase only while no committed phase would stay', () => {
    expect(
      baselineRetryRefusal(progress('baseline_tests', 'BaselineFailing'), { rebase: true }),
    ).toBeUndefined();
    expect(
      baselineRetryRefusal(progress('analyze_codebase', 'AnchorNotFound'), { rebase: true }),
    ).toBeUndefined();
    expect(baselineRetryRefusal(progress('prepare_workspace', 'WorkspaceInvalid'), { rebase: true })).toMatch(
      /needs the run's worktree/,
    );
    expect(baselineRetryRefusal(progress('service_layer', 'X', [1, 2]), { rebase: true })).toMatch(
      /only while no phase is committed/,
    );
    expect(
      baselineRetryRefusal(progress('service_layer', 'X', [1, 2]), { rebase: true, fromPhase: 1 }),
    ).toBeUndefined();
    expect(
      baselineRetryRefusal(progress('service_layer', 'X', [1, 2]), { rebase: true, fromPhase: 2 }),
    ).toMatch(/phase 1/);
  });
});

it("reads phase 6's new failures from its TestsFailed details", () => {
  const failure = ApplicationFailure.create({
    type: 'TestsFailed',
    message: '1 new failing tests',
    details: [{ result: { newFailures: ['tests/test_a.py::test_new'] } }],
  });
  const wrapped = Object.assign(new Error('activity failed'), { cause: failure });
  expect(newFailuresOf(wrapped)).toEqual(['tests/test_a.py::test_new']);
  expect(newFailuresOf(new Error('other'))).toBeUndefined();
});

it('the deliverable lists the base failures and the new failures, keeping the reference keys', () => {
  const spec = parseFeatureSpec({
    feature: 'task-summary',
    data_models: {
      changes: [{ model: 'Task', field: 'summary', type: 'str', nullable: true, default: null }],
    },
  });
  const d = buildDeliverable({
    spec,
    workflowId: 'w',
    techSpecTaskId: 's',
    taskId: 'w',
    branch: 'feature/task-summary',
    baseCommit: red.commit,
    delegate: false,
    outcome: 'completed',
    phases: [],
    results: {},
    baseline: { ...red, accepted: true, failing: red.failing },
    failedTestingNewFailures: ['tests/test_task_summary_unit.py::test_x'],
  });
  expect(deliverableSchema.parse(d).deliverables.test_results).toMatchObject({
    already_failing_on_base: ['tests/test_a.py::test_old'],
    new_failures: ['tests/test_task_summary_unit.py::test_x'],
    unit_tests_passed: false,
  });
  expect(d.run.baseline).toEqual({
    commit: red.commit,
    tree: red.tree,
    cached: true,
    tests_passed: 42,
    tests_failed: 1,
    tests_errors: 0,
    tests_skipped: 0,
    failures_accepted: true,
  });
  // Deliverables of runs from before the baseline still parse.
  const old = JSON.parse(JSON.stringify(d)) as {
    deliverables: { test_results: Record<string, unknown> };
    run: Record<string, unknown>;
  };
  delete old.deliverables.test_results.already_failing_on_base;
  delete old.deliverables.test_results.new_failures;
  delete old.run.baseline;
  expect(deliverableSchema.parse(old).deliverables.test_results.new_failures).toEqual([]);
});

it('the client shows a failing base with its commands (rebase, retry, accept, abort; no skip) and the baseline line', () => {
  const progress: RunProgress = {
    workflowId: 'feature-task-summary-1',
    feature: 'task-summary',
    status: 'waiting',
    delegate: false,
    preSteps: [{ name: 'baseline_tests', state: 'failed' }],
    phases: [],
    baseline: { ...red, accepted: false },
    waiting: { step: 'baseline_tests', type: 'BaselineFailing', message: describeBaselineFailures(red) },
  };
  // eslint-disable-next-line no-control-regex
  const text = (lines: string[]) => lines.join('\n').replace(/\x1b\[[0-9;]*m/g, '');
  const waiting = text(renderWaiting(progress));
  expect(waiting).toContain('already fail on the base, before any change');
  expect(waiting).toContain('tests/test_a.py::test_old: AssertionError');
  expect(waiting).toContain('specialist retry feature-task-summary-1 --rebase');
  expect(waiting).toContain('specialist retry feature-task-summary-1 --accept-failures');
  expect(waiting).toContain('specialist abort feature-task-summary-1');
  expect(waiting).not.toContain('specialist skip');
  expect(text(renderProgress(progress))).toContain('base cccccccc: 42 passed, 1 already failing, cached');
  // A baseline that could not run has nothing to accept.
  const broken = text(renderWaiting({ ...progress, waiting: { ...progress.waiting!, type: 'TestsFailed' } }));
  expect(broken).not.toContain('--accept-failures');
});
