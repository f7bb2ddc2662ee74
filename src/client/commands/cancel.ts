/**
 * `specialist cancel <id>`: cancels a run that is running or waiting (as `temporal workflow cancel` or
 * the UI's Cancel would) and waits until it has cleaned up: its running step stopped (processes
 * killed, no commit after the cancel), the worktree removed, the branch keeping the phases completed
 * before the cancel, a CANCELLED `changes_summary` in memory. `abort` uses `cancelRun` for a run that
 * is not waiting for a person.
 *
 * Sending the cancel needs only a client: it is sent at once, on a stack without a worker. The
 * clean-up is the run's own code, so it needs a worker: a `specialist dev` (or the `specialist worker`s
 * of TEMPORAL_ADDRESS) serves it; on a stack this command started, one comes up here after the cancel.
 */
import type { Command } from 'commander';
import type { WorkflowHandle } from '@temporalio/client';
import { CliError, EXIT } from '../cli-error';
import { renderCancelled } from '../progress/progress-view';
import { endedRunMessage } from './ended-run';
import { openSession, watchRun, type Session } from './run-session';

/** Cancels the run and waits for it to close; prints what its clean-up did. Exit 0 once cancelled. */
export async function cancelRun(session: Session, workflowId: string): Promise<number> {
  const handle: WorkflowHandle = session.client.workflow.getHandle(workflowId);
  const description = await handle.describe().catch((err: Error) => {
    throw new CliError(`no run ${workflowId}: ${err.message}`);
  });
  if (description.status.name !== 'RUNNING')
    throw new CliError(endedRunMessage(workflowId, description, 'cancel'));
  await handle.cancel();
  process.stderr.write(`cancelling ${workflowId}: stopping its running step, then cleaning up ...\n`);
  // Nothing serves the run on a stack this command started: the clean-up needs a worker (the stack
  // logs that it starts one; nothing when one already runs, e.g. `abort`'s).
  if (session.stack.startWorker) await session.stack.startWorker();
  else if (session.stack.source === 'environment')
    process.stderr.write(
      `TEMPORAL_ADDRESS is set, so no worker starts here: the clean-up runs while a \`specialist worker\` serves task queue ${session.stack.taskQueue}\n`,
    );
  // Poll the closed state only: a cancelled run no longer waits for a person.
  for (;;) {
    const outcome = await watchRun(handle, { quiet: true });
    if (outcome.kind === 'waiting') {
      // The cancel has not reached the workflow yet (its worker may be restarting): keep waiting.
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    if (outcome.kind === 'cancelled') {
      (outcome.progress ? renderCancelled(outcome.progress) : [`${workflowId} cancelled`]).forEach((l) =>
        process.stderr.write(`${l}\n`),
      );
      return EXIT.ok;
    }
    // It ended otherwise before the cancel reached it (completed, failed, aborted).
    throw new CliError(
      `${workflowId} ended ${outcome.kind} before the cancel reached it; see \`specialist result ${workflowId}\``,
      EXIT.runFailed,
    );
  }
}

export function registerCancelCommand(program: Command): void {
  program
    .command('cancel')
    .description(
      'Cancel a run (running or waiting): stop its step, remove the worktree; the branch keeps the completed phases.',
    )
    .argument('<workflow-id>')
    .action(async (workflowId: string) => {
      // No worker yet: the cancel is sent first; `cancelRun` brings one up for the clean-up if needed.
      const session = await openSession({ worker: false });
      try {
        process.exitCode = await cancelRun(session, workflowId);
      } finally {
        await session.close();
      }
    });
}
