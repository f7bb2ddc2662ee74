/**
 * The engine the phase activities drive: analysis, the five edit phases, the testing phase. An
 * interface so activity tests can pass a different engine instead of mocking modules.
 */
import { analyzeWorkspace } from '../analysis/analyze-workspace';
import type { AnchorMap } from '../analysis/anchor-map';
import type { PhaseEditResult, TestingResult } from '../phases/contract';
import { applyEditPhase, type EditPhaseName } from '../phases/edit-phases';
import type { ProbeControl } from '../phases/python-probe';
import { runTestingPhase, type TestingPhaseOptions } from '../phases/testing-phase';
import type { FeatureSpec } from '../spec/feature-spec';

export interface PhaseEngine {
  analyze(root: string, spec: FeatureSpec): Promise<AnchorMap>;
  applyEdit(
    root: string,
    spec: FeatureSpec,
    phase: EditPhaseName,
    anchors?: AnchorMap,
    control?: ProbeControl,
  ): Promise<PhaseEditResult>;
  runTesting(
    root: string,
    spec: FeatureSpec,
    anchors: AnchorMap,
    options: TestingPhaseOptions,
  ): Promise<TestingResult>;
}

export const realEngine: PhaseEngine = {
  analyze: analyzeWorkspace,
  applyEdit: applyEditPhase,
  runTesting: runTestingPhase,
};
