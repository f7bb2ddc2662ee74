/**
 * `specialist run | status | result | retry | skip | abort | list` (and `demo`): start a durable run
 * on a git workspace, watch its phase table live, and answer it when it waits for a person.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { describeRepository } from '../../git/git';
import { SpecialistError } from '../../errors';
import { abortUpdate, retryUpdate, skipUpdate, WORKFLOW_TYPES } from '../../workflows/definitions';
import type { RetryRequest, RunProgress } from '../../workflows/run-types';
import { CliError, EXIT } from '../cli-error';
import { registerDemoCommand } from '../demo';
import {
  renderCancelled,
  renderProgress,
  renderWaiting,
  withCancelledStep,
  type ShownProgress,
} from '../progress/progress-view';
import { cancelRun } from './cancel';
import { endedRunMessage, listedStatus, OPEN_STATUSES } from './ended-run';
import { readSpecFile, refuseOutsidePaths } from '../spec-file';
import { precheckRun } from './run-precheck';
import { storeTechnicalSpecs } from './run-specs';
import { followRun } from './follow';
import { startOrAttach } from './run-open';
import { noWorkerNote, readProgress } from './run-offline';
import {
  closedOutcome,
  openSession,
  queryProgress,
  reportOutcome,
  uiLink,
  watchRun,
  type Session,
} from './run-session';

async function resolveWorkspace(dir: string): Promise<{ root: string; head: string }> {
  try {
    return await describeRepository(path.resolve(dir));
  } catch (err) {
    if (err instanceof SpecialistError) throw new CliError(err.message);
    throw err;
  }
}

/** Runs `fn` on a session and sets the exit code it returns; always closes the session. */
async function withSession(fn: (session: Session) => Promise<number>, options: { worker?: boolean } = {}) {
  const session = await openSession(options);
  try {
    process.exitCode = await fn(session);
  } finally {
    await session.close();
  }
}

function refuseDetachOnTemporaryStack(session: Session): void {
  if (session.stack.source === 'started')
    throw new CliError(
      '--detach needs a stack that outlives this command: start `specialist dev` in another terminal (or set TEMPORAL_ADDRESS), then run again',
    );
}

/**
 * The run a decision (retry, skip, abort) is for, once it is known to be open: a run that has ended
 * gets one line saying how it ended and that there is nothing to `verb`. Then, on a stack this command
 * started, a worker comes up: the decision is answered by the run's own code.
 */
async function openRunFor(session: Session, workflowId: string, verb: string): Promise<WorkflowHandle> {
  const handle = session.client.workflow.getHandle(workflowId);
  const description = await handle.describe().catch((err: Error) => {
    throw new CliError(
      err instanceof WorkflowNotFoundError ? `no run ${workflowId}` : `no run ${workflowId}: ${err.message}`,
    );
  });
  if (description.status.name !== 'RUNNING')
    throw new CliError(endedRunMessage(workflowId, description, verb));
  await session.stack.startWorker?.();
  return handle;
}

async function sendDecision<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError)
      throw new CliError(`the run refused: ${(err.cause as Error | undefined)?.message ?? err.message}`);
    throw err;
  }
}

/** After a person's decision: print the run's answer, then follow the run unless detached. */
async function followDecision(
  session: Session,
  workflowId: string,
  answer: string,
  options: { detach?: boolean; json?: boolean },
): Promise<number> {
  process.stderr.write(`${answer}\n`);
  if (options.detach) return EXIT.ok;
  const handle = session.client.workflow.getHandle(workflowId);
  return reportOutcome(
    await watchRun(handle, { link: uiLink(session.stack, workflowId) }),
    Boolean(options.json),
  );
}

