/** Three projects: fast pure unit tests, integration tests against real servers, and the fault suite (both run in band). */
const transform = { '^.+\\.ts$': ['@swc/jest'] };
module.exports = {
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
      // one stack per file, run in band after the integration tests.
      displayName: 'fault',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/fault/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/integration-timeout.ts'],
    },
  ],
};
