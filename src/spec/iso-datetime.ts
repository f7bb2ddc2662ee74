/**
 * Datetime defaults: the phases write them as `datetime.fromisoformat("...")` in the model and as the
 * column's DEFAULT text that row mappers read back with `fromisoformat`, so a default must be a form
 * whatever Python the project runs parses. Before 3.11, `fromisoformat` takes only what `isoformat()`
 * writes: `YYYY-MM-DD`, then optionally `T` (or a space) and `HH[:MM[:SS[.fff|.ffffff]]]`, then
 * optionally an offset `±HH:MM[:SS[.ffffff]]` — no `Z`, no week or ordinal dates, no compact forms.
 */
const ISO = new RegExp(
  '^(\\d{4})-(\\d{2})-(\\d{2})' +
    '(?:[T ](\\d{2})(?::(\\d{2})(?::(\\d{2})(?:\\.(?:\\d{3}|\\d{6}))?)?)?' +
    '(?:([+-])(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.\\d{6})?)?)?)?$',
);

const daysIn = (year: number, month: number) =>
  month === 2
    ? (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/** Why `text` is not an ISO 8601 date-time Python's `datetime.fromisoformat` reads, or undefined. */
export function isoDateTimeProblem(text: string): string | undefined {
  const expected =
    'expected ISO 8601 as datetime.fromisoformat reads it, e.g. "2024-01-01", "2024-01-01T09:30:00" or "2024-01-01T09:30:00+00:00"';
  const m = ISO.exec(text);
  if (!m) {
    if (/^\d{4}-\d{2}-\d{2}[T ][\d:.]+Z$/i.test(text))
      return `"${text}" is not ISO 8601 as every Python reads it: datetime.fromisoformat before Python 3.11 rejects "Z"; write "+00:00" instead`;
    return `"${text}" is not ISO 8601 (${expected})`;
  }
  const [year, month, day, hour, minute, second, , offHour, offMinute, offSecond] = m
    .slice(1)
    .map((v) => (v === undefined ? 0 : Number(v)));
  const out = (what: string) => `"${text}" is not ISO 8601: ${what} (${expected})`;
  if (year! < 1) return out('year 0 does not exist');
  if (month! < 1 || month! > 12) return out(`month ${month} is not 1-12`);
  if (day! < 1 || day! > daysIn(year!, month!))
    return out(
      `day ${day} is not a day of ${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`,
    );
  if (hour! > 23) return out(`hour ${hour} is not 0-23`);
  if (minute! > 59) return out(`minute ${minute} is not 0-59`);
  if (second! > 59) return out(`second ${second} is not 0-59`);
  if (offHour! > 23 || offMinute! > 59 || offSecond! > 59)
    return out('the UTC offset must be less than 24 hours');
  return undefined;
}
