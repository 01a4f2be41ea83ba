// One lint config for every workspace: typescript-eslint's recommended rules, Svelte's, and
// Prettier owning all formatting.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

/**
 * A workspace's folders in layers, top first: a module may import from its own layer and the
 * layers below it, never from one above (tests, which may reach anything, excepted).
 */
function layers(root, order) {
  return order.slice(1).map((folders, i) => ({
    files: folders.map((folder) => `${root}/src/${folder}/**/*.ts`),
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: order.slice(0, i + 1).flatMap((above) =>
            above.map((folder) => ({
              group: [`**/${folder}/*`],
              message: `${root}/src/${folders.join(', ')} sit below ${folder}/: import downwards only (eslint.config.js has the layers).`,
            })),
          ),
        },
      ],
    },
  }));
}

export default ts.config(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      'functions/lib/',
      'functions/deploy/',
      '**/build/',
      '**/.svelte-kit/',
      '.run/',
      'artifacts/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  // Surfaces → the call pipeline → the gateway and the stores it records into → providers,
  // limits, auth and telemetry.
  ...layers('functions', [
    ['v1', 'callables', 'dev'],
    ['call'],
    ['gateway', 'conversations', 'usage'],
    ['providers', 'limits', 'auth', 'telemetry'],
  ]),
  // The admin API's three tiers under its HTTP layer: routes → domain → data, and lib below.
  ...layers('admin-api', [['routes', 'http', 'openapi', 'dev'], ['domain'], ['data'], ['lib']]),
);
