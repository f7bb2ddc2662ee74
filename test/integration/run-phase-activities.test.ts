/**
 * A phase activity on a real worktree: a retry on the same base produces the same commit (worker crash,
 * timeout, a person's retry), a phase with nothing left to do still commits, empty, and a phase whose
 * check fails commits nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createPhaseActivities } from '../../src/activities/phase-activities';
import { createWorkspaceActivities } from '../../src/activities/workspace-activities';
import { readSpecFile } from '../../src/client/spec-file';
import { copySample } from '../../src/client/demo';
import { git } from '../../src/git/git';
import { PROJECT_ROOT } from '../../src/python/interpreter';
import type {
  PhaseActivityInput,
  PhaseActivityResult,
  PreparedWorkspace,
} from '../../src/workflows/run-types';

jest.setTimeout(120_000);

describe('a phase activity', () => {
  let scratch: string;
  let repo: string;
  let ws: PreparedWorkspace;
  const env = new MockActivityEnvironment();
  const phases = createPhaseActivities();
  const spec = readSpecFile(path.join(PROJECT_ROOT, 'examples/specs/task-summary.json'));

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'specialist-phase-'));
    repo = await copySample(path.join(PROJECT_ROOT, 'examples/taskqueue'));
    ws = await env.run(createWorkspaceActivities({ worktreesDir: scratch }).prepareWorkspace, {
      workflowId: 'feature-task-summary-t',
      workspace: repo,
      feature: spec.feature,
    });
  });

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  });

  const input = (baseCommit: string): PhaseActivityInput => ({
    workflowId: 'feature-task-summary-t',
    workspace: repo,
    worktree: ws.worktree,
    branch: ws.branch,
    spec,
    phase: 'domain_model',
    phaseNumber: 1,
    baseCommit,
    commitDate: '2026-01-02T03:04:05.000Z',
    touchedFiles: [],
    executedBy: 'python-pydantic-model-specialist',
  });

  it('produces the same commit when retried on the same base, even after a half-done attempt', async () => {
    const first = (await env.run(phases.applyDomainModelPhase, input(ws.baseCommit))) as PhaseActivityResult;
    expect(first.changed).toBe(true);
    expect(first.filesModified).toEqual(['src/taskqueue/domain/models.py']);
    // A crashed attempt may leave anything behind: the retry resets first.
    writeFileSync(path.join(ws.worktree, 'src/taskqueue/domain/models.py'), '# half-written\n');
    const second = (await env.run(phases.applyDomainModelPhase, input(ws.baseCommit))) as PhaseActivityResult;
    expect(second.commit).toBe(first.commit);
    expect(await git(ws.worktree, ['log', '-1', '--format=%s%n%an'])).toBe(
      'phase 1/6: domain_model\npython-backend-specialist',
    );
  });

  it('commits an empty phase commit when everything is already in place', async () => {
    const applied = (await env.run(
      phases.applyDomainModelPhase,
      input(ws.baseCommit),
    )) as PhaseActivityResult;
    const again = (await env.run(phases.applyDomainModelPhase, input(applied.commit))) as PhaseActivityResult;
    expect(again.changed).toBe(false);
    expect(again.commit).not.toBe(applied.commit);
    expect(await git(ws.worktree, ['rev-parse', `${again.commit}^{tree}`])).toBe(
      await git(ws.worktree, ['rev-parse', `${applied.commit}^{tree}`]),
    );
  });

  it('fails non-retryably with the engine message when the spec names a missing model', async () => {
    const bad = {
      ...input(ws.baseCommit),
      spec: {
        ...spec,
        data_models: { changes: spec.data_models.changes.map((c) => ({ ...c, model: 'Job' })) },
      },
    };
    await expect(env.run(phases.applyDomainModelPhase, bad)).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringMatching(/Job/),
    });
  });

  it('fails non-retryably with the check output and commits nothing when a check of the phase fails', async () => {
    // No interpreter: the checks cannot run, so they fail (closed) and the edits are undone.
    const bad = {
      ...input(ws.baseCommit),
      spec: { ...spec, architecture: { ...spec.architecture, python: '/nonexistent/bin/python3' } },
    };
    await expect(env.run(phases.applyDomainModelPhase, bad)).rejects.toMatchObject({
      nonRetryable: true,
      type: 'CheckFailed',
      message: expect.stringContaining('- py_compile: could not run /nonexistent/bin/python3'),
    });
    expect(await git(ws.worktree, ['rev-parse', 'HEAD'])).toBe(ws.baseCommit);
    expect(await git(ws.worktree, ['status', '--porcelain'])).toBe('');
  });
});
