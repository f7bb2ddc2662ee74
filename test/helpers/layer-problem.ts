/** Reading one layer's refusal out of an analysis refusal that may report several layers at once. */
import type { SpecialistError } from '../../src/errors';

interface Problem {
  layer: string;
  type: string;
  message: string;
}

/** The message and type of `layer`'s problem (the error itself when it reports a single problem). */
export function layerProblem(err: SpecialistError, layer: string): { type: string; message: string } {
  const problems = err.details.problems as Problem[] | undefined;
  if (!problems) return { type: err.type, message: err.message };
  const found = problems.find((p) => p.layer === layer);
  if (!found) throw new Error(`no problem of layer ${layer} in: ${err.message}`);
  return found;
}

/** The layers a refusal reports, in order. */
export function layersOf(err: SpecialistError): string[] {
  const problems = err.details.problems as Problem[] | undefined;
  return problems ? problems.map((p) => p.layer) : [];
}
