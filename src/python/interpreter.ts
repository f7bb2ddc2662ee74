/**
 * Which Python runs a target project: the spec's `architecture.python`, then `SPECIALIST_PYTHON`,
 * then the project's own `.venv`/`venv`, then the tool's shared environment (`.specialist/venv`,
 * made by `.ci/run` / `npm run setup:python` from examples/requirements.txt), then `python3`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The tool's own checkout (two levels above this file in both src/ and dist/). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const SHARED_VENV = path.join(PROJECT_ROOT, '.specialist', 'venv');

export function resolvePython(workspace: string, configured?: string): string {
  if (configured) return path.isAbsolute(configured) ? configured : path.join(workspace, configured);
  const fromEnv = process.env.SPECIALIST_PYTHON;
  if (fromEnv) return fromEnv;
  for (const venv of ['.venv', 'venv']) {
    const candidate = path.join(workspace, venv, 'bin', 'python');
    if (existsSync(candidate)) return candidate;
  }
  const shared = path.join(SHARED_VENV, 'bin', 'python');
  if (existsSync(shared)) return shared;
  return 'python3';
}
