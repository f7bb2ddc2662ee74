/** The error a test generator throws when the project lacks something a test needs. */
import { ERROR_TYPES, SpecialistError } from '../errors';

/** Throws `AnchorNotFound` naming what the generated tests would need. */
export function fail(message: string, details: Record<string, unknown> = {}): never {
  throw new SpecialistError(ERROR_TYPES.anchorNotFound, `test generation: ${message}`, details);
}
