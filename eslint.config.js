import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', '.build/', 'data/', 'node_modules/', 'public/vendor/', 'test-artifacts/', '.venv/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-console': 'error',
    },
  },
  { files: ['public/js/**'], languageOptions: { globals: globals.browser, sourceType: 'script' } },
  // The process entry and command-line tools talk to people on the terminal.
  {
    files: ['src/server.ts', 'src/cli/**', 'scripts/**', 'test/**', 'examples/**'],
    rules: { 'no-console': 'off' },
  },
);
