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
  // The standalone evidence-pack verifier runs on Node alone.
  { files: ['examples/**/*.mjs'], languageOptions: { globals: globals.node } },
  // Mocha loads its reporter with require(), so the one reporter of ours is CommonJS.
  {
    files: ['**/*.cjs'],
    languageOptions: { globals: globals.node, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // The storage seam (docs/storage.md): services and routes reach the database only through
  // repositories, so the storage tricks stay in one place per feature.
  {
    files: ['src/**/*.service.ts', 'src/**/*.routes.ts', 'src/**/*-guard*.ts', 'src/oauth/resource-server.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/*.model.js'],
              allowTypeImports: true,
              message: 'Models belong to repositories: call the feature\'s <feature>.repository.ts instead.',
            },
            {
              group: ['**/db/primary-key.js', '**/db/lease.js', '**/db/serial-updates.js', 'mongoose', 'mongodb'],
              allowTypeImports: true,
              message: 'Storage building blocks belong to repositories (docs/storage.md).',
            },
          ],
        },
      ],
    },
  },
  // Small files with one job: a source file that grows past 250 lines is split where its jobs part.
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 250, skipBlankLines: false, skipComments: false }],
      // The embedded database answers an unacknowledged write, and the connection's next
      // command takes that answer for its own (docs/storage.md, "No unacknowledged writes").
      'no-restricted-syntax': [
        'error',
        {
          selector: "Property[key.name='w'][value.value=0]",
          message: 'No unacknowledged writes (docs/storage.md).',
        },
      ],
    },
  },
  // The process entry and command-line tools talk to people on the terminal.
  {
    files: ['src/server.ts', 'src/cli/**', 'scripts/**', 'test/**', 'examples/**'],
    rules: { 'no-console': 'off' },
  },
);
