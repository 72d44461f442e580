// Lint: typescript-eslint's recommended rules, plus the layer rules of README "How it is built".
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const uiAndCli = {
  paths: ['ink', 'react', 'yargs', 'yargs/helpers', 'ink-testing-library'],
  patterns: [{ group: ['**/ui/**', '**/cli/**', '**/run/**'], message: 'core code must not depend on the UI, CLI or run layers' }],
};
const renderToo = {
  paths: uiAndCli.paths,
  patterns: [
    {
      group: ['**/ui/**', '**/cli/**', '**/run/**', '**/render/**', '**/report/**'],
      message: 'parse, input and analyze must not depend on rendering, the UI or the CLI',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.bench-cache/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-control-regex': 'off',
    },
  },
  // The pipeline's layers (README "How it is built"): each imports only the layers below it.
  { files: ['src/core/**', 'src/parse/**', 'src/input/**', 'src/analyze/**', 'src/group/**'], rules: { 'no-restricted-imports': ['error', renderToo] } },
  { files: ['src/render/**', 'src/report/**', 'src/grep/**'], rules: { 'no-restricted-imports': ['error', uiAndCli] } },
  {
    files: ['src/ui/components/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/cli/**', '**/run/**', '**/input/**', '**/parse/**'], message: 'Ink components only render: they get data as props' }] },
      ],
    },
  },
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: globals.node } },
);
