/**
 * "Do it like the neighbours": find how an existing field of the same type is written at this spot
 * (an INSERT parameter, a row-mapper argument, a serializer value) and write the new field the same
 * way, so conversions and None handling match the file's habits.
 */

export interface SiblingExpression {
  /** The existing field the expression belongs to. */
  field: string;
  text: string;
}

export interface MirrorOptions {
  /** `field name -> annotation` of the model, e.g. `started_at -> datetime | None`. */
  annotations: Record<string, string>;
  /** The new field's annotation in the same spelling. */
  annotation: string;
  /** Enum classes of the codebase (an enum sibling of another enum class is rewritten to the new one). */
  enumClasses: string[];
  /** Whether a bare (local variable) use of the sibling's name may be rewritten. */
  allowBareName: boolean;
}

/** `Optional[X]` → `X | None`, no spaces: annotations compare equal across styles. */
export function normalizeAnnotation(text: string): string {
  let t = text.replace(/\s+/g, '');
  const optional = /^(?:typing\.)?Optional\[(.*)\]$/.exec(t);
  if (optional) t = `${optional[1]}|None`;
  t = t.replace(/^None\|(.*)$/, '$1|None');
  return t.replace(/\bList\[/g, 'list[').replace(/\bDict\[/g, 'dict[');
}

const STRING = /(["'])(?:\\.|(?!\1).)*\1/g;

/** True when the text hard-codes something of its own field (a default number or string). */
function hasOwnLiterals(text: string, field: string): boolean {
  const strings = text.match(STRING) ?? [];
  const allowed = new Set([`"${field}"`, `'${field}'`, '"[]"', "'[]'", '"{}"', "'{}'"]);
  if (strings.some((s) => !allowed.has(s))) return true;
  return /(?<![\w.])\d/.test(text.replace(STRING, '""'));
}

/** The new field's expression copied from the last sibling of the same type, or undefined. */
export function mirrorSibling(
  siblings: SiblingExpression[],
  newField: string,
  options: MirrorOptions,
): string | undefined {
  const wanted = normalizeAnnotation(options.annotation);
  const wantedBase = wanted.replace(/\|None$/, '');
  const nullable = wanted.endsWith('|None');
  const isEnum = options.enumClasses.includes(wantedBase);
  for (const sibling of [...siblings].reverse()) {
    const own = options.annotations[sibling.field];
    if (!own || sibling.field === newField) continue;
    const ownNorm = normalizeAnnotation(own);
    const ownBase = ownNorm.replace(/\|None$/, '');
    let text = sibling.text;
    if (ownNorm !== wanted) {
      const sameShape =
        isEnum && ownNorm.endsWith('|None') === nullable && options.enumClasses.includes(ownBase);
      if (!sameShape) continue;
      text = text.replace(new RegExp(`\\b${ownBase}\\b`, 'g'), wantedBase);
    }
    if (hasOwnLiterals(text, sibling.field)) continue;
    const name = new RegExp(`(?<![\\w])${sibling.field}(?![\\w])`, 'g');
    let bare = false;
    const withoutStrings = text.replace(STRING, '""');
    for (const match of withoutStrings.matchAll(name)) {
      if (withoutStrings[match.index - 1] !== '.') bare = true;
    }
    if (bare && !options.allowBareName) continue;
    if (!name.test(text)) continue;
    return text.replace(name, newField);
  }
  return undefined;
}
