/**
 * `npm run demo` (`specialist demo`): the README's main command. Copies examples/taskqueue to a temp
 * folder, makes it a git repository, runs examples/specs/task-summary.json on the embedded stack (or
 * the one `ensureStack` finds), then prints the deliverable, the branch's `git log --stat` and where
 * to look in the Temporal UI.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { git } from '../git/git';
import { PROJECT_ROOT } from '../python/interpreter';
import { EXIT } from './cli-error';
import { readSpecFile } from './spec-file';
import { openSession, reportOutcome, uiLink, watchRun } from './commands/run-session';
import { startOrAttach } from './commands/run-open';

const SKIP = new Set(['__pycache__', '.pytest_cache', '.mypy_cache', '.coverage', '.venv', 'venv']);

/** A committed copy of a sample project in a new temp folder; returns its path. */
export async function copySample(sample: string): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `specialist-demo-${path.basename(sample)}-`));
  cpSync(sample, dir, { recursive: true, filter: (src) => !SKIP.has(path.basename(src)) });
  const identity = {
    GIT_AUTHOR_NAME: 'demo',
    GIT_AUTHOR_EMAIL: 'demo@localhost',
    GIT_COMMITTER_NAME: 'demo',
    GIT_COMMITTER_EMAIL: 'demo@localhost',
  };
  await git(dir, ['init', '--quiet', '--initial-branch=main']);
  await git(dir, ['add', '-A']);
  await git(
    dir,
    ['-c', 'commit.gpgsign=false', 'commit', '--quiet', '-m', `${path.basename(sample)} sample`],
    identity,
  );
  return dir;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Run the bundled example: add `summary` to Task in a temporary copy of examples/taskqueue.')
    .option('--no-delegate', 'run without the sub-agent child workflows')
    .action(async (options: { delegate: boolean }) => {
      const spec = readSpecFile(path.join(PROJECT_ROOT, 'examples/specs/task-summary.json'));
      const workspace = await copySample(path.join(PROJECT_ROOT, 'examples/taskqueue'));
      const say = (line = '') => process.stderr.write(`${line}\n`);
      say(
        `${pc.bold('demo')}: ${spec.title ?? spec.feature} in a copy of examples/taskqueue at ${workspace}`,
      );
      const session = await openSession();
      try {
        const { handle } = await startOrAttach(session, spec, { workspace, delegate: options.delegate });
        const link = uiLink(session.stack, handle.workflowId);
        const outcome = await watchRun(handle, { link });
        const code = reportOutcome(outcome, false);
        if (outcome.kind === 'completed') {
          const branch = outcome.deliverable.run.branch;
          process.stdout.write(`\n${pc.bold(`git log --stat main..${branch}`)} (in ${workspace})\n`);
          process.stdout.write(
            `${await git(workspace, ['log', '--stat', '--format=%h %s', `main..${branch}`])}\n`,
          );
        }
        say();
        say(pc.bold('Where to look'));
        say(`  the branch:      git -C ${workspace} log --stat ${`feature/${spec.feature}`}`);
        say(
          `  memory:          npx specialist memory get task:${handle.workflowId}:implementation changes_summary`,
        );
        if (link) {
          say(`  the run:         ${link}`);
          say('                   (summary and details at the top, the phase table under "Current Details",');
          say(
            '                    the two sub-agent child workflows and a summary on every activity in the timeline)',
          );
        }
        if (session.stack.source === 'started')
          say(
            '  The embedded stack stops with this command; `npx specialist dev` keeps one running (and the UI with it).',
          );
        process.exitCode = code === EXIT.ok ? EXIT.ok : code;
      } finally {
        await session.close();
      }
    });
}
