/**
 * Builds the deliverable from what really happened: the phase results (files, commits), phase 6's
 * pytest numbers and the spec (for the compatibility notes). SUCCESS only when every phase of the plan
 * completed: a phase a person skipped makes the run FAILED, named in `next_recommended_action`. Pure
 * and deterministic: the workflow calls it, so it must not read clocks or files.
 */
import { PHASE_NAMES, type FeatureSpec, type PhaseName } from '../spec/feature-spec';
import type { BaselineSummary, PhaseActivityResult, PhaseProgress } from '../workflows/run-types';
import { deliverableSchema, type Deliverable } from './deliverable-schema';

export interface DeliverableInput {
  spec: FeatureSpec;
  workflowId: string;
  techSpecTaskId: string;
  taskId: string;
  branch: string;
  baseCommit: string;
  delegate: boolean;
  outcome: 'completed' | 'aborted';
  phases: PhaseProgress[];
  /** Results of the phases that completed, by name. */
  results: Partial<Record<PhaseName, PhaseActivityResult>>;
  /** An aborted run with no completed phase: its empty branch was removed. */
  branchRemoved?: boolean;
  /** The project's own suite on the base (runs with the baseline step). */
  baseline?: BaselineSummary;
  /** New failures phase 6 reported when it failed (no result then). */
  failedTestingNewFailures?: string[];
}

/** `serialization (phase 5), testing_validation (phase 6)` */
function named(phases: PhaseProgress[]): string {
  return phases.map((p) => `${p.name} (phase ${p.number})`).join(', ');
}

/** What a person does next, from what really happened. */
function nextAction(input: DeliverableInput): string {
  const branch = input.branch;
  if (input.outcome === 'aborted') {
    return input.branchRemoved
      ? `Run aborted before any phase completed; the empty branch ${branch} was removed: fix the cause, then run the feature again`
      : `Run aborted; the branch ${branch} holds the completed phases for inspection`;
  }
  const skipped = input.phases.filter((p) => p.state === 'skipped');
  const unfinished = input.phases.filter((p) => p.state !== 'completed' && p.state !== 'skipped');
  const hand = handEdits(input.spec).map((h) => h.site);
  if (skipped.length === 0 && unfinished.length === 0) {
    const known = input.baseline?.failing ?? [];
    // Not ready to merge as it is: the places a person said they edit are not edited yet.
    if (hand.length > 0)
      return `Left to be edited by hand before merging ${branch}: ${hand.join(', ')} (handled_by_hand: the phases skipped ${hand.length > 1 ? 'these places' : 'this place'} and no check ran through ${hand.length > 1 ? 'them' : 'it'} edited); then run the project's tests and merge${known.length > 0 ? `. ${known.length} test(s) already failed on the base and were accepted` : ''}`;
    return known.length > 0
      ? `Feature ready for review: merge ${branch}. No new failure; ${known.length} test(s) already failed on the base before any change and were accepted: ${known.slice(0, 5).join(', ')}${known.length > 5 ? ', ...' : ''}`
      : `Feature ready for review: merge ${branch}`;
  }
  const parts = [
    ...(skipped.length > 0 ? [`phases skipped by a person: ${named(skipped)}`] : []),
    ...(unfinished.length > 0 ? [`phases not completed: ${named(unfinished)}`] : []),
  ];
  if (hand.length > 0)
    parts.push(
      `left to be edited by hand (handled_by_hand, not edited yet: the likely reason of a failed check through them): ${hand.join(', ')}`,
    );
  return `FAILED — ${parts.join('; ')}. The feature is incomplete: ${branch} holds only the completed phases; do not merge it before the missing phases are done (fix the cause and run the feature again, or complete them by hand)`;
}

/** The places every change of the spec leaves to a person (`handled_by_hand`), in spec order. */
function handEdits(spec: FeatureSpec): { field: string; site: string }[] {
  return spec.data_models.changes.flatMap((c) =>
    (c.handled_by_hand ?? []).map((site) => ({ field: `${c.model}.${c.field}`, site })),
  );
}

