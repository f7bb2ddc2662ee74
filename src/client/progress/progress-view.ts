/**
 * The live phase table of `specialist run` / `retry` / `status`: redrawn in place on a terminal,
 * one line per state change otherwise (CI logs stay short). Writes to stderr: stdout carries only the
 * deliverable (and only JSON with --json).
 */
import pc from 'picocolors';
import { skipRefusal } from '../../workflows/definitions';
import { WORKER_LOST } from '../../workflows/worktree-worker';
import type { PhaseProgress, RunProgress, StepState } from '../../workflows/run-types';

/**
 * A row's state as the client shows it: the run's own, or `cancelled` for the step a cancel stopped
 * (the run's table has no such state: its clean-up puts that step back to `pending`).
 */
export type ShownState = StepState | 'cancelled';
type Shown<T extends { state: StepState }> = Omit<T, 'state'> & { state: ShownState };
/** A run's progress as the client shows it (a `RunProgress` is one, unchanged). */
export type ShownProgress = Omit<RunProgress, 'preSteps' | 'phases'> & {
  preSteps: Shown<RunProgress['preSteps'][number]>[];
  phases: Shown<PhaseProgress>[];
};

const MARK: Record<ShownState, string> = {
  pending: pc.dim('○'),
  running: pc.cyan('▶'),
  completed: pc.green('✔'),
  failed: pc.red('✖'),
  skipped: pc.yellow('↷'),
  blocked: pc.yellow('⏸'),
  cancelled: pc.red('⊘'),
};

/**
 * The table of a cancelled run as a person reads it: the step the cancel stopped is `cancelled`. The
 * run's own clean-up puts that step back to `pending` (nothing of it is on the branch), and a table
 * rebuilt from the history sees it still running, or failed by the cancel: one word for all three.
 */
export function withCancelledStep(p: ShownProgress): ShownProgress {
  if (p.status !== 'cancelling' && p.status !== 'cancelled' && !p.cancelled) return p;
  const step = p.cancelled?.step ?? p.currentStep;
  const mark = <T extends { name: string; state: ShownState }>(row: T): T =>
    row.state === 'running' || (row.name === step && (row.state === 'pending' || row.state === 'failed'))
      ? { ...row, state: 'cancelled' }
      : row;
  return { ...p, preSteps: p.preSteps.map(mark), phases: p.phases.map(mark) };
}

/** The table as lines (no trailing newline). */
export function renderProgress(shown: ShownProgress, uiLink?: string): string[] {
  const p = withCancelledStep(shown);
  const lines = [
    `${pc.bold(p.feature)} ${pc.dim(p.workflowId)} — ${statusText(p.status)}${p.branch ? ` on ${pc.cyan(p.branch)}` : ''}`,
  ];
  if (uiLink) lines.push(pc.dim(`  ${uiLink}`));
  for (const step of p.preSteps)
    lines.push(
      `  ${MARK[step.state]} ${step.name.replace(/_/g, ' ')}${step.state === 'cancelled' ? pc.red('  cancelled') : step.error ? pc.red(`  ${step.error.type}`) : ''}`,
    );
  if (p.baseline) {
    const b = p.baseline;
    const failing = b.failed + b.errors;
    lines.push(
      pc.dim(
        `    base ${b.commit.slice(0, 8)}: ${b.passed} passed, ${failing} already failing${
          failing > 0 && b.accepted ? ' (accepted)' : ''
        }${b.cached ? ', cached' : ''}`,
      ),
    );
  }
  for (const phase of p.phases) {
    const who = phase.executedBy === 'python-backend-specialist' ? '' : pc.dim(` [${phase.executedBy}]`);
    const extra =
      phase.state === 'cancelled'
        ? pc.red('  cancelled')
        : phase.state === 'blocked' && phase.blockedBy
          ? pc.yellow(`  blocked by ${phase.blockedBy.join(', ')}`)
          : phase.commit
            ? pc.dim(`  ${phase.commit.slice(0, 8)}`)
            : phase.attempts > 1
              ? pc.dim(`  attempt ${phase.attempts}`)
              : '';
    lines.push(`  ${MARK[phase.state]} ${phase.number}/6 ${phase.name}${who}${extra}`);
  }
  return lines;
}

function statusText(status: ShownProgress['status']): string {
  switch (status) {
    case 'completed':
      return pc.green(status);
    case 'waiting':
      return pc.yellow('waiting for a person');
    case 'aborted':
    case 'failed':
    case 'cancelled':
      return pc.red(status);
    case 'cancelling':
      return pc.yellow('cancelling (cleaning up)');
    default:
      return pc.cyan(status);
  }
}

