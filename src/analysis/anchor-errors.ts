/**
 * How the finders of analysis refuse: each error names what was searched, where, the candidates that
 * exist in the code, and the spec key that would settle it.
 */
import { SpecialistError } from '../errors';
import type { PyFile } from './workspace-index';

export const where = (f: { file: PyFile; node: { startPosition: { row: number } } }) =>
  `${f.file.path}:${f.node.startPosition.row + 1}`;

/**
 * What a finder searched and did not find: `seen` says what the code has instead ("tools are
 * `@mcp.tool()` functions in server.py"), `candidates` are names that exist in the code (never made
 * up), `settle` the spec key that would settle it ("set data_models.changes[0].table to ...").
 */
export function notFound(
  what: string,
  searched: string,
  candidates: string[],
  more: { seen?: string[]; settle?: string } = {},
): never {
  const seen = more.seen ?? [];
  throw new SpecialistError(
    'AnchorNotFound',
    `${what} not found (searched ${searched})${seen.length ? `; seen instead: ${seen.join('; ')}` : ''}${candidates.length ? `; candidates: ${candidates.join(', ')}` : seen.length ? '' : '; nothing similar found'}${more.settle ? ` — ${more.settle}` : ''}`,
    {
      what,
      searched,
      candidates,
      ...(seen.length ? { seen } : {}),
      ...(more.settle ? { settle: more.settle } : {}),
    },
  );
}

export function ambiguous(what: string, candidates: string[], hint: string): never {
  throw new SpecialistError('AnchorAmbiguous', `${what} is ambiguous: ${candidates.join(', ')} — ${hint}`, {
    what,
    candidates,
  });
}

export function specInvalid(path: string, message: string, details: Record<string, unknown> = {}): never {
  throw new SpecialistError('SpecInvalid', `${path}: ${message}`, { path, ...details });
}

/** One candidate, preferring those in the hinted file; ambiguous otherwise. */
export function pick<T extends { file: PyFile }>(
  items: T[],
  hint: string | undefined,
  what: string,
  label: (t: T) => string,
): T | undefined {
  if (items.length <= 1) return items[0];
  const hinted = hint ? items.filter((i) => i.file.path === hint || i.file.path.endsWith(`/${hint}`)) : [];
  if (hinted.length === 1) return hinted[0];
  return ambiguous(what, items.map(label), 'name the file in the spec\'s "architecture" hints');
}
