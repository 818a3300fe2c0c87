import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'public/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json', 'packages/emulator/tsconfig.json'], noWarnOnMultipleProjects: true })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // The product never depends on its test double, and the emulator never reaches into the product:
      // only the demo launcher and the tests may start an emulator.
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src', from: './packages/emulator', message: 'The app must not import the emulator (only src/demo.ts and tests may).' },
            { target: './packages/emulator', from: ['./src', './test', './bench'], message: 'The emulator must not import ThreatDesk.' },
          ],
        },
      ],
    },
  },
  // Type-aware rules: floating promises, unsafe any, misused promises… on the product's code.
  {
    files: ['src/**/*.ts', 'packages/emulator/src/**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  { files: ['src/demo.ts'], rules: { 'import-x/no-restricted-paths': 'off' } },
  { files: ['jest.config.js'], languageOptions: { sourceType: 'commonjs' }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
