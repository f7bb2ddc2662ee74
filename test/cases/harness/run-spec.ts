/**
 * `specialist plan` or `specialist run --json` on a repository through the built CLI, with an empty
 * HOME of its own, and what it left: the deliverable status, the feature branch, and every change
 * under the CLI's and the worker's HOME. A run that waits for a person is aborted (no worktree left).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { git, type Finished } from './case-repo';
import { diffHome, snapshotHome } from './home-snapshot';
import type { Lane, TestStack } from './stack';

export interface SpecRun {
  cli: Finished;
  seconds: number;
  repo: string;
  branch?: string;
  status?: string;
  /** The deliverable (run mode, when it printed one). */
  deliverable?: Record<string, unknown>;
  /** Changes under the worker's HOME and the CLI's HOME during the command. */
  workerHome: string[];
  cliHome: string[];
}

export async function runSpec(
  stack: TestStack,
  lane: Lane,
  options: {
    spec: string;
    repo: string;
    mode: 'plan' | 'run';
    work: string;
    /** What a person does when the run waits: abort it (the default), or skip the waiting step. */
    onWait?: 'abort' | 'skip';
  },
): Promise<SpecRun> {
  const begin = Date.now();
  const home = path.join(options.work, 'cli-home');
  mkdirSync(home);
  const before = snapshotHome(lane.home);
  const args =
    options.mode === 'plan'
      ? ['plan', options.spec, '--workspace', options.repo]
      : ['run', options.spec, '--workspace', options.repo, '--json'];
  const cli = await stack.cli(lane, home, args);
  let deliverable: Record<string, unknown> | undefined;
  let status: string | undefined;
  try {
    const printed = JSON.parse(cli.stdout) as Record<string, unknown> & {
      execution_status?: { status?: string };
      progress?: { workflowId?: string };
    };
    status = printed.execution_status?.status;
    if (status) deliverable = printed;
    const waiting = printed.progress?.workflowId;
    if (cli.code === 3 && waiting && options.onWait === 'skip') {
      // The run then ends (FAILED, the skipped step named) and `skip --json` prints its deliverable.
      const skipped = await stack.cli(lane, home, [
        'skip',
        waiting,
        '--reason',
        'test: a person skips',
        '--json',
      ]);
      try {
        const after = JSON.parse(skipped.stdout) as Record<string, unknown> & {
          execution_status?: { status?: string };
        };
        status = after.execution_status?.status;
        if (status) deliverable = after;
      } catch {
        // No deliverable: the checks that need one say so.
      }
    } else if (cli.code === 3 && waiting)
      await stack.cli(lane, home, ['abort', waiting, '--reason', 'test over']);
  } catch {
    // Not JSON: plan's diff, or an error on stderr.
  }
  const branch = (
    await git(options.repo, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/feature'])
  )
    .split('\n')
    .find(Boolean);
  return {
    cli,
    seconds: Math.round((Date.now() - begin) / 1000),
    repo: options.repo,
    branch,
    status,
    deliverable,
    workerHome: diffHome(before, snapshotHome(lane.home)),
    cliHome: diffHome(new Map(), snapshotHome(home)),
  };
}
