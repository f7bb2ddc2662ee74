/**
 * The run's result: the reference document's "Deliverable Output Format" JSON, key for key, plus a
 * `run` block (workflow id, branch, commit per phase). `test_results` also carries the pytest counts the
 * reference format implies but does not list.
 */
import { z } from 'zod';

export const phaseRecordSchema = z.object({
  number: z.number().int().min(1),
  name: z.string(),
  status: z.enum(['completed', 'skipped', 'failed', 'blocked', 'pending']),
  executed_by: z.string(),
  child_workflow_id: z.string().optional(),
  commit: z.string().optional(),
  files: z.array(z.string()).default([]),
});

export const deliverableSchema = z.object({
  execution_status: z.object({
    status: z.enum(['SUCCESS', 'FAILED']),
    phases_completed: z.number().int().min(0),
    agent_name: z.literal('python-backend-specialist'),
  }),
  deliverables: z.object({
    files_modified: z.array(z.string()),
    files_created: z.array(z.string()),
    test_results: z.object({
      unit_tests_passed: z.boolean(),
      integration_tests_passed: z.boolean(),
      migration_tests_passed: z.boolean(),
      coverage_percentage: z.number().min(0).max(100),
      tests_passed: z.number().int().min(0),
      tests_failed: z.number().int().min(0),
      tests_errors: z.number().int().min(0),
      tests_skipped: z.number().int().min(0),
      mypy_passed: z.boolean().nullable(),
      /** Tests of the project that already failed on the base commit, before any change (the baseline). */
      already_failing_on_base: z.array(z.string()).default([]),
      /** Tests failing on the branch that did not fail on the base, or generated ones (empty on SUCCESS). */
      new_failures: z.array(z.string()).default([]),
    }),
    /**
     * Places the engine cannot edit that the spec marks `handled_by_hand`: the phases skipped them, the
     * checks did not pass through them edited; a person edits them before the branch is merged.
     */
    left_to_edit_by_hand: z.array(z.object({ field: z.string(), site: z.string() })).default([]),
    feature_details: z.object({
      domain_model_updated: z.boolean(),
      database_migrated: z.boolean(),
      service_updated: z.boolean(),
      api_updated: z.boolean(),
      serialization_updated: z.boolean(),
      tests_written: z.boolean(),
    }),
  }),
  orchestration_context: z.object({
    next_recommended_action: z.string(),
    backward_compatible: z.boolean(),
    breaking_changes: z.boolean(),
    deployment_notes: z.string(),
  }),
  run: z.object({
    workflow_id: z.string(),
    feature: z.string(),
    branch: z.string(),
    base_commit: z.string(),
    head_commit: z.string(),
    delegated: z.boolean(),
    tech_spec_task_id: z.string(),
    task_id: z.string(),
    outcome: z.enum(['completed', 'aborted']),
    phases: z.array(phaseRecordSchema),
    sub_agents: z.array(
      z.object({
        agent: z.string(),
        workflow_id: z.string(),
        phase: z.string(),
        files_modified: z.array(z.string()),
        files_created: z.array(z.string()),
        checks: z.array(z.object({ name: z.string(), passed: z.boolean() })),
      }),
    ),
    /** The project's own suite on the base commit, measured before any phase (absent in older runs). */
    baseline: z
      .object({
        commit: z.string(),
        tree: z.string(),
        cached: z.boolean(),
        tests_passed: z.number().int().min(0),
        tests_failed: z.number().int().min(0),
        tests_errors: z.number().int().min(0),
        tests_skipped: z.number().int().min(0),
        /** True when a person accepted the base's failing tests (`retry --accept-failures`). */
        failures_accepted: z.boolean(),
      })
      .optional(),
    /** What a phase chose not to do, and why (e.g. no database test: no path can be given). */
    notes: z.array(z.object({ phase: z.string(), note: z.string() })),
  }),
});

export type Deliverable = z.infer<typeof deliverableSchema>;
export type PhaseRecord = z.infer<typeof phaseRecordSchema>;
