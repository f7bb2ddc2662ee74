/**
 * How a run that has ended is named: its own status (`SpecialistStatus`), corrected by Temporal's when
 * the run closed without its code saying so; and the one line a command meant for an open run prints.
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { SPECIALIST_STATUS } from '../../stack/search-attributes';

/** Statuses that mean the run's code is still going: wrong once Temporal says the run is closed. */
export const OPEN_STATUSES = new Set(['starting', 'running', 'waiting', 'cancelling']);

/**
 * The status `list` shows: the run's own (`SpecialistStatus`), unless the run was closed without its
 * code saying so (terminated, timed out, or cancelled by an older version): then Temporal's.
 */
export function listedStatus(temporal: string, own: unknown): string {
  const status = typeof own === 'string' ? own : undefined;
  if (temporal === 'RUNNING') return status ?? 'running';
  return status && !OPEN_STATUSES.has(status) ? status : temporal.toLowerCase();
}

/**
 * `<id> has ended (completed): there is nothing to retry; ...`: what `retry`, `skip`, `abort` and
 * `cancel` say for a run that has ended, instead of the server's error.
 */
export function endedRunMessage(
  workflowId: string,
  description: Pick<WorkflowExecutionDescription, 'status' | 'typedSearchAttributes'>,
  verb: string,
): string {
  const state = listedStatus(
    description.status.name,
    description.typedSearchAttributes.get(SPECIALIST_STATUS),
  );
  return `${workflowId} has ended (${state}): there is nothing to ${verb}; \`specialist result ${workflowId}\` shows how it ended`;
}
