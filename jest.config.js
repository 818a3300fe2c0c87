/** @type {import('jest').Config} */
// Type errors are caught by `tsc --noEmit` in `npm test`; with isolatedModules in tsconfig, ts-jest only transpiles.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform, testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      displayName: 'emulator',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/emulator/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    { displayName: 'browser', testEnvironment: 'node', transform, testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
  ],
  testTimeout: 30000,
};
