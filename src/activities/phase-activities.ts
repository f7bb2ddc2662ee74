/**
 * The phase activities (steps 0b–6 of a run, docs/durable-run.md): each resets the run's worktree to the commit of the
 * last completed phase, applies its phase with the codemod engine (or runs phase 6), and commits
 * exactly the files the phase reports as `phase N/6: <name>`, with a fixed identity and the run's start
 * time as date. So a retry — after a crash, a timeout or a person's `retry` — starts clean and yields
 * the same tree (and, for the same content, the same commit id). A phase that finds everything in
 * place still commits (empty): the branch always has one commit per phase.
 */
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { PhaseEditResult, TestingResult } from '../phases/contract';
import { commitFiles, resetWorktree } from '../git/git';
import { resolvePython } from '../python/interpreter';
import type { FeatureSpec, PhaseName } from '../spec/feature-spec';
import type {
  AnalyzeInput,
  CodebaseSummary,
  PhaseActivityInput,
  PhaseActivityResult,
  TestingSummary,
} from '../workflows/run-types';
import { asActivity } from './activity-errors';
import { realEngine, type PhaseEngine } from './phase-engine';

export interface PhaseActivityDeps {
  engine?: PhaseEngine;
  /** pytest timeout for phase 6 (default: the testing phase's own). */
  pytestTimeoutMs?: number;
}

const TITLES: Record<PhaseName, string> = {
  domain_model: 'domain model',
  database_migration: 'database migration',
  service_layer: 'service layer',
  api_layer: 'MCP API layer',
  serialization: 'serialization',
  testing_validation: 'testing and validation',
};

/**
 * The spec as the engine sees it in the worktree: the interpreter is resolved against the user's
 * workspace (its `.venv` is not in the worktree) and made absolute.
 */
export function specForWorktree(spec: FeatureSpec, workspace: string): FeatureSpec {
  const python = resolvePython(workspace, spec.architecture.python);
  if (!path.isAbsolute(python)) return spec;
  return { ...spec, architecture: { ...spec.architecture, python } };
}

function commitMessage(input: PhaseActivityInput, result: PhaseEditResult): string {
  const fields = input.spec.data_models.changes.map((c) => `${c.model}.${c.field}`).join(', ');
  const body = result.changes.map((c) => `- ${c.file}: ${c.description}`);
  // Why a phase changed nothing, when it says (the field reaches a service through the model).
  const notes = result.checks.filter((c) => c.name === 'note' && c.detail).map((c) => `- ${c.detail}`);
  const nothing =
    notes.length > 0 ? ['', 'Nothing to change:', ...notes] : ['', 'Nothing to change: already in place.'];
  return [
    `phase ${input.phaseNumber}/6: ${input.phase}`,
    '',
    `${TITLES[input.phase]} for ${input.spec.feature} (${fields})`,
    ...(body.length > 0 ? ['', ...body] : nothing),
    '',
    `Executed-By: ${input.executedBy}`,
    `Workflow-Id: ${input.workflowId}`,
  ].join('\n');
}

function testingSummary(result: TestingResult): TestingSummary {
  return {
    passed: result.passed,
    failed: result.failed,
    errors: result.errors,
    skipped: result.skipped,
    unitTestsPassed: result.unitTestsPassed,
    integrationTestsPassed: result.integrationTestsPassed,
    migrationTestsPassed: result.migrationTestsPassed,
    coveragePercentage: result.coveragePercentage,
    mypy: {
      configured: result.mypy.configured,
      ...(result.mypy.passed !== undefined ? { passed: result.mypy.passed } : {}),
    },
    newFailures: result.newFailures,
    baseFailures: result.baseFailures,
  };
}

