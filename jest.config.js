/** @type {import('jest').Config} */
// Type errors are caught by `tsc --noEmit` in `npm test`; with isolatedModules in tsconfig, ts-jest only transpiles.
// Every app opens the incident index, on PGlite by default. PGlite's CommonJS build uses import() for
// Node's own modules, which Jest's vm refuses without --experimental-vm-modules: one small transform.
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  '/node_modules/@electric-sql/pglite/dist/.+\\.cjs$': '<rootDir>/test/helpers/pgliteTransform.cjs',
};
const project = (displayName, testMatch) => ({
  displayName,
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/)'],
  testMatch,
});

module.exports = {
  projects: [
    project('unit', ['<rootDir>/test/unit/**/*.test.ts']),
    project('budget', ['<rootDir>/test/budget/**/*.test.ts']),
    project('emulator', ['<rootDir>/packages/emulator/test/**/*.test.ts']),
    project('integration', ['<rootDir>/test/integration/**/*.test.ts']),
    project('browser', ['<rootDir>/test/browser/**/*.test.ts']),
    // The incident index on PGlite and PostgreSQL.
    project('index', ['<rootDir>/test/index/**/*.test.ts']),
    // Several app processes and thousands of requests: run alone with `npm run test:scale`.
    project('scale', ['<rootDir>/test/scale/**/*.test.ts']),
  ],
  testTimeout: 30000,
};
