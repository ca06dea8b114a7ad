import tseslint from 'typescript-eslint';

export default tseslint.config(
  // The rules' fixtures hold other projects' code (Function Apps in JavaScript and TypeScript): data, not this project's.
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'samples/**', 'test/fixtures/rules/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is shared by the CLI and the extension: it must never depend on the editor.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core must stay free of the vscode API.' }] }],
    },
  },
);
