/** Three projects: fast pure unit tests, integration tests against real servers, and the fault suite (npm test: scripts/test.sh). */
const transform = { '^.+\\.ts$': ['@swc/jest'] };
module.exports = {
  // After each run: the time of every test file, slowest first (CI's log shows where time goes).
  reporters: ['default', '<rootDir>/test/setup/timing-reporter.js'],
  // Slowest files first (matters when the integration suite runs on several workers).
  testSequencer: '<rootDir>/test/setup/slow-first-sequencer.js',
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/integration-timeout.ts'],
    },
    {
      // Real stacks broken on purpose (killed workers, restarted servers, many runs at once): slow,
      // one stack per file, run after the integration tests.
      displayName: 'fault',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/fault/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/integration-timeout.ts'],
    },
  ],
};
