/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- jest loads this file as CommonJS */
/**
 * Runs the slowest test files first, so that with several jest workers no long file starts last
 * while the others sit idle. jest's own sequencer knows durations only from an earlier run on the
 * same machine (its cache); a fresh CI clone has none and would order by file size, which puts
 * test/integration/cases.test.ts (short file, longest run) near the end. Files without a cached
 * duration take the rough seconds below (measured in CI's per-file timing report), then file size.
 */
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/** Seconds each slow file took in CI (order matters, not precision); other files count as 0. */
const KNOWN_SECONDS = {
  'test/integration/cases.test.ts': 600,
  'test/integration/codemods.test.ts': 400,
  'test/integration/testing-phase.test.ts': 300,
  'test/integration/run-end-to-end.test.ts': 250,
  'test/integration/sample-runs.test.ts': 200,
  'test/integration/one-run-per-branch.test.ts': 180,
  'test/integration/cancel-run.test.ts': 180,
  'test/integration/baseline-run.test.ts': 150,
  'test/integration/run-refusal-cli.test.ts': 80,
  'test/integration/hostile-specs.test.ts': 70,
  'test/integration/round-trip-checks.test.ts': 60,
  'test/integration/workflow-orchestration.test.ts': 60,
  'test/integration/examples.test.ts': 50,
  'test/fault/worker-killed.test.ts': 200,
  'test/fault/concurrent-runs.test.ts': 100,
  'test/fault/postgres-restarted.test.ts': 90,
  'test/fault/temporal-restarted.test.ts': 60,
};

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const seconds = (test) => {
      const cached = this.time(test);
      if (cached != null) return cached / 1000;
      const relative = path.relative(test.context.config.rootDir, test.path).split(path.sep).join('/');
      return KNOWN_SECONDS[relative] ?? 0;
    };
    const size = (test) => test.context.hasteFS.getSize(test.path) ?? 0;
    return [...tests].sort((a, b) => seconds(b) - seconds(a) || size(b) - size(a));
  }
}

module.exports = SlowFirstSequencer;