/** What the clean-up of a cancelled run did (empty while the run is not cancelled). */
export function renderCancelled(p: ShownProgress): string[] {
  const c = p.cancelled;
  if (!c) return p.status === 'cancelling' ? ['run cancelled: cleaning up'] : [];
  const branch = !c.branch
    ? 'no branch had been made'
    : c.branchRemoved
      ? `no phase had completed, so the empty branch ${c.branch} was removed`
      : `${c.branch} keeps the phases completed before the cancel (at ${c.headCommit?.slice(0, 8) ?? '?'})`;
  return [
    `run cancelled${c.step ? ` during ${c.step.replace(/_/g, ' ')}` : ''}: ${c.worktreeRemoved ? 'worktree removed' : c.branch ? 'the worktree could NOT be removed' : 'no worktree'}; ${branch}${c.noteWritten ? '; changes_summary (CANCELLED) written to memory' : ''}`,
    ...c.problems.map((problem) => pc.red(`  clean-up problem: ${problem}`)),
  ];
}

/** The failure and the exact commands that resolve it. */
export function renderWaiting(p: ShownProgress): string[] {
  if (!p.waiting) return [];
  const id = p.workflowId;
  const phaseHint = p.waiting.phaseNumber ? ` [--phase 1..${p.waiting.phaseNumber}]` : '';
  if (p.waiting.type === WORKER_LOST) return renderWorkerLost(p);
  if (p.waiting.step === 'baseline_tests') return renderBaselineWaiting(p);
  return [
    '',
    pc.yellow(`${p.waiting.step} failed (${p.waiting.type}):`),
    ...p.waiting.message.split('\n').map((l) => `  ${l}`),
    '',
    'The run is waiting. Fix the cause (or the spec), then one of:',
    `  specialist retry ${id}${phaseHint} [--spec fixed-spec.json]`,
    // Only where skipping can help (never a step the phases need); a skip ends the run FAILED.
    ...(skipRefusal(p.waiting.step) ? [] : [`  specialist skip ${id}    (the run then ends FAILED)`]),
    `  specialist abort ${id}`,
  ];
}

/** The worker holding the worktree is gone (docs/durable-run.md, Several workers): retry starts over, or abort. */
function renderWorkerLost(p: ShownProgress): string[] {
  const id = p.workflowId;
  return [
    '',
    pc.yellow(`${p.waiting!.step}: the worker holding the worktree is gone (${p.waiting!.type}):`),
    ...p.waiting!.message.split('\n').map((l) => `  ${l}`),
    '',
    'The run is waiting. One of:',
    `  specialist retry ${id}    (a new worktree from the base on any worker; every phase again)`,
    `  specialist abort ${id}`,
  ];
}

/** The base's own tests fail (or could not run): fix the base and rebase, retry, accept, or abort. */
function renderBaselineWaiting(p: ShownProgress): string[] {
  const id = p.workflowId;
  const failing = p.waiting!.type === 'BaselineFailing';
  return [
    '',
    pc.yellow(
      failing
        ? "baseline_tests: the project's own tests already fail on the base, before any change:"
        : `baseline_tests failed (${p.waiting!.type}):`,
    ),
    ...p.waiting!.message.split('\n').map((l) => `  ${l}`),
    '',
    'The run is waiting, before any phase. One of:',
    `  specialist retry ${id} --rebase            (after fixing the tests on the base branch: the run moves onto its HEAD)`,
    `  specialist retry ${id}                     (run the tests again on the same base, e.g. after fixing the environment)`,
    ...(failing
      ? [
          `  specialist retry ${id} --accept-failures   (go on; phase 6 then fails only on new failures, and lists these)`,
        ]
      : []),
    `  specialist abort ${id}`,
  ];
}

export class ProgressView {
  private drawn = 0;
  private lastKey = new Map<string, string>();
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly uiLink?: string,
  ) {
    this.tty = Boolean(out.isTTY) && !process.env.CI;
  }

  update(shown: ShownProgress): void {
    const p = withCancelledStep(shown);
    if (this.tty) {
      const lines = renderProgress(p, this.uiLink);
      // Move to the start of the previous drawing and clear below: the table redraws in place.
      if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}F\x1b[J`);
      this.out.write(`${lines.join('\n')}\n`);
      this.drawn = lines.length;
      return;
    }
    if (this.lastKey.size === 0)
      this.out.write(`${p.feature} ${p.workflowId}${this.uiLink ? ` ${this.uiLink}` : ''}\n`);
    for (const row of [
      ...p.preSteps.map((s) => ({ key: s.name, label: s.name, state: s.state })),
      ...p.phases.map((ph) => ({ key: ph.name, label: `${ph.number}/6 ${ph.name}`, state: ph.state })),
    ]) {
      if (this.lastKey.get(row.key) === row.state) continue;
      const first = !this.lastKey.has(row.key);
      this.lastKey.set(row.key, row.state);
      if (first && row.state === 'pending') continue;
      this.out.write(`  ${row.label}: ${row.state}\n`);
    }
  }

  /** Leaves the last drawing on screen. */
  done(): void {
    this.drawn = 0;
  }
}
