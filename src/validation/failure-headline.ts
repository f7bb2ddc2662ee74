/** The first line of a test failure a person reads (pure: the workflow's messages use it too). */

/**
 * The line of a failure a person reads first. pytest's own first line can be generic ("collection
 * failure"): then the first line of the error itself (e.g. `sqlite3.OperationalError: ...`) follows.
 */
export function headline(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const first = lines[0] ?? '';
  const specific = /\b\w*(Error|Exception|Warning|Exit)\b|assert|failed on \w+ with/i.test(first);
  return !specific && lines[1] ? `${first}: ${lines[1]}` : first;
}
