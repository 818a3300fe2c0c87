/** @type {import('jest').Config} */
// Type errors are caught by `tsc --noEmit` in `npm test`; with isolatedModules in tsconfig, ts-jest only transpiles.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const project = (displayName, testMatch) => ({ displayName, testEnvironment: 'node', transform, testMatch });

module.exports = {
  projects: [
    project('unit', ['<rootDir>/test/unit/**/*.test.ts']),
    project('emulator', ['<rootDir>/packages/emulator/test/**/*.test.ts']),
    project('integration', ['<rootDir>/test/integration/**/*.test.ts']),
    project('browser', ['<rootDir>/test/browser/**/*.test.ts']),
    // The incident index on PGlite and PostgreSQL. PGlite's CommonJS build uses import() for Node's
    // own modules, which Jest's vm refuses without --experimental-vm-modules: one small transform.
    {
      ...project('index', ['<rootDir>/test/index/**/*.test.ts']),
      transform: { ...transform, '/node_modules/@electric-sql/pglite/dist/.+\\.cjs$': '<rootDir>/test/index/pgliteTransform.cjs' },
      transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/)'],
    },
    // Several app processes and thousands of requests: run alone with `npm run test:scale`.
    project('scale', ['<rootDir>/test/scale/**/*.test.ts']),
  ],
  testTimeout: 30000,
};
