/** Finds every anchor a feature spec needs in a Python codebase (DESIGN.md §1 step 0b). */
import type { FeatureSpec } from '../spec/feature-spec';
import type { AnchorMap } from './anchor-map';

/**
 * Reads the Python files under `root` and locates, for each field change of `spec`, the model, the
 * migrations, CREATE TABLE, every INSERT, the row mappers, the service method, the tool and the
 * serializers. Throws `SpecialistError` (`SpecInvalid`, `AnchorNotFound`, `AnchorAmbiguous`) naming
 * what was searched, where, and the candidates found. Touches nothing.
 */
export async function analyzeWorkspace(root: string, spec: FeatureSpec): Promise<AnchorMap> {
  void root;
  void spec;
  throw new Error('analyzeWorkspace: work in progress');
}
