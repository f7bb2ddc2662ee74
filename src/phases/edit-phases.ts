/** The edit phases 1–5: apply the codemods of one phase for every change of a spec to a workspace. */
import type { AnchorMap } from '../analysis/anchor-map';
import type { FeatureSpec } from '../spec/feature-spec';
import type { PhaseEditResult } from './contract';

export type EditPhaseName =
  'domain_model' | 'database_migration' | 'service_layer' | 'api_layer' | 'serialization';

/**
 * Applies one phase's codemods to the files under `root` (writing only files whose content changes),
 * checks the result (re-parse, py_compile, model instantiation for domain_model) and reports it.
 * Idempotent: a second call changes no file.
 */
export async function applyEditPhase(
  root: string,
  spec: FeatureSpec,
  phase: EditPhaseName,
  anchors?: AnchorMap,
): Promise<PhaseEditResult> {
  void root;
  void spec;
  void phase;
  void anchors;
  throw new Error('applyEditPhase: work in progress');
}
