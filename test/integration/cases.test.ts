/**
 * Every case under test/cases, run as its user would: a fresh git repository of the case's project
 * (first commit tagged `base`) with its own virtualenv as `.venv`, then `specialist plan` or
 * `specialist run --json` through the built CLI with HOME set to an empty folder. One stack for the
 * whole file (Temporal dev server + PostgreSQL) and one `specialist worker` process per lane, each
 * with a HOME of its own that looks like a user's: the worker is what runs pytest, probes and
 * generated tests, so its HOME, snapshotted around each case, shows anything a run wrote there.
 *
 * Judged by the case's expected.json: ok = exit 0, deliverable SUCCESS, the project's own suite green
 * on the branch, the extra checks hold; refused = exit 2 with the refusal's words; either way nothing
 * written under either HOME. Cases in test/cases/known-failing.json are `test.failing` (jest reports
 * one that starts passing: then take it off the list).
 *
 *   CASES_ONLY=a,b        run only these cases (the others are skipped)
 *   CASES_CONCURRENCY=n   lanes (workers) running cases at once; default 2
 *   CASES_KEEP=1          keep each case's folder (repository, HOMEs) and print where
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { caseRepository, exec, caseVenv, projectSuite } from '../cases/harness/case-repo';
import { runCheck } from '../cases/harness/checks';
import { CASES_DIR, loadCases, loadKnownFailing, type Case } from '../cases/harness/expectations';
import { runSpec, type SpecRun } from '../cases/harness/run-spec';
import { startTestStack, type Lane, type TestStack } from '../cases/harness/stack';

// Each test waits for its case, which may be queued behind the cases of the other lanes.
jest.setTimeout(1_800_000);

const cases = loadCases();
const knownFailing = loadKnownFailing();
const only = process.env.CASES_ONLY?.split(',').filter(Boolean);
const selected = cases.filter((c) => !only || only.includes(c.name));
const lanes = Math.max(1, Number(process.env.CASES_CONCURRENCY ?? 2));
const keep = process.env.CASES_KEEP === '1';

describe('the cases (real projects in real shapes), run as a user would', () => {
  let scratch: string;
  let stack: TestStack;
  const pool: Lane[] = [];
  /** Each case's run and what is wrong with it (judged as soon as the run ends, beside the next run). */
  const results = new Map<string, Promise<{ run: SpecRun; problems: string[] }>>();
  const started = Date.now();

  const runCase = async (c: Case, lane: Lane): Promise<SpecRun> => {
    const work = mkdtempSync(path.join(scratch, `${c.name}-`));
    const repo = await caseRepository(c.project, work, await caseVenv(c.project));
    return runSpec(stack, lane, {
      spec: c.spec,
      repo,
      mode: c.expected.mode,
      work,
      onWait: c.expected.outcome === 'waits' ? 'skip' : 'abort',
    });
  };

  /** Everything that is not as the case expects (empty when it is). */
  const judge = async (c: Case, r: SpecRun): Promise<string[]> => {
    const { expected } = c;
    const printed = `${r.cli.stdout}\n${r.cli.stderr}`;
    const problems = [
      ...r.workerHome.map((change) => `written under the worker's HOME: ${change}`),
      ...r.cliHome.map((change) => `written under the CLI's HOME: ${change}`),
    ];
    const refused = expected.outcome !== 'ok' && expected.outcome !== 'waits' && r.cli.code === 2;
    if (expected.outcome === 'waits') {
      if (r.cli.code !== 3) problems.push(`exit ${r.cli.code}, expected 3 (the run waits for a person)`);
      else if (!new RegExp(expected.refusal!, 'i').test(printed))
        problems.push(`waits, but without /${expected.refusal}/i`);
      if (r.branch)
        for (const check of expected.checks)
          problems.push(...(await runCheck(r.repo, r.branch, check, r.deliverable)));
      else problems.push('no feature branch');
    } else if (expected.outcome === 'refused' || refused) {
      if (r.cli.code !== 2) problems.push(`exit ${r.cli.code}, expected 2 (refused)`);
      else if (!new RegExp(expected.refusal!, 'i').test(printed))
        problems.push(`refused, but without /${expected.refusal}/i`);
    } else {
      if (r.cli.code !== 0) problems.push(`exit ${r.cli.code}, expected 0`);
      if (expected.mode === 'run' && r.status !== 'SUCCESS')
        problems.push(`deliverable status ${r.status ?? '(none)'}, expected SUCCESS`);
      if (expected.mode === 'run' && !r.branch) problems.push('no feature branch');
      // The branch is judged only after a finished run (a failed one has said enough, and its
      // half-made branch may hang pytest for minutes).
      if (r.branch && r.cli.code === 0) {
        const suite = await projectSuite(r.repo, r.branch);
        if (!suite.green) problems.push(`the project's own suite on ${r.branch}: ${suite.summary}`);
        for (const check of expected.checks)
          problems.push(...(await runCheck(r.repo, r.branch, check, r.deliverable)));
      }
    }
    if (problems.length > 0) {
      const tail = r.cli.stderr.trim().split('\n').slice(-25).join('\n');
      problems.push(`(exit ${r.cli.code}; the CLI's last words:)\n${tail}`);
    }
    return problems;
  };

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'specialist-cases-'));
    chmodSync(scratch, 0o755);
    // The venvs (cached; .ci/run builds them while npm ci runs) and the stack, at once.
    const venvs = exec('bash', [path.join(CASES_DIR, 'venv.sh'), '--all'], { timeoutMs: 1_200_000 });
    stack = await startTestStack();
    const count = Math.min(lanes, selected.length);
    pool.push(
      ...(await Promise.all(
        Array.from({ length: count }, (_, i) =>
          stack.startLane(path.join(scratch, `lane-${i}`), `cases-${i}`),
        ),
      )),
    );
    const built = await venvs;
    if (built.code !== 0) throw new Error(`the case virtualenvs could not be built:\n${built.stderr}`);
    // Cases start in file order as lanes free up; each test awaits its own.
    const free = [...pool];
    const waiters: ((lane: Lane) => void)[] = [];
    const acquire = () =>
      free.length > 0 ? Promise.resolve(free.shift()!) : new Promise<Lane>((r) => waiters.push(r));
    const release = (lane: Lane) => (waiters.length > 0 ? waiters.shift()!(lane) : free.push(lane));
    for (const c of selected) {
      const result = acquire()
        .then(async (lane) => {
          try {
            return await runCase(c, lane);
          } finally {
            release(lane);
          }
        })
        .then(async (run) => ({ run, problems: await judge(c, run) }));
      result.catch(() => undefined); // Reported by the case's own test.
      results.set(c.name, result);
    }
  }, 1_500_000);

  afterAll(async () => {
    await Promise.allSettled(results.values());
    const lines = await Promise.all(
      selected.map(async (c) => {
        const done = await results.get(c.name)?.catch(() => undefined);
        const r = done?.run;
        const verdict = done && (done.problems.length === 0 ? 'as expected' : 'NOT as expected');
        return `  ${c.name}: ${r ? `exit ${r.cli.code}, ${r.status ?? c.expected.mode}, ${r.seconds} s, ${verdict}` : 'did not run'}`;
      }),
    );
    console.log(
      `cases: ${selected.length} in ${Math.round((Date.now() - started) / 1000)} s on ${pool.length} lanes\n${lines.join('\n')}`,
    );
    await stack?.stop();
    if (keep) console.log(`cases kept in ${scratch}`);
    else if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 300_000);

  for (const c of cases) {
    const title = `${c.name} (${c.expected.mode}): ${c.expected.correct}`;
    const body = async () => {
      expect((await results.get(c.name)!).problems).toEqual([]);
    };
    if (!selected.includes(c)) test.skip(title, body);
    else if (knownFailing[c.name]) test.failing(`${title} [known failing: ${knownFailing[c.name]}]`, body);
    else test(title, body);
  }

  // The HOME of the process that runs pytest and the generated tests, compared file by file (sizes,
  // mtimes) before and after a whole run on a project whose database defaults to a file under HOME.
  const homeCase = 'default-db-path';
  const homeTest = knownFailing[`${homeCase}:home`] ? test.failing : test;
  (selected.some((c) => c.name === homeCase) ? homeTest : test.skip)(
    `a whole run of ${homeCase} leaves HOME as it was`,
    async () => {
      const { run: r } = await results.get(homeCase)!;
      expect(r.cli.code).not.toBe(2); // It ran (a refusal would prove nothing).
      expect({ worker: r.workerHome, cli: r.cliHome }).toEqual({ worker: [], cli: [] });
    },
  );
});
