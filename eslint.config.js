// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The dependency rule of DESIGN.md, mirrored here so an editor flags a wrong import before tsc does. */
const layer = (files, forbidden) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((group) => ({ group: [group], message: 'Crosses the dependency rule in DESIGN.md.' })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/', '.tsbuild/', 'dist/', 'out/', 'artifacts/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': true }],
      'no-console': 'off',
    },
  },
  // shared/sync is shared's own folder: only the top-level sync/ (two levels up from a shared file) is out of bounds.
  layer(['shared/**'], ['**/renderer/**', '**/electron/**', '../../sync/**', '../../../sync/**', 'node:*', 'electron']),
  layer(['renderer/**'], ['**/electron/**', '**/sync/**', 'node:*', 'electron']),
  layer(['electron/**', 'sync/client/**'], ['**/renderer/**']),
  layer(['sync/client/**'], ['electron', '**/electron/**', '**/sync/server/**']),
  layer(['sync/server/**'], ['electron', '**/electron/**', '**/renderer/**', '**/sync/client/**']),
  // Main-process services and the browser-mode bridge also run in plain Node (browser mode, tests): no Electron,
  // and nothing from the Electron shell (main/, preload/) that might.
  {
    files: ['electron/services/**', 'electron/bridge/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'electron/services and electron/bridge run in plain Node too.' }],
          patterns: [
            { group: ['electron/*'], message: 'electron/services and electron/bridge run in plain Node too.' },
            {
              group: ['**/renderer/**', '**/main/**', '**/preload/**'],
              message: 'Crosses the dependency rule in DESIGN.md (services and bridge stay plain Node).',
            },
          ],
        },
      ],
    },
  },
);
