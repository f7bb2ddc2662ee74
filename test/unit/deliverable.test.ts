import { buildDeliverable, deliverableSchema, type DeliverableInput } from '../../src/deliverable';
import { parseFeatureSpec } from '../../src/spec/feature-spec';
import type { PhaseActivityResult, PhaseProgress } from '../../src/workflows/run-types';

const spec = parseFeatureSpec({
  feature: 'task-summary',
  data_models: {
    changes: [
      { model: 'Task', field: 'summary', type: 'str', nullable: true, default: null, table: 'tasks' },
    ],
  },
});

const NAMES = [
  'domain_model',
  'database_migration',
  'service_layer',
  'api_layer',
  'serialization',
  'testing_validation',
] as const;

function input(overrides: Partial<DeliverableInput> = {}): DeliverableInput {
  const phases: PhaseProgress[] = NAMES.map((name, i) => ({
    number: i + 1,
    name,
    state: 'completed',
    executedBy: 'python-backend-specialist',
    attempts: 1,
    commit: `${i + 1}`.repeat(40),
  }));
  const results: DeliverableInput['results'] = {};
  NAMES.forEach((name, i) => {
    const result: PhaseActivityResult = {
      phase: name,
      phaseNumber: i + 1,
      commit: `${i + 1}`.repeat(40),
      changed: true,
      filesModified: name === 'testing_validation' ? ['tests/conftest.py'] : ['src/app/models.py'],
      filesCreated: name === 'testing_validation' ? ['tests/test_task_summary_unit.py'] : [],
      changes: [],
      checks: [],
    };
    if (name === 'testing_validation')
      result.testing = {
        passed: 40,
        failed: 0,
        errors: 0,
        skipped: 1,
        unitTestsPassed: true,
        integrationTestsPassed: true,
        migrationTestsPassed: true,
        coveragePercentage: 96.1,
        mypy: { configured: true, passed: true },
      };
    results[name] = result;
  });
  return {
    spec,
    workflowId: 'feature-task-summary-1',
    techSpecTaskId: 'spec-1',
    taskId: 'feature-task-summary-1',
    branch: 'feature/task-summary',
    baseCommit: '0'.repeat(40),
    delegate: true,
    outcome: 'completed',
    phases,
    results,
    ...overrides,
  };
}

describe('the deliverable', () => {
  it('reports a full run as SUCCESS with the real test numbers and the head commit', () => {
    const d = buildDeliverable(input());
    expect(deliverableSchema.safeParse(d).success).toBe(true);
    expect(d.execution_status).toEqual({
      status: 'SUCCESS',
      phases_completed: 6,
      agent_name: 'python-backend-specialist',
    });
    expect(d.deliverables.test_results).toMatchObject({
      coverage_percentage: 96.1,
      tests_passed: 40,
      tests_skipped: 1,
      mypy_passed: true,
    });
    expect(d.run.head_commit).toBe('6'.repeat(40));
  });

  it('carries the notes of the phases (what a phase chose not to do, and why), and only notes', () => {
    const base = input();
    const testing = base.results.testing_validation!;
    const results = {
      ...base.results,
      testing_validation: {
        ...testing,
        checks: [
          { name: 'pytest', passed: true, detail: '14 passed' },
          { name: 'note', passed: true, detail: 'no database test: LinkDB takes no path' },
        ],
      },
    };
    const d = buildDeliverable({ ...base, results });
    expect(d.run.notes).toEqual([
      { phase: 'testing_validation', note: 'no database test: LinkDB takes no path' },
    ]);
    expect(buildDeliverable(input()).run.notes).toEqual([]);
  });

  it('lists each file once, created files only as created', () => {
    const d = buildDeliverable(input());
    expect(d.deliverables.files_modified).toEqual(['src/app/models.py', 'tests/conftest.py']);
    expect(d.deliverables.files_created).toEqual(['tests/test_task_summary_unit.py']);
  });

  it('calls a nullable field backward compatible and a required one without default breaking', () => {
    expect(buildDeliverable(input()).orchestration_context).toMatchObject({
      backward_compatible: true,
      breaking_changes: false,
    });
    const required = parseFeatureSpec({
      feature: 'x',
      data_models: { changes: [{ model: 'Task', field: 'owner', type: 'str' }] },
    });
    const d = buildDeliverable(input({ spec: required }));
    expect(d.orchestration_context).toMatchObject({ backward_compatible: false, breaking_changes: true });
    expect(d.orchestration_context.deployment_notes).toMatch(/Task\.owner is required/);
  });

  it('reports an aborted run as FAILED and counts only completed phases', () => {
    const base = input();
    const phases = base.phases.map((p, i) =>
      i >= 3 ? { ...p, state: 'pending' as const, commit: undefined } : p,
    );
    const results = {
      domain_model: base.results.domain_model,
      database_migration: base.results.database_migration,
      service_layer: base.results.service_layer,
    };
    const d = buildDeliverable({ ...base, phases, results, outcome: 'aborted' });
    expect(d.execution_status).toMatchObject({ status: 'FAILED', phases_completed: 3 });
    expect(d.deliverables.feature_details).toMatchObject({
      service_updated: true,
      api_updated: false,
      tests_written: false,
    });
    expect(d.deliverables.test_results.coverage_percentage).toBe(0);
    expect(d.run.outcome).toBe('aborted');
  });

  it('reports a run with skipped phases as FAILED, in the reference format, naming the skipped phases', () => {
    const base = input();
    const phases = base.phases.map((p) =>
      p.name === 'serialization' || p.name === 'testing_validation'
        ? { ...p, state: 'skipped' as const, commit: undefined }
        : p,
    );
    const results = { ...base.results };
    delete results.serialization;
    delete results.testing_validation;
    const d = buildDeliverable({ ...base, phases, results });
    expect(deliverableSchema.safeParse(d).success).toBe(true);
    expect(Object.keys(d.orchestration_context).sort()).toEqual([
      'backward_compatible',
      'breaking_changes',
      'deployment_notes',
      'next_recommended_action',
    ]);
    expect(d.execution_status).toEqual({
      status: 'FAILED',
      phases_completed: 4,
      agent_name: 'python-backend-specialist',
    });
    expect(d.orchestration_context.next_recommended_action).toMatch(
      /skipped by a person: serialization \(phase 5\), testing_validation \(phase 6\)/,
    );
    expect(d.orchestration_context.next_recommended_action).not.toMatch(/ready for review/);
    expect(d.run.outcome).toBe('completed');
  });

  it('says SUCCESS only when every phase completed, even when all were skipped', () => {
    const base = input();
    const phases = base.phases.map((p) => ({ ...p, state: 'skipped' as const, commit: undefined }));
    const d = buildDeliverable({ ...base, phases, results: {} });
    expect(d.execution_status).toMatchObject({ status: 'FAILED', phases_completed: 0 });
    expect(d.orchestration_context.next_recommended_action).toMatch(/domain_model \(phase 1\)/);
  });

  it('says when an aborted run left no phase and its empty branch was removed', () => {
    const base = input();
    const phases = base.phases.map((p) => ({ ...p, state: 'pending' as const, commit: undefined }));
    const d = buildDeliverable({ ...base, phases, results: {}, outcome: 'aborted', branchRemoved: true });
    expect(d.execution_status).toMatchObject({ status: 'FAILED', phases_completed: 0 });
    expect(d.orchestration_context.next_recommended_action).toMatch(
      /empty branch feature\/task-summary was removed/,
    );
  });
});
