/**
 * All activities the worker registers, built from their dependencies (`createActivities(deps)`
 * receives the pool and config; tests pass other deps instead of mocking modules).
 */
import path from 'node:path';
import type { Pool } from 'pg';
import { dataDir } from '../stack/paths';
import type { RunActivities } from '../workflows/run-types';
import { createBaselineActivities } from './baseline-activities';
import { createContextActivities } from './context-activities';
import { createHealthActivities } from './health-activities';
import { createMemoryActivities } from './memory-activities';
import { createPhaseActivities } from './phase-activities';
import type { PhaseEngine } from './phase-engine';
import { createWorkspaceActivities } from './workspace-activities';

export interface ActivityDeps {
  /** Memory database, migrations already applied. */
  pool: Pool;
  /** Where runs keep their git worktrees (default `<data dir>/worktrees`). */
  worktreesDir?: string;
  /**
   * The worker's own task queue (src/worker/worker-queue.ts): `prepareWorkspace` returns it, and the
   * run sends every later step on its worktree there. Undefined: the shared queue (one worker).
   */
  ownTaskQueue?: string;
  /** The codemod/testing engine (default: the real one). */
  engine?: PhaseEngine;
  /** Where baseline results are cached (default `<data dir>/baselines`; see docs/testing-phase.md). */
  baselineCacheDir?: string;
}

export function createActivities(deps: ActivityDeps) {
  const activities = {
    ...createHealthActivities(deps),
    ...createMemoryActivities({ pool: deps.pool }),
    ...createContextActivities({ pool: deps.pool }),
    ...createWorkspaceActivities({
      worktreesDir: deps.worktreesDir ?? path.join(dataDir(), 'worktrees'),
      ownTaskQueue: deps.ownTaskQueue,
    }),
    ...createPhaseActivities({ engine: deps.engine }),
    ...createBaselineActivities({
      engine: deps.engine,
      cacheDir: deps.baselineCacheDir ?? path.join(dataDir(), 'baselines'),
    }),
  };
  // The workflows call these by name: the compiler checks that every one exists with its signature.
  const forWorkflows: RunActivities = activities;
  void forWorkflows;
  return activities;
}

export type Activities = ReturnType<typeof createActivities>;
