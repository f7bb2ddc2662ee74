/**
 * Every layer the analysis could not find, reported at once: a project missing its table and its tool
 * hears about both in one refusal, each with what was seen instead and the spec key that settles it,
 * rather than fixing one, running again and meeting the next.
 */
import { SpecialistError, type ErrorType } from '../errors';

/** The layers of a field change, in the order the analysis looks for them. */
export type Layer =
  'model' | 'table' | 'migrations' | 'service' | 'tool' | 'row mappers' | 'inserts and row mappers' | 'field';

/** One layer's refusal, for the change `Model.field` at `data_models.changes[index]`. */
export interface LayerProblem {
  change: string;
  index: number;
  layer: Layer;
  error: SpecialistError;
}

/** Collects the refusals of the finders of one analysis. */
export class LayerProblems {
  readonly problems: LayerProblem[] = [];

  /**
   * Runs one finder: its result, or undefined when it refused (the refusal is recorded). Anything
   * other than a `SpecialistError` is a defect and is thrown at once.
   */
  attempt<T>(
    change: { model: string; field: string },
    index: number,
    layer: Layer,
    find: () => T,
  ): T | undefined {
    try {
      return find();
    } catch (err) {
      if (!(err instanceof SpecialistError)) throw err;
      this.problems.push({ change: `${change.model}.${change.field}`, index, layer, error: err });
      return undefined;
    }
  }

  /** Throws the refusal of everything recorded (nothing when nothing was). */
  throwIfAny(): void {
    if (this.problems.length > 0) throw layerRefusal(this.problems);
  }
}

/**
 * One error for all `problems`: a single one as it is (its type, message and details), several as one
 * message with a line per layer — `- Bookmark.note, table: ...` — whose type is the first one's.
 */
export function layerRefusal(problems: LayerProblem[]): SpecialistError {
  if (problems.length === 0) throw new Error('layerRefusal: no problems');
  if (problems.length === 1) return problems[0]!.error;
  const changes = new Set(problems.map((p) => p.change));
  const lines = problems.map(
    (p) =>
      `- ${changes.size > 1 ? `${p.change} (data_models.changes[${p.index}]), ` : ''}${p.layer}: ${p.error.message}`,
  );
  const what = changes.size > 1 ? `${changes.size} field changes` : [...changes][0]!;
  const type: ErrorType = problems[0]!.error.type;
  return new SpecialistError(
    type,
    `${problems.length} layers of ${what} were not found or cannot take the field — each below with what was seen and the spec key that settles it:\n${lines.join('\n')}`,
    {
      problems: problems.map((p) => ({
        change: p.change,
        index: p.index,
        layer: p.layer,
        type: p.error.type,
        message: p.error.message,
        details: p.error.details,
      })),
    },
  );
}
