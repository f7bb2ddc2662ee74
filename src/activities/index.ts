/**
 * All activities the worker registers, built from their dependencies (CONVENTIONS: `createActivities(deps)`
 * receives the pool and config; tests pass other deps instead of mocking modules).
 */
import type { Pool } from 'pg';
import { createHealthActivities } from './health-activities';

export interface ActivityDeps {
  /** Memory database, migrations already applied. */
  pool: Pool;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createHealthActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
