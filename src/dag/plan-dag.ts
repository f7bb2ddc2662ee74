/**
 * The prerequisite DAG of an `implementation_plan`: which entries may run now, which are
 * blocked by a failed prerequisite, and an order to run them in. Pure: no Temporal, no file system —
 * the workflow calls it on every step, so it must also be deterministic.
 */
import { ERROR_TYPES, SpecialistError } from '../errors';

/** The part of a plan entry the DAG needs (structurally a `PlanEntry`). */
export interface DagEntry {
  name: string;
  prerequisites: readonly string[];
}

/** Where an entry stands. `skipped` counts as done for its dependents: a person decided to go on. */
export type EntryState = 'pending' | 'running' | 'completed' | 'failed' | 'skipped';

/** True when the entry's work is behind us, successfully or by a person's decision. */
export function isSettled(state: EntryState | undefined): boolean {
  return state === 'completed' || state === 'skipped';
}

/**
 * Validates the graph: unknown prerequisites, self-references and cycles are spec errors naming the
 * phases involved. Returns the entries in a topological order that keeps the plan's own order wherever
 * the prerequisites allow it (so the default plan runs 1, 2, 3, ...).
 */
export function orderPlan<E extends DagEntry>(entries: readonly E[]): E[] {
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  for (const entry of entries) {
    for (const pre of entry.prerequisites) {
      if (pre === entry.name)
        throw new SpecialistError(
          ERROR_TYPES.specInvalid,
          `implementation_plan: phase "${entry.name}" lists itself as a prerequisite`,
          { phase: entry.name },
        );
      if (!byName.has(pre))
        throw new SpecialistError(
          ERROR_TYPES.specInvalid,
          `implementation_plan: phase "${entry.name}" needs "${pre}", which is not a phase of the plan`,
          { phase: entry.name, prerequisite: pre },
        );
    }
  }
  const done = new Set<string>();
  const ordered: E[] = [];
  while (ordered.length < entries.length) {
    const next = entries.find(
      (entry) => !done.has(entry.name) && entry.prerequisites.every((pre) => done.has(pre)),
    );
    if (!next) {
      const cycle = findCycle(entries.filter((entry) => !done.has(entry.name)));
      throw new SpecialistError(
        ERROR_TYPES.specInvalid,
        `implementation_plan: the prerequisites form a cycle (${cycle.join(' -> ')}); remove one of these prerequisites`,
        { cycle },
      );
    }
    done.add(next.name);
    ordered.push(next);
  }
  return ordered;
}

/** One cycle among entries that cannot be ordered, as names with the first repeated at the end. */
function findCycle(entries: readonly DagEntry[]): string[] {
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  const start = entries[0];
  if (!start) return [];
  // Every remaining entry has a remaining prerequisite, so walking prerequisites must revisit a node.
  const path: string[] = [];
  let current: DagEntry | undefined = start;
  while (current && !path.includes(current.name)) {
    path.push(current.name);
    const nextName: string | undefined = current.prerequisites.find((pre) => byName.has(pre));
    current = nextName === undefined ? undefined : byName.get(nextName);
  }
  if (!current) return path;
  const cycle = path.slice(path.indexOf(current.name));
  // Walked along "needs" edges; report in run order (prerequisite first).
  cycle.reverse();
  return [...cycle, cycle[0]!];
}

/** Entries that may start now: pending, with every prerequisite settled. In plan order. */
export function readyEntries<E extends DagEntry>(
  entries: readonly E[],
  states: Readonly<Record<string, EntryState>>,
): E[] {
  return entries.filter(
    (entry) =>
      (states[entry.name] ?? 'pending') === 'pending' &&
      entry.prerequisites.every((pre) => isSettled(states[pre])),
  );
}

/**
 * For each pending entry that cannot run because a prerequisite (directly or further up) failed, the
 * failed entries it waits on. Nothing runs on a broken base; the dependents are blocked, not cancelled.
 */
export function blockedEntries(
  entries: readonly DagEntry[],
  states: Readonly<Record<string, EntryState>>,
): Record<string, string[]> {
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  const memo = new Map<string, string[]>();
  const failedAbove = (name: string, seen: Set<string>): string[] => {
    const cached = memo.get(name);
    if (cached) return cached;
    const entry = byName.get(name);
    if (!entry || seen.has(name)) return [];
    seen.add(name);
    const found = new Set<string>();
    for (const pre of entry.prerequisites) {
      if (states[pre] === 'failed') found.add(pre);
      else if (!isSettled(states[pre])) failedAbove(pre, seen).forEach((f) => found.add(f));
    }
    const result = [...found].sort();
    memo.set(name, result);
    return result;
  };
  const blocked: Record<string, string[]> = {};
  for (const entry of entries) {
    if ((states[entry.name] ?? 'pending') !== 'pending') continue;
    const failed = failedAbove(entry.name, new Set());
    if (failed.length > 0) blocked[entry.name] = failed;
  }
  return blocked;
}

/** True when every entry is settled. */
export function planFinished(
  entries: readonly DagEntry[],
  states: Readonly<Record<string, EntryState>>,
): boolean {
  return entries.every((entry) => isSettled(states[entry.name]));
}

/** Everything downstream of `name` (its dependents, transitively), in plan order. */
export function dependentsOf(entries: readonly DagEntry[], name: string): string[] {
  const result = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const entry of entries) {
      if (result.has(entry.name)) continue;
      if (entry.prerequisites.some((pre) => pre === name || result.has(pre))) {
        result.add(entry.name);
        grew = true;
      }
    }
  }
  return entries.filter((entry) => result.has(entry.name)).map((entry) => entry.name);
}
