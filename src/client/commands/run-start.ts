/** Starting a run: the spec's three keys into memory under a new tech-spec task id, then the workflow. */
import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { FeatureSpec } from '../../spec/feature-spec';
import { SPECIALIST_FEATURE, SPECIALIST_STATUS } from '../../stack/search-attributes';
import { WORKFLOW_TYPES } from '../../workflows/definitions';
import type { ImplementFeatureInput } from '../../workflows/run-types';
import { storeTechnicalSpecs } from './run-specs';
import type { Session } from './run-session';

/** A short random id: workflow ids read `feature-<name>-<short id>`. */
export function shortId(): string {
  return randomBytes(4).toString('hex');
}

/** Starts a run on an open session; returns the handle (the spec is already validated). */
export async function startRun(
  session: Session,
  spec: FeatureSpec,
  options: { workspace: string; delegate: boolean },
): Promise<WorkflowHandle> {
  const id = shortId();
  const workflowId = `feature-${spec.feature}-${id}`;
  const techSpecTaskId = `spec-${spec.feature}-${id}`;
  await storeTechnicalSpecs(session.stack.databaseUrl, techSpecTaskId, spec);
  const input: ImplementFeatureInput = {
    techSpecTaskId,
    taskId: workflowId,
    workspace: options.workspace,
    feature: spec.feature,
    delegate: options.delegate,
  };
  const fields = spec.data_models.changes.map((c) => `${c.model}.${c.field}: ${c.type}`).join(', ');
  return session.client.workflow.start(WORKFLOW_TYPES.implementFeature, {
    taskQueue: session.stack.taskQueue,
    workflowId,
    args: [input],
    memo: { techSpecTaskId, workspace: options.workspace },
    typedSearchAttributes: [
      { key: SPECIALIST_FEATURE, value: spec.feature },
      { key: SPECIALIST_STATUS, value: 'starting' },
    ],
    staticSummary: `${spec.feature}: ${spec.title ?? fields}`,
    staticDetails: [
      `**${spec.title ?? spec.feature}**`,
      '',
      `- workspace: \`${options.workspace}\``,
      `- branch: \`feature/${spec.feature}\``,
      `- fields: ${fields}`,
      `- delegation: ${options.delegate ? 'on (sub-agents as child workflows)' : 'off (self-execution)'}`,
      `- technical specs: memory \`task:${techSpecTaskId}:technical_specs\``,
    ].join('\n'),
  });
}
