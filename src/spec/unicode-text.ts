/**
 * Text that can be stored and written as UTF-8: JSON allows `\ud800` escapes that decode to an
 * unpaired UTF-16 surrogate, which neither PostgreSQL (jsonb) nor a Python source file can hold. The
 * spec schema refuses such strings up front, naming the JSON path, instead of failing half-way
 * through a memory write.
 */

/** True when `text` holds a UTF-16 surrogate that is not half of a pair. */
export function hasUnpairedSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

export interface UnicodeProblem {
  path: (string | number)[];
  message: string;
}

/** Every string (and object key) of a parsed JSON value that holds an unpaired surrogate. */
export function invalidUnicodeProblems(value: unknown, at: (string | number)[] = []): UnicodeProblem[] {
  if (typeof value === 'string')
    return hasUnpairedSurrogate(value)
      ? [{ path: at, message: 'invalid Unicode: an unpaired UTF-16 surrogate (\\ud800-\\udfff escape)' }]
      : [];
  if (Array.isArray(value))
    return value.flatMap((item, index) => invalidUnicodeProblems(item, [...at, index]));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(hasUnpairedSurrogate(key)
        ? [{ path: [...at, key], message: 'invalid Unicode in this key: an unpaired UTF-16 surrogate' }]
        : []),
      ...invalidUnicodeProblems(item, [...at, key]),
    ]);
  }
  return [];
}
