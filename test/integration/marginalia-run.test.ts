/**
 * The FastMCP sample (examples/marginalia: tools registered by `register_clip_tools(mcp, service)` with
 * `Annotated[..., Field(...)]` signatures and docstring `Args:`, a Clean-Architecture service over
 * aiosqlite) through a whole durable run, as a user would: the built CLI, real Temporal, PostgreSQL
 * and Python, a `specialist worker` with a HOME of its own. The run ends SUCCESS, the new parameter is
 * on the tool function, the project's own suite is as green as before, the generated tests (which list
 * the real server's tools and call the tool) pass, an old database gains the column, and nothing is
 * written under HOME.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/python/interpreter';
import { caseRepository, caseVenv, git, projectSuite } from '../cases/harness/case-repo';
import { runCheck } from '../cases/harness/checks';
import { loadKnownFailing } from '../cases/harness/expectations';
import { runSpec } from '../cases/harness/run-spec';
import { startTestStack, type TestStack } from '../cases/harness/stack';

jest.setTimeout(1_200_000);

const SAMPLE = path.join(PROJECT_ROOT, 'examples', 'marginalia');
const SPEC = path.join(PROJECT_ROOT, 'examples', 'specs', 'marginalia-str-note.json');
const knownFailing = loadKnownFailing()['sample:marginalia'];

describe('the FastMCP sample (marginalia), a whole durable run', () => {
  let scratch: string;
  let stack: TestStack;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'specialist-marginalia-'));
    chmodSync(scratch, 0o755);
    stack = await startTestStack();
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  const title =
    'runs SUCCESS; its own suite as green as before; generated tests pass; old databases gain the column; nothing under HOME';
  (knownFailing ? test.failing : test)(
    knownFailing ? `${title} [known failing: ${knownFailing}]` : title,
    async () => {
      const lane = await stack.startLane(path.join(scratch, 'lane'), 'marginalia');
      const work = mkdtempSync(path.join(scratch, 'run-'));
      const repo = await caseRepository(SAMPLE, work, await caseVenv(SAMPLE));
      const before = await projectSuite(repo, 'base');
      expect(before).toMatchObject({ green: true });

      const r = await runSpec(stack, lane, { spec: SPEC, repo, mode: 'run', work });
      const problems = [
        ...r.workerHome.map((change) => `written under the worker's HOME: ${change}`),
        ...r.cliHome.map((change) => `written under the CLI's HOME: ${change}`),
      ];
      if (r.cli.code !== 0 || r.status !== 'SUCCESS' || !r.branch) {
        const tail = r.cli.stderr.trim().split('\n').slice(-30).join('\n');
        problems.push(`exit ${r.cli.code}, status ${r.status ?? '(none)'}; the CLI's last words:\n${tail}`);
      } else {
        const branch = r.branch;
        const commits = (await git(repo, ['log', '--format=%s', `base..${branch}`])).trim().split('\n');
        if (commits.length !== 6)
          problems.push(`${commits.length} commits on ${branch}, expected one per phase (6)`);
        const after = await projectSuite(repo, branch);
        if (!after.green || after.passed < before.passed)
          problems.push(`own suite: ${before.summary} at base, ${after.summary} on ${branch}`);
        const d = r.deliverable as {
          deliverables: {
            files_created: string[];
            test_results: { tests_failed: number; tests_errors: number };
          };
        };
        const t = d.deliverables.test_results;
        if (t.tests_failed + t.tests_errors > 0)
          problems.push(`the deliverable counts ${t.tests_failed} failed and ${t.tests_errors} errors`);
        const generated = d.deliverables.files_created.filter((f) => /^tests\/.*\.py$/.test(f));
        if (generated.length === 0) problems.push('no generated test files');
        else {
          const own = await projectSuite(repo, branch, 120_000, generated);
          if (!own.green) problems.push(`generated tests ${generated.join(', ')}: ${own.summary}`);
        }
        problems.push(
          ...(await runCheck(repo, branch, {
            kind: 'old-database-gains-column',
            module: 'marginalia.infrastructure.database',
            class: 'ClipDatabase',
            table: 'clips',
            column: 'note',
            open: 'connect',
            seed: "INSERT INTO clips (id, url, title, created_at) VALUES ('00000000-0000-4000-8000-000000000001', 'https://kept.example', 'Kept', '2024-01-01T00:00:00+00:00')",
          })),
          ...(await runCheck(repo, branch, {
            kind: 'branch-contains',
            pattern: 'note: Annotated\\[',
            why: 'the new parameter is on the FastMCP tool function',
          })),
        );
      }
      // Known failing: say how, so that the list of what is left stays visible in CI's log.
      if (knownFailing && problems.length > 0)
        console.log(`marginalia, still failing:\n${problems.join('\n')}`);
      expect(problems).toEqual([]);
    },
  );
});
