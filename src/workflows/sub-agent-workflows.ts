/**
 * The two sub-agents (docs/durable-run.md) as child workflows. Each runs its phase activity in the parent's
 * worktree and returns its own small deliverable. A failure fails the child; the parent then waits for a
 * person and starts the child again (same id) on `retry`.
 */
import { setCurrentDetails } from '@temporalio/workflow';
import type { SubAgentInput, SubAgentResult } from './run-types';
import { DEFAULT_WORKER_TIMEOUT, onWorker } from './worktree-worker';

/** The phase activity runs on the worker that holds the parent's worktree (when the parent says which). */
function codemodOn(input: SubAgentInput) {
  return onWorker(input.workerQueue, input.workerTimeout ?? DEFAULT_WORKER_TIMEOUT).codemod;
}

function fields(input: SubAgentInput): string {
  return input.spec.data_models.changes.map((c) => `${c.model}.${c.field}: ${c.type}`).join(', ');
}

/** python-pydantic-model-specialist: phase 1, the Pydantic field(s) with declarative constraints. */
export async function pythonPydanticModelSpecialistWorkflow(input: SubAgentInput): Promise<SubAgentResult> {
  setCurrentDetails(
    `**${input.agent}** adds ${fields(input)} on \`${input.branch}\` (base ${input.baseCommit.slice(0, 8)})`,
  );
  const result = await codemodOn(input).applyDomainModelPhase.executeWithOptions(
    { summary: `phase 1/6: domain model — ${fields(input)}` },
    [input],
  );
  setCurrentDetails(
    `**${input.agent}** committed ${result.commit.slice(0, 8)}: ${result.filesModified.join(', ')}`,
  );
  return { agent: input.agent, status: 'SUCCESS', result };
}

/** sqlite-migration-specialist: phase 2, the idempotent migration, CREATE TABLE, INSERTs, row mappers. */
export async function sqliteMigrationSpecialistWorkflow(input: SubAgentInput): Promise<SubAgentResult> {
  const columns = input.spec.data_models.changes.map((c) => `${c.table ?? c.model}.${c.field}`).join(', ');
  setCurrentDetails(
    `**${input.agent}** adds column(s) ${columns} on \`${input.branch}\` (base ${input.baseCommit.slice(0, 8)})`,
  );
  const result = await codemodOn(input).applyDatabaseMigrationPhase.executeWithOptions(
    { summary: `phase 2/6: database migration — ${columns}` },
    [input],
  );
  setCurrentDetails(
    `**${input.agent}** committed ${result.commit.slice(0, 8)}: ${result.filesModified.join(', ')}`,
  );
  return { agent: input.agent, status: 'SUCCESS', result };
}
