/**
 * A HOME folder's state: every entry under it with its kind, size and mtime. Two snapshots taken
 * around a run differ exactly when the run (or a process it started) wrote under HOME.
 */
import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';

export type HomeSnapshot = Map<string, string>;

export function snapshotHome(home: string): HomeSnapshot {
  const entries: HomeSnapshot = new Map();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      const st = lstatSync(full);
      const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'file';
      // A folder's size and mtime change when entries come and go: the entries themselves say that.
      entries.set(path.relative(home, full), kind === 'dir' ? 'dir' : `${kind} ${st.size} ${st.mtimeMs}`);
      if (kind === 'dir') walk(full);
    }
  };
  walk(home);
  return entries;
}

/** What changed between two snapshots, one line per path ("added x", "changed y", "removed z"). */
export function diffHome(before: HomeSnapshot, after: HomeSnapshot): string[] {
  const changes: string[] = [];
  for (const [p, state] of after) {
    if (!before.has(p)) changes.push(`added ${p}`);
    else if (before.get(p) !== state) changes.push(`changed ${p} (${before.get(p)} -> ${state})`);
  }
  for (const p of before.keys()) if (!after.has(p)) changes.push(`removed ${p}`);
  return changes.sort();
}