export function buildDeliverable(input: DeliverableInput): Deliverable {
  const completed = (name: PhaseName) => input.phases.some((p) => p.name === name && p.state === 'completed');
  const created = new Set<string>();
  const modified = new Set<string>();
  let head = input.baseCommit;
  for (const name of PHASE_NAMES) {
    const result = input.results[name];
    if (!result) continue;
    result.filesCreated.forEach((f) => created.add(f));
    result.filesModified.forEach((f) => modified.add(f));
    head = result.commit;
  }
  // A file created by one phase and edited by a later one is still a created file.
  created.forEach((f) => modified.delete(f));
  const testing = input.results.testing_validation?.testing;
  // A skipped phase is a phase not done: the run is not a success (the next action names it).
  const success = input.outcome === 'completed' && input.phases.every((p) => p.state === 'completed');
  const changes = input.spec.data_models.changes;
  // A new field is backward compatible when old rows and old callers need nothing: nullable or defaulted.
  const breaking = changes.filter((c) => !c.nullable && c.default === undefined);
  const tables = [...new Set(changes.map((c) => `${c.table ?? c.model}.${c.field}`))];
  const deliverable: Deliverable = {
    execution_status: {
      status: success ? 'SUCCESS' : 'FAILED',
      phases_completed: input.phases.filter((p) => p.state === 'completed').length,
      agent_name: 'python-backend-specialist',
    },
    deliverables: {
      files_modified: [...modified].sort(),
      files_created: [...created].sort(),
      test_results: {
        unit_tests_passed: testing?.unitTestsPassed ?? false,
        integration_tests_passed: testing?.integrationTestsPassed ?? false,
        migration_tests_passed: testing?.migrationTestsPassed ?? false,
        coverage_percentage: testing?.coveragePercentage ?? 0,
        tests_passed: testing?.passed ?? 0,
        tests_failed: testing?.failed ?? 0,
        tests_errors: testing?.errors ?? 0,
        tests_skipped: testing?.skipped ?? 0,
        mypy_passed: testing?.mypy.configured ? (testing.mypy.passed ?? false) : null,
        already_failing_on_base: input.baseline?.failing ?? [],
        new_failures: testing?.newFailures ?? input.failedTestingNewFailures ?? [],
      },
      left_to_edit_by_hand: handEdits(input.spec),
      feature_details: {
        domain_model_updated: completed('domain_model'),
        database_migrated: completed('database_migration'),
        service_updated: completed('service_layer'),
        api_updated: completed('api_layer'),
        serialization_updated: completed('serialization'),
        tests_written: completed('testing_validation'),
      },
    },
    orchestration_context: {
      next_recommended_action: nextAction(input),
      backward_compatible: breaking.length === 0,
      breaking_changes: breaking.length > 0,
      deployment_notes:
        (completed('database_migration')
          ? `Database migration runs automatically on startup (_run_migrations adds ${tables.join(', ')}; idempotent, nothing dropped).`
          : 'No database migration was applied.') +
        (breaking.length > 0
          ? ` Breaking: ${breaking.map((c) => `${c.model}.${c.field}`).join(', ')} is required without a default; existing callers must pass it.`
          : ''),
    },
    run: {
      workflow_id: input.workflowId,
      feature: input.spec.feature,
      branch: input.branch,
      base_commit: input.baseCommit,
      head_commit: head,
      delegated: input.delegate,
      tech_spec_task_id: input.techSpecTaskId,
      task_id: input.taskId,
      outcome: input.outcome,
      phases: input.phases.map((p) => ({
        number: p.number,
        name: p.name,
        status: p.state === 'running' ? 'pending' : p.state,
        executed_by: p.executedBy,
        ...(p.childWorkflowId ? { child_workflow_id: p.childWorkflowId } : {}),
        ...(p.commit ? { commit: p.commit } : {}),
        files: p.files ?? [],
      })),
      sub_agents: input.phases
        .filter((p) => p.childWorkflowId && input.results[p.name])
        .map((p) => {
          const r = input.results[p.name]!;
          return {
            agent: p.executedBy,
            workflow_id: p.childWorkflowId!,
            phase: p.name,
            files_modified: r.filesModified,
            files_created: r.filesCreated,
            checks: r.checks.map((c) => ({ name: c.name, passed: c.passed })),
          };
        }),
      ...(input.baseline
        ? {
            baseline: {
              commit: input.baseline.commit,
              tree: input.baseline.tree,
              cached: input.baseline.cached,
              tests_passed: input.baseline.passed,
              tests_failed: input.baseline.failed,
              tests_errors: input.baseline.errors,
              tests_skipped: input.baseline.skipped,
              failures_accepted: input.baseline.accepted,
            },
          }
        : {}),
      notes: PHASE_NAMES.flatMap((phase) =>
        (input.results[phase]?.checks ?? [])
          .filter((c) => c.name === 'note' && c.detail)
          .map((c) => ({ phase, note: c.detail! })),
      ),
    },
  };
  return deliverableSchema.parse(deliverable);
}
