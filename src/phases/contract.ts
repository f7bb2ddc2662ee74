/**
 * What each phase hands back: small summaries (paths, counts), never whole files — these travel in
 * Temporal payloads. Implemented by the codemod engine (phases 1–5) and the testing phase (6).
 */
import type { PhaseName } from '../spec/feature-spec';

export interface CodeChange {
  /** Path relative to the workspace root. */
  file: string;
  /** Codemod id, e.g. `add-pydantic-field`. */
  codemod: string;
  /** One line a person reads, e.g. `Task.summary: str | None = Field(default=None, max_length=200)`. */
  description: string;
}

export interface PhaseEditResult {
  phase: PhaseName;
  filesModified: string[];
  filesCreated: string[];
  changes: CodeChange[];
  /** Checks run by the phase itself (py_compile, instantiating the model, fresh/old-schema migration). */
  checks: { name: string; passed: boolean; detail?: string }[];
}

export interface TestFailure {
  /** pytest node id, e.g. `tests/test_task_summary.py::test_summary_when_too_long_raises`. */
  id: string;
  message: string;
}

export interface TestingResult extends PhaseEditResult {
  phase: 'testing_validation';
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  unitTestsPassed: boolean;
  integrationTestsPassed: boolean;
  migrationTestsPassed: boolean;
  /** Line coverage of the whole run, percent with one decimal. */
  coveragePercentage: number;
  /** Coverage of each touched module, percent. */
  touchedModuleCoverage: Record<string, number>;
  mypy: { configured: boolean; passed?: boolean; output?: string };
  failures: TestFailure[];
  /** Ids of failing tests that are not accepted base failures (or are generated): what fails phase 6. */
  newFailures: string[];
  /** Ids of failing tests a person accepted as already failing on the base (they do not fail phase 6). */
  baseFailures: string[];
  /** Per generated category: its file and how its tests went (set by the testing phase). */
  categories?: Record<
    'unit' | 'integration' | 'migration',
    { file: string; tests: number; passed: number; failed: number }
  >;
}
