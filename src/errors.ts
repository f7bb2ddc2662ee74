/**
 * Error types shared by the pure modules, the activities and the client. Pure modules (spec, codemods,
 * DAG, memory) throw `SpecialistError`; activities turn deterministic ones into non-retryable
 * `ApplicationFailure`s with the same `type`, and workflows read that type to decide what to do.
 */
export const ERROR_TYPES = {
  /** The feature spec is invalid (bad identifier, unknown type, ...). */
  specInvalid: 'SpecInvalid',
  /** The codebase lacks something the spec needs (model, table, method, tool, serializer). */
  anchorNotFound: 'AnchorNotFound',
  /** More than one candidate matched and the spec does not say which. */
  anchorAmbiguous: 'AnchorAmbiguous',
  /** A codemod met code it cannot edit safely, or its result does not parse. */
  codemodFailed: 'CodemodFailed',
  /** py_compile failed on a touched file. */
  compileFailed: 'CompileFailed',
  /**
   * A check of an edit phase (the model probe, the migration checks on the project's own database code)
   * failed or could not run: the phase's edits are undone and the run waits with the check's output.
   */
  checkFailed: 'CheckFailed',
  /** pytest or mypy failed. */
  testsFailed: 'TestsFailed',
  /** The workspace is not usable (not a git repo, missing interpreter, ...). */
  workspaceInvalid: 'WorkspaceInvalid',
  /** Memory: key exists / missing / bad input / too large. */
  memoryConflict: 'MemoryConflict',
  memoryNotFound: 'MemoryNotFound',
  memoryInvalid: 'MemoryInvalid',
} as const;
export type ErrorType = (typeof ERROR_TYPES)[keyof typeof ERROR_TYPES];

/** The error types that retrying cannot fix: the activity fails at once and the run asks a person. */
export const NON_RETRYABLE_ERROR_TYPES: readonly ErrorType[] = Object.values(ERROR_TYPES);

export class SpecialistError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = type;
  }
}