export function registerRunCommands(program: Command): void {
  program
    .command('run')
    .description(
      'Implement the feature of <spec.json> in a git workspace, durably, phase by phase (one open run per feature and repository: a second `run` follows it, or is refused when its spec differs).',
    )
    .argument('[spec]', 'feature spec (JSON)')
    .option('--workspace <dir>', 'the target git repository (its checkout is never modified)')
    .option('--no-delegate', 'run the model and migration phases as own activities (self-execution)')
    .option('--detach', 'start the run and return at once (needs `specialist dev` or TEMPORAL_ADDRESS)')
    .option('--attach <workflow-id>', 'follow an existing run to its end instead (as `specialist follow`)')
    .option('--json', 'print only the deliverable JSON on stdout')
    .action(
      async (
        specFile: string | undefined,
        options: { workspace?: string; delegate: boolean; detach?: boolean; attach?: string; json?: boolean },
      ) => {
        if (options.attach) {
          if (specFile || options.workspace)
            throw new CliError('--attach <id> follows an existing run: give no spec and no --workspace');
          process.exitCode = await followRun(options.attach, options);
          return;
        }
        if (!specFile) throw new CliError('missing the spec: specialist run <spec.json> --workspace <dir>');
        if (!options.workspace) throw new CliError("required option '--workspace <dir>' not specified");
        const spec = readSpecFile(specFile);
        const repo = await resolveWorkspace(options.workspace);
        const workspace = repo.root;
        refuseOutsidePaths(spec, workspace);
        // Everything `plan` would refuse is refused here, before a stack, a workflow, a branch, a
        // worktree or a memory entry exists.
        await precheckRun(repo, spec);
        await withSession(async (session) => {
          if (options.detach) refuseDetachOnTemporaryStack(session);
          const { handle, attached } = await startOrAttach(session, spec, {
            workspace,
            delegate: options.delegate,
          });
          const link = uiLink(session.stack, handle.workflowId);
          if (options.detach) {
            if (options.json)
              process.stdout.write(
                `${JSON.stringify({ workflowId: handle.workflowId, ui: link, attached })}\n`,
              );
            else process.stdout.write(`${handle.workflowId}\n`);
            process.stderr.write(
              `${attached ? 'already running' : 'started'}; watch with \`specialist status ${handle.workflowId}\`${link ? ` or ${link}` : ''}\n`,
            );
            return EXIT.ok;
          }
          return reportOutcome(await watchRun(handle, { link }), Boolean(options.json));
        });
      },
    );

  program
    .command('status')
    .description('The phase table of a run, and why it waits if it does (read-only: never moves the run).')
    .argument('<workflow-id>')
    .option('--json', 'print the progress as JSON')
    .action(async (workflowId: string, options: { json?: boolean }) => {
      await withSession(
        async (session) => {
          const handle = session.client.workflow.getHandle(workflowId);
          const description = await handle.describe().catch((err: Error) => {
            throw new CliError(`no run ${workflowId}: ${err.message}`);
          });
          const running = description.status.name === 'RUNNING';
          // A query needs a worker; the stack this command started has none (it would move the run).
          const read = await readProgress(session, handle, description);
          const live = read.live;
          const progress = closedStatus(description.status.name, read.progress)!;
          if (options.json) {
            process.stdout.write(
              `${JSON.stringify({ status: description.status.name, progress, live: Boolean(live) }, null, 2)}\n`,
            );
          } else {
            renderProgress(progress, uiLink(session.stack, workflowId)).forEach((l) =>
              process.stdout.write(`${l}\n`),
            );
            renderWaiting(progress).forEach((l) => process.stdout.write(`${l}\n`));
            if (!live)
              process.stdout.write(`${noWorkerNote(workflowId, running && progress.status !== 'waiting')}\n`);
            renderCancelled(progress).forEach((l) => process.stdout.write(`${l}\n`));
          }
          return progress.status === 'waiting' && running ? EXIT.waiting : EXIT.ok;
        },
        // Read-only: a worker started here would pick up the run's next task and move it.
        { worker: false },
      );
    });

  program
    .command('result')
    .description('The deliverable JSON of a finished run (exit 3 while it waits for a person).')
    .argument('<workflow-id>')
    .action(async (workflowId: string) => {
      await withSession(
        async (session) => {
          const handle = session.client.workflow.getHandle(workflowId);
          const description = await handle.describe().catch((err: Error) => {
            throw new CliError(`no run ${workflowId}: ${err.message}`);
          });
          if (description.status.name === 'RUNNING') {
            const progress = (await readProgress(session, handle, description)).progress;
            if (progress.status === 'waiting') return reportOutcome({ kind: 'waiting', progress }, false);
            throw new CliError(
              `${workflowId} is still running (${progress.currentStep ?? 'starting'}); see \`specialist status ${workflowId}\``,
              EXIT.waiting,
            );
          }
          const outcome = await closedOutcome(handle);
          // A cancelled run has no deliverable: what its clean-up did is in its progress.
          if (outcome.kind === 'cancelled') {
            const progress = (await readProgress(session, handle, description)).progress;
            return reportOutcome({ ...outcome, progress }, true);
          }
          return reportOutcome(outcome, true);
        },
        { worker: false },
      );
    });

  program
    .command('retry')
    .description(
      'Retry the failed step of a waiting run (optionally from an earlier phase, with a corrected spec).',
    )
    .argument('<workflow-id>')
    .option('--phase <n>', 're-run from this phase number (1-6), up to the failed one', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 6) throw new CliError(`--phase expects 1..6, got ${v}`);
      return n;
    })
    .option('--spec <file>', 'a corrected feature spec (same feature name)')
    .option(
      '--rebase',
      "move the run onto the repository's current HEAD first (only while no phase stays committed; with --phase 1 every phase runs again)",
    )
    .option(
      '--accept-failures',
      'go on with the tests already failing on the base accepted (phase 6 then fails only on new failures)',
    )
    .option('--detach', 'return once the run accepted the retry')
    .option('--json', 'print only the deliverable JSON on stdout')
    .action(
      async (
        workflowId: string,
        options: {
          phase?: number;
          spec?: string;
          rebase?: boolean;
          acceptFailures?: boolean;
          detach?: boolean;
          json?: boolean;
        },
      ) => {
        const spec = options.spec ? readSpecFile(options.spec) : undefined;
        await withSession(
          async (session) => {
            const handle = await openRunFor(session, workflowId, 'retry');
            const request: RetryRequest = {
              ...(options.phase ? { fromPhase: options.phase } : {}),
              ...(spec ? { spec } : {}),
              ...(options.rebase ? { rebase: true } : {}),
              ...(options.acceptFailures ? { acceptBaselineFailures: true } : {}),
            };
            if (spec) {
              const memo = (await handle.describe()).memo as { techSpecTaskId?: string } | undefined;
              if (memo?.techSpecTaskId)
                await storeTechnicalSpecs(session.stack.databaseUrl, memo.techSpecTaskId, spec);
            }
            const answer = await sendDecision(() => handle.executeUpdate(retryUpdate, { args: [request] }));
            return followDecision(session, workflowId, answer, options);
          },
          // A worker only once the run is known to be open (openRunFor).
          { worker: false },
        );
      },
    );

  program
    .command('skip')
    .description('Skip the failed step of a waiting run and go on.')
    .argument('<workflow-id>')
    .option('--reason <text>', 'why (kept in the history)')
    .option('--detach', 'return once the run accepted')
    .option('--json', 'print only the deliverable JSON on stdout')
    .action(async (workflowId: string, options: { reason?: string; detach?: boolean; json?: boolean }) => {
      await withSession(
        async (session) => {
          const handle = await openRunFor(session, workflowId, 'skip');
          const answer = await sendDecision(() =>
            handle.executeUpdate(skipUpdate, { args: [options.reason ? { reason: options.reason } : {}] }),
          );
          return followDecision(session, workflowId, answer, options);
        },
        { worker: false },
      );
    });

  program
    .command('abort')
    .description(
      'Stop a run; its branch keeps the completed phases. A run that is not waiting for a person is cancelled (see `cancel`).',
    )
    .argument('<workflow-id>')
    .option('--reason <text>', 'why (kept in the failure)')
    .action(async (workflowId: string, options: { reason?: string }) => {
      await withSession(
        async (session) => {
          const handle = await openRunFor(session, workflowId, 'abort');
          // A running run has no decision to answer: cancel it, which stops its step and cleans up.
          if ((await queryProgress(handle))?.status !== 'waiting') return cancelRun(session, workflowId);
          await sendDecision(() =>
            handle.executeUpdate(abortUpdate, { args: [options.reason ? { reason: options.reason } : {}] }),
          );
          const outcome = await watchRun(handle, { quiet: true });
          reportOutcome(outcome, true);
          return EXIT.ok;
        },
        { worker: false },
      );
    });

  program
    .command('list')
    .description('Recent runs with their feature, phase and status.')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (options: { limit: string; json?: boolean }) => {
      await withSession(
        async (session) => {
          const rows: {
            workflowId: string;
            feature: string;
            phase: string;
            status: string;
            temporal: string;
            started: string;
          }[] = [];
          const limit = Math.max(1, Number(options.limit) || 20);
          for await (const run of session.client.workflow.list({
            query: `WorkflowType = '${WORKFLOW_TYPES.implementFeature}'`,
          })) {
            const sa = run.searchAttributes as Record<string, unknown[] | undefined>;
            rows.push({
              workflowId: run.workflowId,
              feature: String(sa.SpecialistFeature?.[0] ?? ''),
              phase: String(sa.SpecialistPhase?.[0] ?? ''),
              status: listedStatus(run.status.name, sa.SpecialistStatus?.[0]),
              temporal: run.status.name,
              started: run.startTime.toISOString(),
            });
            if (rows.length >= limit) break;
          }
          if (options.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          else if (rows.length === 0) process.stdout.write('no runs yet\n');
          else
            rows.forEach((r) =>
              process.stdout.write(
                `${r.workflowId.padEnd(40)} ${r.status.padEnd(10)} ${r.phase.padEnd(20)} ${r.started}\n`,
              ),
            );
          return EXIT.ok;
        },
        { worker: false },
      );
    });

  registerDemoCommand(program);
}

/** The progress `status` shows, with the same correction as `listedStatus`. */
export function closedStatus(temporal: string, progress: RunProgress | undefined): ShownProgress | undefined {
  if (!progress) return progress;
  if (temporal === 'RUNNING' || !OPEN_STATUSES.has(progress.status)) return withCancelledStep(progress);
  // CANCELLED, TERMINATED, TIMED_OUT, FAILED: shown as Temporal says, in lower case.
  return withCancelledStep({ ...progress, status: temporal.toLowerCase() as RunProgress['status'] });
}

export { listedStatus };
