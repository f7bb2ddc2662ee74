/** What value-writing codemods know about the model, so that they can copy a sibling field's habits. */
import { z } from 'zod';
import { annotation, type FieldOptions } from './field';
import { mirrorSibling, type SiblingExpression } from './mirror';

export const modelContextSchema = z.object({
  model: z.string(),
  /** `field -> annotation` of the model's existing fields. */
  annotations: z.record(z.string(), z.string()).default({}),
  /** Enum classes defined in the codebase. */
  enumClasses: z.array(z.string()).default([]),
});
export type ModelContext = z.infer<typeof modelContextSchema>;

/** The new field's expression copied from the last sibling of the same type, or undefined. */
export function mirror(
  f: FieldOptions & ModelContext,
  siblings: SiblingExpression[],
  allowBareName: boolean,
): string | undefined {
  return mirrorSibling(siblings, f.field, {
    annotations: f.annotations,
    annotation: annotation(f, 'pipe'),
    enumClasses: f.enumClasses,
    allowBareName,
  });
}