export function createPhaseActivities(deps: PhaseActivityDeps = {}) {
  const engine = deps.engine ?? realEngine;

  const runPhase =
    (expected: PhaseName) =>
    async (input: PhaseActivityInput): Promise<PhaseActivityResult> =>
      asActivity(async () => {
        if (input.phase !== expected)
          throw new TypeError(`activity for ${expected} was called with phase ${input.phase}`);
        const ctx = Context.current();
        const beat = (detail: unknown) => ctx.heartbeat(detail);
        beat({ phase: input.phase, step: `reset to ${input.baseCommit.slice(0, 12)}` });
        await resetWorktree(input.worktree, input.baseCommit);
        const spec = specForWorktree(input.spec, input.workspace);
        let result: PhaseEditResult;
        let testing: TestingSummary | undefined;
        if (input.phase === 'testing_validation') {
          beat({ phase: input.phase, step: 'analyse' });
          const anchors = await engine.analyze(input.worktree, spec);
          const tested = await engine.runTesting(input.worktree, spec, anchors, {
            signal: ctx.cancellationSignal,
            heartbeat: beat,
            touchedFiles: input.touchedFiles,
            ...(input.knownFailures?.length ? { knownFailures: input.knownFailures } : {}),
            ...(deps.pytestTimeoutMs ? { timeoutMs: deps.pytestTimeoutMs } : {}),
          });
          testing = testingSummary(tested);
          result = tested;
        } else {
          beat({ phase: input.phase, step: 'apply codemods' });
          result = await engine.applyEdit(input.worktree, spec, input.phase, undefined, {
            heartbeat: beat,
            signal: ctx.cancellationSignal,
          });
        }
        const files = [...new Set([...result.filesModified, ...result.filesCreated])].sort();
        beat({ phase: input.phase, step: 'commit' });
        // A cancelled run gains no commit: the last point to notice it before the branch moves (the
        // workflow also drops a commit that raced its cancel, see cancel-cleanup.ts).
        ctx.cancellationSignal.throwIfAborted();
        const commit = await commitFiles(
          input.worktree,
          files,
          commitMessage(input, result),
          input.commitDate,
        );
        return {
          phase: input.phase,
          phaseNumber: input.phaseNumber,
          commit,
          changed: files.length > 0,
          filesModified: [...result.filesModified].sort(),
          filesCreated: [...result.filesCreated].sort(),
          changes: result.changes.slice(0, 200),
          checks: result.checks.map((c) => ({
            name: c.name,
            passed: c.passed,
            ...(c.detail ? { detail: c.detail.slice(0, 500) } : {}),
          })),
          ...(testing ? { testing } : {}),
        };
      });

  return {
    /** Step 0b: fail early and clearly when the codebase lacks something the spec needs. */
    async analyzeCodebase(input: AnalyzeInput): Promise<CodebaseSummary> {
      return asActivity(async () => {
        Context.current().heartbeat({ step: 'analyse' });
        const anchors = await engine.analyze(input.worktree, specForWorktree(input.spec, input.workspace));
        const files: Record<string, string> = {};
        const notes: string[] = [`${anchors.filesScanned} Python files scanned; package ${anchors.package}`];
        for (const c of anchors.changes) {
          files[`model ${c.model}`] = c.modelAnchor.file;
          files[`migrations`] = c.migrations.file;
          files[`service ${c.serviceMethod}`] = c.service.file;
          if (c.tool) files[`tool ${c.apiTool}`] = c.tool.file;
          if (c.route) files[`route ${c.apiTool}`] = c.route.file;
          c.serializers.forEach((s) => (files[`serializer ${s.function}`] = s.file));
          notes.push(
            `${c.model}.${c.field} → table ${c.table} (${c.sqlType}), ${c.inserts.length} INSERT(s), ${c.rowMappers.length} row mapper(s), ${c.serializers.length} serializer(s)`,
            ...c.inferred.map((line) => `  inferred ${line}`),
          );
        }
        files.tests = anchors.tests.folder;
        return { files, notes };
      });
    },
    applyDomainModelPhase: runPhase('domain_model'),
    applyDatabaseMigrationPhase: runPhase('database_migration'),
    applyServiceLayerPhase: runPhase('service_layer'),
    applyApiLayerPhase: runPhase('api_layer'),
    applySerializationPhase: runPhase('serialization'),
    runTestingValidationPhase: runPhase('testing_validation'),
  };
}
