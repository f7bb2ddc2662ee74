/**
 * One run per branch: a run's workflow id is derived from the repository and the feature
 * (`feature-<name>-<8 hex of the repository>`), so Temporal itself keeps at most one open run of a
 * feature on a repository — a second start finds the open one instead of racing it for the branch.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { git } from '../../git/git';

/**
 * What identifies a repository: its common git folder (real path), the same for the main checkout
 * and every linked worktree — they share one set of branches.
 */
export async function repositoryKey(root: string): Promise<string> {
  const common = await git(root, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
  try {
    return realpathSync(common);
  } catch {
    return common;
  }
}

/** `feature-<name>-<8 hex>`: the same for every run of `feature` on the repository `repoKey`. */
export function runWorkflowId(feature: string, repoKey: string): string {
  return `feature-${feature}-${createHash('sha256').update(repoKey).digest('hex').slice(0, 8)}`;
}
