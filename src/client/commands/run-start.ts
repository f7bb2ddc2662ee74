/**
 * Starting a run: the spec's three keys into memory under a new tech-spec task id, then the workflow
 * under the feature's workflow id on the repository (`run-identity.ts`). Temporal refuses a second
 * open run of that id (conflict policy FAIL); reuse is allowed, so the feature can run again once the
 * earlier run closed. `run-open.ts` decides what a refused start does (attach, or refuse).
 */
import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import type { FeatureSpec } from '../../spec/feature-spec';
import { SPECIALIST_FEATURE, SPECIALIST_STATUS } from '../../stack/search-attributes';
import { WORKFLOW_TYPES } from '../../workflows/definitions';
import type { ImplementFeatureInput } from '../../workflows/run-types';
import { forgetTechnicalSpecs, storeTechnicalSpecs } from './run-specs';
import { commandEnv } from './stack-shared';
import type { Session } from './run-session';

/** A short random id: tech-spec task ids read `spec-<name>-<short id>` (one per start). */
export function shortId(): string {
  return randomBytes(4).toString('hex');
}

/** What a run's memo holds: read back by `run` to compare a second start with the open run. */
export interface RunMemo {
  techSpecTaskId?: string;
  workspace?: string;
  delegate?: boolean;
}

/**
 * Starts a run on an open session; returns the handle (the spec is already validated). Throws
 * `WorkflowExecutionAlreadyStartedError` when a run of `workflowId` is open, after taking back the
 * technical specs it stored for nothing.
 */
export async function startRun(
  session: Session,
  spec: FeatureSpec,
  options: { workspace: string; delegate: boolean; workflowId: string },
): Promise<WorkflowHandle> {
  const { workflowId } = options;
  const techSpecTaskId = `spec-${spec.feature}-${shortId()}`;
  // How long a step waits for the worker holding the worktree (unset: the workflow's 5 minutes).
  const workerTimeout = commandEnv().SPECIALIST_WORKER_TIMEOUT;
  await storeTechnicalSpecs(session.stack.databaseUrl, techSpecTaskId, spec);
  const input: ImplementFeatureInput = {
    techSpecTaskId,
    taskId: workflowId,
    workspace: options.workspace,
    feature: spec.feature,
    delegate: options.delegate,
    ...(workerTimeout ? { workerTimeout: `${workerTimeout}s` } : {}),
  };
  const memo: RunMemo = { techSpecTaskId, workspace: options.workspace, delegate: options.delegate };
  const fields = spec.data_models.changes.map((c) => `${c.model}.${c.field}: ${c.type}`).join(', ');
  try {
    return await session.client.workflow.start(WORKFLOW_TYPES.implementFeature, {
      taskQueue: session.stack.taskQueue,
      workflowId,
      // One open run per id; a closed one does not block the next run of the feature.
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      args: [input],
      memo: { ...memo },
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
  } catch (err) {
    // Lost the race to another start of the same feature: its spec is the run's, ours is nobody's.
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      await forgetTechnicalSpecs(session.stack.databaseUrl, techSpecTaskId).catch(() => undefined);
    throw err;
  }
}
