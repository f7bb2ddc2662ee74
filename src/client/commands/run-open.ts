/**
 * One run per branch, seen from `run`: the feature's workflow id on the repository is fixed
 * (`run-identity.ts`), so a second `run` of the same feature finds the open run. With the same spec
 * (and delegation) it attaches and follows that run — what a second start would have done anyway;
 * with a different one it is refused, naming the open run: two runs can never share `feature/<name>`.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { branchOwner, branchTaken } from '../../activities/workspace-activities';
import { branchExists } from '../../git/git';
import type { FeatureSpec } from '../../spec/feature-spec';
import { CliError } from '../cli-error';
import { repositoryKey, runWorkflowId } from './run-identity';
import type { Session } from './run-session';
import { loadTechnicalSpecs } from './run-specs';
import { startRun, type RunMemo } from './run-start';

export interface StartedRun {
  handle: WorkflowHandle;
  /** True when another start had opened the run: this command only follows it. */
  attached: boolean;
}

/** The open (RUNNING) run of `workflowId`, if there is one. */
async function openRun(
  session: Session,
  workflowId: string,
): Promise<{ handle: WorkflowHandle; description: WorkflowExecutionDescription } | undefined> {
  const handle = session.client.workflow.getHandle(workflowId);
  try {
    const description = await handle.describe();
    return description.status.name === 'RUNNING' ? { handle, description } : undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** JSON with sorted keys: the stored spec comes back from PostgreSQL's jsonb in another key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** Why the open run is not the run this `run` asks for, or undefined when it is the same. */
async function difference(
  session: Session,
  memo: RunMemo,
  spec: FeatureSpec,
  delegate: boolean,
): Promise<string | undefined> {
  if (memo.delegate !== undefined && memo.delegate !== delegate)
    return `it runs ${memo.delegate ? 'with' : 'without'} delegation (--no-delegate ${memo.delegate ? 'not given' : 'given'} there)`;
  if (!memo.techSpecTaskId) return 'its spec is not recorded where `run` can compare it';
  const open = await loadTechnicalSpecs(session.stack.databaseUrl, memo.techSpecTaskId, spec.feature).catch(
    (err: Error) => err,
  );
  if (open instanceof Error) return `its spec cannot be read (${open.message})`;
  return canonicalJson(open) === canonicalJson(spec) ? undefined : 'it runs a different spec';
}

/** Attaches to the open run when it asks for the same; otherwise refuses, naming it (exit 2). */
async function attachOrRefuse(
  session: Session,
  open: { handle: WorkflowHandle; description: WorkflowExecutionDescription },
  spec: FeatureSpec,
  options: { workspace: string; delegate: boolean },
): Promise<StartedRun> {
  const id = open.handle.workflowId;
  const memo = (open.description.memo ?? {}) as RunMemo;
  const why = await difference(session, memo, spec, options.delegate);
  const since = open.description.startTime.toISOString();
  if (why)
    throw new CliError(
      `feature ${spec.feature} already has an open run on ${options.workspace}: ${id} (started ${since}), and ${why}. One run per branch (feature/${spec.feature}): follow it with \`specialist follow ${id}\`, or end it (\`specialist abort ${id}\` while it waits) and run again`,
    );
  process.stderr.write(
    `feature ${spec.feature} is already running on this repository as ${id} (started ${since}, same spec): following that run instead of starting another\n`,
  );
  return { handle: open.handle, attached: true };
}

/** Starts the feature's run on the repository, or attaches to / refuses at its open run. */
export async function startOrAttach(
  session: Session,
  spec: FeatureSpec,
  options: { workspace: string; delegate: boolean },
): Promise<StartedRun> {
  const workflowId = runWorkflowId(spec.feature, await repositoryKey(options.workspace));
  const open = await openRun(session, workflowId);
  if (open) return attachOrRefuse(session, open, spec, options);
  // A branch left by a closed run (or made by a person) would stop the run at prepare_workspace:
  // refuse now, before anything is stored or started, with what the run would say.
  const branch = `feature/${spec.feature}`;
  if (await branchExists(options.workspace, branch))
    throw new CliError(
      branchTaken(options.workspace, branch, await branchOwner(options.workspace, branch), 'then run again')
        .message,
    );
  try {
    return { handle: await startRun(session, spec, { ...options, workflowId }), attached: false };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    // Another start of the same feature won the race between our look and our start.
    const raced = await openRun(session, workflowId);
    if (!raced)
      throw new CliError(
        `another run of ${spec.feature} (${workflowId}) started and ended while this one started: see \`specialist status ${workflowId}\`, then run again`,
      );
    return attachOrRefuse(session, raced, spec, options);
  }
}
