/* global module, process, console */
/**
 * Prints where a jest run's time went, after the run: every test file by wall time (slowest first)
 * and the slowest tests. CI's log then shows which files to look at when the suite grows slow.
 * TIMING_REPORT=0 silences it; TIMING_REPORT_TESTS=n sets how many tests are listed (default 10).
 */
/** Files and tests quicker than this are counted, not listed. */
const MIN_MS = 1000;

class TimingReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.started = Date.now();
  }

  onRunComplete(_contexts, results) {
    if (process.env.TIMING_REPORT === '0' || results.testResults.length === 0) return;
    const relative = (file) => (file.startsWith(this.rootDir) ? file.slice(this.rootDir.length + 1) : file);
    const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`.padStart(9);
    const files = results.testResults
      .map((r) => ({
        file: relative(r.testFilePath),
        ms: r.perfStats.end - r.perfStats.start,
        project: r.displayName?.name ?? '',
        failed: r.numFailingTests > 0 || !!r.testExecError,
      }))
      .sort((a, b) => b.ms - a.ms);
    const total = files.reduce((sum, f) => sum + f.ms, 0);
    const shown = files.filter((f) => f.ms >= MIN_MS || f.failed);
    const lines = [
      `::: time per test file (${files.length} files, ${(total / 1000).toFixed(0)} s summed, ${((Date.now() - this.started) / 1000).toFixed(0)} s wall)`,
      ...shown.map(
        (f) =>
          `${seconds(f.ms)}  ${f.project ? `${f.project} ` : ''}${f.file}${f.failed ? '  (FAILED)' : ''}`,
      ),
    ];
    if (shown.length < files.length) lines.push(`  (${files.length - shown.length} more under 1 s each)`);
    const count = Number(process.env.TIMING_REPORT_TESTS ?? 10);
    const tests = results.testResults
      .flatMap((r) =>
        r.testResults.map((t) => ({
          name: `${relative(r.testFilePath)} › ${t.fullName}`,
          ms: t.duration ?? 0,
        })),
      )
      .filter((t) => t.ms >= MIN_MS)
      .sort((a, b) => b.ms - a.ms)
      .slice(0, count);
    if (count > 0 && tests.length > 0)
      lines.push(`::: slowest tests`, ...tests.map((t) => `${seconds(t.ms)}  ${t.name.slice(0, 160)}`));
    console.log(`\n${lines.join('\n')}\n`);
  }
}

module.exports = TimingReporter;
