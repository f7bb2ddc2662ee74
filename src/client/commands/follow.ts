/**
 * `specialist follow <id>` (also `specialist run --attach <id>`): finishes a run whose CLI died. It
 * brings the stack up with a worker when no `specialist dev` serves it (the run's history is in the
 * data folder, so the worker carries it on from where it stopped) and follows the run to its end with
 * `run`'s live table, deliverable and exit code.
 */
import type { Command } from 'commander';
import { WorkflowNotFoundError } from '@temporalio/client';
import { WORKFLOW_TYPES } from '../../workflows/definitions';
import { CliError } from '../cli-error';
import { openSession, reportOutcome, uiLink, watchRun } from './run-session';

/** Follows `workflowId` to its end (or until it waits for a person); returns the exit code. */
export async function followRun(workflowId: string, options: { json?: boolean } = {}): Promise<number> {
  const session = await openSession({ worker: true });
  try {
    const handle = session.client.workflow.getHandle(workflowId);
    const description = await handle.describe().catch((err: Error) => {
      throw new CliError(
        err instanceof WorkflowNotFoundError
          ? `no run ${workflowId}`
          : `no run ${workflowId}: ${err.message}`,
      );
    });
    if (description.type !== WORKFLOW_TYPES.implementFeature)
      throw new CliError(`${workflowId} is a ${description.type} workflow, not a run (implementFeature)`);
    if (description.status.name === 'RUNNING' && session.stack.source === 'environment')
      process.stderr.write(
        `TEMPORAL_ADDRESS is set, so no worker starts here: the run moves while a \`specialist worker\` serves task queue ${session.stack.taskQueue}\n`,
      );
    const outcome = await watchRun(handle, { link: uiLink(session.stack, workflowId) });
    return reportOutcome(outcome, Boolean(options.json));
  } finally {
    await session.close();
  }
}

export function registerFollowCommand(program: Command): void {
  program
    .command('follow')
    .description(
      "Follow a run to its end (a worker comes up when no stack serves it): a run whose CLI died finishes with run's table, deliverable and exit code.",
    )
    .argument('<workflow-id>')
    .option('--json', 'print only the deliverable JSON on stdout')
    .action(async (workflowId: string, options: { json?: boolean }) => {
      process.exitCode = await followRun(workflowId, options);
    });
}
