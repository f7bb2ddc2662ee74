/** `specialist plan`: analysis plus the edits of phases 1–5 in memory, as a unified diff. Touches nothing. */
import { analyzeWorkspace } from '../analysis/analyze-workspace';
import type { AnchorMap } from '../analysis/anchor-map';
import type { FeatureSpec } from '../spec/feature-spec';
import type { CodeChange } from './contract';
import { EDIT_PHASES, FileSet, runPhase, type EditPhaseName } from './phase-codemods';
import { unifiedDiff } from './unified-diff';

export interface FeaturePlan {
  anchors: AnchorMap;
  files: { path: string; before: string; after: string }[];
  /** Unified diff of every file phases 1–5 would change, in path order. */
  diff: string;
  changes: (CodeChange & { phase: EditPhaseName })[];
  /** What codemods skipped or warned about. */
  notes: string[];
}

/** Plans phases 1–5 for `spec` on the workspace at `root` without writing anything. */
export async function planFeature(root: string, spec: FeatureSpec): Promise<FeaturePlan> {
  const anchors = await analyzeWorkspace(root, spec);
  const files = new FileSet(root);
  const changes: FeaturePlan['changes'] = [];
  const notes: string[] = [];
  for (const phase of EDIT_PHASES) {
    const result = runPhase(phase, spec, anchors, files);
    changes.push(...result.changes.map((c) => ({ ...c, phase })));
    notes.push(...result.notes);
  }
  // What `run` would refuse to write (a character the file's encoding cannot hold), plan refuses too.
  files.encodeChanged();
  const paths = files.changed();
  const planned = paths.map((path) => ({
    path,
    before: files.original.get(path)!,
    after: files.current.get(path)!,
  }));
  return {
    anchors,
    files: planned,
    diff: planned.map((f) => unifiedDiff(f.path, f.before, f.after)).join(''),
    changes,
    notes,
  };
}
