/**
 * What the run commands share: a Temporal client on the stack `ensureStack` finds or starts, the UI
 * link of a run, and watching a run until it finishes or waits for a person.
 */
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ensureStack, type StackHandle } from '../../stack/ensure-stack';
import { deliverableSchema, type Deliverable } from '../../deliverable';
import { progressQuery, RUN_ABORTED } from '../../workflows/definitions';
import type { RunProgress } from '../../workflows/run-types';
import { CliError, EXIT } from '../cli-error';
import {
  ProgressView,
  renderCancelled,
  renderProgress,
  renderWaiting,
  withCancelledStep,
} from '../progress/progress-view';

export interface Session {
  stack: StackHandle;
  client: Client;
  close(): Promise<void>;
}

/** Stack + client; `close()` releases both (and stops a stack this command started). */
export async function openSession(options: { worker?: boolean } = {}): Promise<Session> {
  const stack = await ensureStack({ worker: options.worker ?? true });
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: stack.temporalAddress });
  } catch (err) {
    await stack.stop();
    throw new CliError(`cannot reach Temporal at ${stack.temporalAddress}: ${(err as Error).message}`);
  }
  const client = new Client({ connection, namespace: stack.namespace });
  return {
    stack,
    client,
    close: async () => {
      await connection.close().catch(() => undefined);
      await stack.stop();
    },
  };
}

export function uiLink(stack: StackHandle, workflowId: string): string | undefined {
  if (!stack.uiUrl) return undefined;
  return `${stack.uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(stack.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export type Outcome =
  | { kind: 'completed'; deliverable: Deliverable; progress?: RunProgress }
  | { kind: 'waiting'; progress: RunProgress }
  | { kind: 'aborted'; message: string; partial?: Deliverable }
  | { kind: 'cancelled'; progress?: RunProgress }
  | { kind: 'failed'; message: string };

/**
 * The `progress` query, or undefined when no worker answers within `timeoutMs` (none running, no
 * workflow task processed yet, or the worker is restarting): a query waits for a worker otherwise.
 */
export async function queryProgress(
  handle: WorkflowHandle,
  timeoutMs = 10_000,
): Promise<RunProgress | undefined> {
  try {
    return await handle.client.connection.withDeadline(Date.now() + timeoutMs, () =>
      handle.query(progressQuery),
    );
  } catch {
    return undefined;
  }
}

/** The closed run's outcome (result or failure). */
export async function closedOutcome(handle: WorkflowHandle): Promise<Outcome> {
  try {
    return { kind: 'completed', deliverable: deliverableSchema.parse(await handle.result()) };
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      const cause = err.cause;
      if (cause instanceof CancelledFailure) return { kind: 'cancelled' };
      if (cause instanceof ApplicationFailure && cause.type === RUN_ABORTED) {
        const partial = deliverableSchema.safeParse(cause.details?.[0]);
        return {
          kind: 'aborted',
          message: cause.message,
          ...(partial.success ? { partial: partial.data } : {}),
        };
      }
      return { kind: 'failed', message: cause?.message ?? err.message };
    }
    throw err;
  }
}

/**
 * Polls the `progress` query and redraws until the run completes, fails or waits for a person.
 */
export async function watchRun(
  handle: WorkflowHandle,
  options: { link?: string; quiet?: boolean; pollMs?: number } = {},
): Promise<Outcome> {
  const view = options.quiet ? undefined : new ProgressView(process.stderr, options.link);
  const id = handle.workflowId;
  // Ctrl-C stops the following, not the run: say so, and how to pick it up again.
  const onInterrupt = () => {
    view?.done();
    process.stderr.write(
      `\nstopped following ${id}; the run is not cancelled: it goes on while a worker serves it. \`specialist follow ${id}\` follows it to its end (with a worker when none serves it), \`specialist cancel ${id}\` stops it.\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    return await watchLoop(handle, view, options.pollMs ?? 500);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

async function watchLoop(
  handle: WorkflowHandle,
  view: ProgressView | undefined,
  pollMs: number,
): Promise<Outcome> {
  for (;;) {
    // Losing Temporal (e.g. the stack another terminal started has stopped) ends the following, not the run.
    const description = await handle.describe().catch((err: Error) => {
      view?.done();
      throw new CliError(
        `lost the connection to Temporal while following ${handle.workflowId} (${err.message.split('\n')[0]}); the run itself is kept by the server: \`specialist follow ${handle.workflowId}\` follows it to its end (starting the stack and a worker when none is running)`,
        EXIT.waiting,
      );
    });
    const progress = await queryProgress(handle);
    if (progress) view?.update(progress);
    if (description.status.name !== 'RUNNING') {
      view?.done();
      const outcome = await closedOutcome(handle);
      return (outcome.kind === 'completed' || outcome.kind === 'cancelled') && progress
        ? { ...outcome, progress }
        : outcome;
    }
    if (progress?.status === 'waiting') {
      view?.done();
      return { kind: 'waiting', progress };
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Prints an outcome the way every run command does and returns the exit code. */
export function reportOutcome(outcome: Outcome, json: boolean): number {
  const err = (line = '') => process.stderr.write(`${line}\n`);
  switch (outcome.kind) {
    case 'completed': {
      process.stdout.write(`${JSON.stringify(outcome.deliverable, null, 2)}\n`);
      const d = outcome.deliverable;
      const succeeded = d.execution_status.status === 'SUCCESS';
      if (!json) {
        const t = d.deliverables.test_results;
        err();
        err(
          `${d.execution_status.status}: ${d.execution_status.phases_completed} of ${d.run.phases.length} phases on ${d.run.branch} (${d.run.head_commit.slice(0, 8)}); pytest ${t.tests_passed} passed, ${t.tests_failed} failed, coverage ${t.coverage_percentage}%`,
        );
      }
      // Said even with --json (stderr): a FAILED run that completed (phases skipped) must not read as done.
      if (!succeeded) err(d.orchestration_context.next_recommended_action);
      return succeeded ? EXIT.ok : EXIT.runFailed;
    }
    case 'waiting':
      if (json)
        process.stdout.write(
          `${JSON.stringify({ status: 'waiting', progress: outcome.progress }, null, 2)}\n`,
        );
      renderWaiting(outcome.progress).forEach((l) => err(l));
      return EXIT.waiting;
    case 'aborted':
      if (outcome.partial) process.stdout.write(`${JSON.stringify(outcome.partial, null, 2)}\n`);
      err(`run aborted: ${outcome.message}`);
      return EXIT.runFailed;
    case 'cancelled':
      if (json && outcome.progress)
        process.stdout.write(
          `${JSON.stringify({ status: 'cancelled', progress: withCancelledStep(outcome.progress) }, null, 2)}\n`,
        );
      (outcome.progress ? renderCancelled(outcome.progress) : ['run cancelled']).forEach((l) => err(l));
      return EXIT.runFailed;
    case 'failed':
      err(`run failed: ${outcome.message}`);
      return EXIT.runFailed;
  }
}

export { renderProgress };
