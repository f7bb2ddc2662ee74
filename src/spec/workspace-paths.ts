/**
 * The `architecture` paths of a spec name the project's own files, so each must resolve inside the
 * workspace: no `..` escape, no absolute path elsewhere, no symlink pointing out. Checked before a run
 * starts (the CLI, exit 2) and again by the activity that writes files, so a spec can never make the
 * specialist write into the user's own checkout or anywhere else.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Keys of `architecture` that are not paths of the project's files. */
const NOT_PATHS = new Set(['python', 'package', 'feature', 'title']);

/** Whether `candidate` is `root` or below it (both absolute and normalised). */
function isWithin(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The real path of `target`'s deepest existing ancestor, with the rest appended (follows symlinks). */
function realTarget(target: string): string {
  let existing = target;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  let real = existing;
  try {
    real = realpathSync(existing);
  } catch {
    // an unreadable ancestor: judge the path as written
  }
  return path.join(real, ...rest);
}

/** Why `value` (relative to `workspace`, or absolute) is not inside the workspace; undefined when it is. */
export function outsideWorkspaceProblem(workspace: string, value: string): string | undefined {
  const root = path.resolve(workspace);
  const target = path.resolve(root, value);
  if (!isWithin(root, target)) return `${JSON.stringify(value)} is outside the workspace`;
  let realRoot = root;
  try {
    realRoot = realpathSync(root);
  } catch {
    // a missing workspace is reported elsewhere
  }
  if (!isWithin(realRoot, realTarget(target)))
    return `${JSON.stringify(value)} is outside the workspace (through a symbolic link)`;
  return undefined;
}

/**
 * Every problem of the spec's `architecture` paths, each naming its key, e.g.
 * `architecture.tests: "../x" is outside the workspace`.
 */
export function architecturePathProblems(workspace: string, architecture: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(architecture)) {
    if (NOT_PATHS.has(key) || typeof value !== 'string') continue;
    const problem = outsideWorkspaceProblem(workspace, value);
    if (problem) problems.push(`architecture.${key}: ${problem}`);
  }
  return problems;
}

/** The keys `architecture` may have; `feature` and `title` ride along when a spec is stored in memory. */
export const ARCHITECTURE_KEYS = [
  'package',
  'domain_models',
  'database',
  'migrations',
  'service',
  'api',
  'tests',
  'python',
  'fixtures',
  'factories',
] as const;
const RIDING_ALONG = new Set(['feature', 'title']);

/** `architecture.migration: unknown key (...)` for each key the tool does not read. */
export function unknownArchitectureKeys(architecture: Record<string, unknown>): string[] {
  const known = new Set<string>(ARCHITECTURE_KEYS);
  return Object.keys(architecture)
    .filter((key) => !known.has(key) && !RIDING_ALONG.has(key))
    .map(
      (key) =>
        `architecture.${key}: unknown key (the keys are ${ARCHITECTURE_KEYS.join(', ')}); a misspelt hint would be ignored`,
    );
}

/**
 * Every `architecture` path hint that names nothing in the workspace. A hint is a path from the root
 * (a file or a folder) or the end of one (`models.py` for `src/app/models.py`), as the finders match
 * it; `files` are the workspace's file paths relative to the root. `tests` may name a folder still to
 * be created, inside an existing one. Files of the same name elsewhere are offered.
 */
export function missingArchitecturePaths(
  workspace: string,
  architecture: Record<string, unknown>,
  files: string[],
): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(architecture)) {
    if (NOT_PATHS.has(key) || typeof value !== 'string' || value === '') continue;
    const target = path.resolve(workspace, value);
    const hint = value.replace(/^\.\//, '').replace(/\/+$/, '');
    if (existsSync(target) || files.some((f) => f.endsWith(`/${hint}`))) continue;
    if (key === 'tests' && existsSync(path.dirname(target))) continue;
    const base = path.posix.basename(hint);
    const similar = files.filter((f) => path.posix.basename(f) === base);
    const shown = similar.length > 5 ? [...similar.slice(0, 5), '...'] : similar;
    problems.push(
      `architecture.${key}: ${JSON.stringify(value)} does not exist in the workspace${shown.length ? ` (files of that name: ${shown.join(', ')})` : ''}`,
    );
  }
  return problems;
}
