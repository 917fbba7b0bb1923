import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '**/node_modules/',
      '.data/',
      'coverage/',
      'bench/results/',
      // Written by `npm run codegen` and checked against the schema by test/unit/resolver-types.test.ts.
      'subgraphs/*/src/generated/',
      // Known-bad imports, linted on purpose by test/unit/lint-boundaries.test.ts.
      'test/fixtures/boundaries/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
);
