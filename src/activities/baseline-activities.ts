/**
 * The baseline step and `retry --rebase` (docs/durable-run.md, The baseline first): `runBaselineTests`
 * runs the project's own suite on the base commit in the run's worktree before any phase (cached by
 * tree id and interpreter under the data folder); `rebaseWorkspace` moves a run that has no committed
 * phase onto the repository's current HEAD, so a base fixed after the run started is the one it builds on.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { runBaseline } from '../baseline/run-baseline';
import { describeRepository, git, resetWorktree } from '../git/git';
import { resolvePython } from '../python/interpreter';
import { readImportPath } from '../python/project-config';
import type {
  BaselineInput,
  BaselineResult,
  PreparedWorkspace,
  RebasedWorkspace,
  RebaseInput,
} from '../workflows/run-types';
import { asActivity } from './activity-errors';
import { specForWorktree } from './phase-activities';
import { realEngine, type PhaseEngine } from './phase-engine';

export interface BaselineActivityDeps {
  engine?: PhaseEngine;
  /** Where baseline results are cached (undefined: no cache). */
  cacheDir?: string;
  /** pytest timeout (default: the testing phase's own). */
  pytestTimeoutMs?: number;
}

export function createBaselineActivities(deps: BaselineActivityDeps) {
  const engine = deps.engine ?? realEngine;
  return {
    async runBaselineTests(input: BaselineInput): Promise<BaselineResult> {
      return asActivity(async () => {
        const ctx = Context.current();
        const beat = (detail: unknown) => ctx.heartbeat(detail);
        beat({ step: `baseline: reset to ${input.baseCommit.slice(0, 12)}` });
        // The worktree stands on the base (no phase committed yet); a crashed attempt may have left files.
        await resetWorktree(input.worktree, input.baseCommit);
        const tree = await git(input.worktree, ['rev-parse', `${input.baseCommit}^{tree}`]);
        const spec = specForWorktree(input.spec, input.workspace);
        const python = resolvePython(input.worktree, spec.architecture.python);
        const measured = await runBaseline({
          python,
          root: input.worktree,
          commit: input.baseCommit,
          tree,
          // The import path phase 6 uses: the workspace's source root and pytest's `pythonpath` first.
          pythonPath: async () => {
            const anchors = await engine.analyze(input.worktree, spec);
            return readImportPath(python, input.worktree, anchors.sourceRoot, ctx.cancellationSignal);
          },
          cacheDir: deps.cacheDir,
          fresh: input.fresh,
          timeoutMs: deps.pytestTimeoutMs,
          signal: ctx.cancellationSignal,
          heartbeat: beat,
        });
        // A base fixed after the run started is not this one: the message then says to rebase.
        const { head } = await describeRepository(input.workspace);
        return head === input.baseCommit ? measured : { ...measured, repositoryHead: head };
      });
    },

    /**
     * Puts the worktree (and so the run's branch) on the repository's current HEAD. The workflow calls
     * it only while no phase is committed, so nothing on the branch is lost. Idempotent.
     */
    async rebaseWorkspace(input: RebaseInput): Promise<RebasedWorkspace> {
      return asActivity(async () => {
        const { head } = await describeRepository(input.workspace);
        if (head === input.baseCommit) return { baseCommit: head, moved: false };
        Context.current().heartbeat({ step: `rebase onto ${head.slice(0, 12)}` });
        await resetWorktree(input.worktree, head);
        // prepareWorkspace's retry reads this state: it must name the new base.
        const stateFile = `${input.worktree}.json`;
        if (existsSync(stateFile)) {
          const state = JSON.parse(await readFile(stateFile, 'utf8')) as PreparedWorkspace;
          await writeFile(stateFile, JSON.stringify({ ...state, baseCommit: head }));
        }
        return { baseCommit: head, moved: true };
      });
    },
  };
}
