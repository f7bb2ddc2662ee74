/**
 * The analysis and in-memory plan of phases 1–5 on a workspace, as `plan` and `run` both do it first:
 * whatever the analysis or a codemod refuses becomes the same one-line CliError (exit 2), before any
 * stack, workflow, branch, worktree or memory entry exists. Reads the files only.
 */
import { SpecialistError } from '../../errors';
import { planFeature, type FeaturePlan } from '../../phases/plan-feature';
import type { FeatureSpec } from '../../spec/feature-spec';
import { CliError, EXIT } from '../cli-error';

export async function planWorkspace(root: string, spec: FeatureSpec): Promise<FeaturePlan> {
  try {
    return await planFeature(root, spec);
  } catch (err) {
    // The message is what a person acts on; the type (AnchorNotFound, ...) is the code's own word.
    if (err instanceof SpecialistError) throw new CliError(err.message, EXIT.badInput);
    throw err;
  }
}
