/**
 * The run's bookkeeping: phase table, pre-steps, waiting reason. The `progress` query returns a copy,
 * `currentDetails()` renders it as the markdown the Temporal UI shows. Deterministic (no clock, no I/O).
 */
import type { PlanEntry } from '../spec/feature-spec';
import { blockedEntries, type EntryState } from '../dag/plan-dag';
import { PHASES, skipRefusal } from './definitions';
import type { FailureInfo } from './failure-info';
import type { PhaseProgress, RunProgress, StepName, StepState } from './run-types';
import { WORKER_LOST } from './worktree-worker';

const PRE_STEPS: StepName[] = ['load_context', 'prepare_workspace', 'analyze_codebase'];

const ICON: Record<StepState, string> = {
  pending: '·',
  running: '▶',
  completed: '✔',
  failed: '✖',
  skipped: '↷',
  blocked: '⏸',
};

export class RunTracker {
  readonly progress: RunProgress;

  constructor(workflowId: string, feature: string, delegate: boolean) {
    this.progress = {
      workflowId,
      feature,
      status: 'starting',
      delegate,
      preSteps: PRE_STEPS.map((name) => ({ name, state: 'pending' })),
      phases: [],
    };
  }

  /** (Re)builds the phase table from the plan, keeping what is known about phases already seen. */
  setPlan(plan: readonly PlanEntry[], delegate: boolean): void {
    const old = new Map(this.progress.phases.map((p) => [p.name, p]));
    this.progress.phases = [...plan]
      .sort((a, b) => PHASES[a.name].number - PHASES[b.name].number)
      .map((entry) => {
        const agent = delegate ? entry.delegate_to : undefined;
        const previous = old.get(entry.name);
        return {
          number: PHASES[entry.name].number,
          name: entry.name,
          state: previous?.state ?? 'pending',
          executedBy: agent ?? 'python-backend-specialist',
          attempts: previous?.attempts ?? 0,
          ...(previous?.commit ? { commit: previous.commit } : {}),
          ...(previous?.files ? { files: previous.files } : {}),
          ...(previous?.childWorkflowId ? { childWorkflowId: previous.childWorkflowId } : {}),
        };
      });
  }

  phase(name: string): PhaseProgress {
    const found = this.progress.phases.find((p) => p.name === name);
    if (!found) throw new TypeError(`phase ${name} is not in the plan`);
    return found;
  }

  /** A pre-step that only some runs have (the baseline, behind a `patched()` marker), after the others. */
  addPreStep(name: StepName): void {
    if (!this.progress.preSteps.some((s) => s.name === name))
      this.progress.preSteps.push({ name, state: 'pending' });
  }

  preStep(name: StepName) {
    const found = this.progress.preSteps.find((s) => s.name === name);
    if (!found) throw new TypeError(`step ${name} is not a pre-step`);
    return found;
  }

  /** Recomputes which pending phases wait on a failed prerequisite. */
  refreshBlocked(plan: readonly PlanEntry[], states: Record<string, EntryState>): void {
    const blocked = blockedEntries(plan, states);
    for (const phase of this.progress.phases) {
      const by = blocked[phase.name];
      if (by) {
        phase.state = 'blocked';
        phase.blockedBy = by;
      } else {
        if (phase.state === 'blocked') phase.state = 'pending';
        delete phase.blockedBy;
      }
    }
  }

  markWaiting(step: StepName, failure: FailureInfo, phaseNumber?: number): void {
    this.progress.status = 'waiting';
    this.progress.currentStep = step;
    this.progress.waiting = { step, ...failure, ...(phaseNumber ? { phaseNumber } : {}) };
  }

  clearWaiting(): void {
    this.progress.status = 'running';
    delete this.progress.waiting;
  }

  snapshot(): RunProgress {
    return JSON.parse(JSON.stringify(this.progress)) as RunProgress;
  }

  /** Markdown for `setCurrentDetails`: status line, the phase table, the waiting reason and commands. */
  currentDetails(): string {
    const p = this.progress;
    const lines = [`**${p.feature}** — ${p.status}${p.branch ? ` on \`${p.branch}\`` : ''}`, ''];
    for (const step of p.preSteps) lines.push(`${ICON[step.state]} ${step.name.replace(/_/g, ' ')}`);
    lines.push('', '| # | phase | state | by | commit |', '|---|---|---|---|---|');
    for (const phase of p.phases) {
      const state = phase.blockedBy ? `blocked by ${phase.blockedBy.join(', ')}` : phase.state;
      lines.push(
        `| ${phase.number} | ${phase.name} | ${ICON[phase.state]} ${state} | ${phase.executedBy} | ${phase.commit?.slice(0, 8) ?? ''} |`,
      );
    }
    if (p.cancelled) {
      const c = p.cancelled;
      lines.push(
        '',
        `**Cancelled**${c.step ? ` during ${c.step}` : ''}: ${c.worktreeRemoved ? 'worktree removed' : 'worktree not removed'}; ${
          !c.branch
            ? 'no branch was made'
            : c.branchRemoved
              ? `the empty branch \`${c.branch}\` was removed`
              : `\`${c.branch}\` keeps the phases completed before the cancel (${c.headCommit?.slice(0, 8) ?? ''})`
        }${c.problems.length > 0 ? `; clean-up problems: ${c.problems.join('; ')}` : ''}`,
      );
    }
    if (p.waiting) {
      lines.push(
        '',
        `**Waiting for a person**: ${p.waiting.step} failed (${p.waiting.type}): ${p.waiting.message}`,
        '',
        [
          `\`specialist retry ${p.workflowId} [--spec fixed.json]\``,
          ...(p.waiting.step === 'baseline_tests'
            ? [
                `\`specialist retry ${p.workflowId} --rebase\` (after fixing the base)`,
                ...(p.waiting.type === 'BaselineFailing'
                  ? [`\`specialist retry ${p.workflowId} --accept-failures\``]
                  : []),
              ]
            : []),
          ...(skipRefusal(p.waiting.step) || p.waiting.type === WORKER_LOST
            ? []
            : [`\`specialist skip ${p.workflowId}\``]),
          `\`specialist abort ${p.workflowId}\``,
        ].join(' · '),
      );
    }
    return lines.join('\n');
  }
}
