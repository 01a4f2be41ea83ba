import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import type { Plugin } from 'vite';
import { defineProject } from 'vitest/config';

// Svelte's browser build for the component tests (jsdom runs in Vite's `client` environment),
// and only for them: the node-environment tests (stores, e2e) keep resolving as before.
// svelteTesting's own `resolveBrowser` would add the `browser` condition to both environments.
const browserConditionForDom: Plugin = {
  name: 'web:browser-condition-for-dom',
  configEnvironment(name, options) {
    if (name !== 'client') return;
    const conditions = options.resolve?.conditions ?? [];
    options.resolve = {
      ...options.resolve,
      conditions: ['browser', ...conditions.filter((condition) => condition !== 'browser')],
    };
  },
};

// Unit tests for the web app's modules and components. The Svelte plugin alone (not the SvelteKit one)
// compiles `.svelte.ts` runes: SvelteKit's plugin resolves its files from the working
// directory, which is the repo root when `vitest --project web` runs there.
export default defineProject({
  plugins: [
    svelte({ configFile: false }),
    // Compiles Testing Library's own `.svelte.js` files (they must not be externalized).
    svelteTesting({ resolveBrowser: false, autoCleanup: false }),
    browserConditionForDom,
  ],
  test: {
    name: 'web',
    // Unit tests beside the code; end-to-end tests (e2e/) drive Chromium against a whole stack.
    // Component tests (`*.component.test.ts`) choose jsdom with a `@vitest-environment` comment.
    include: ['src/**/*.test.ts', 'e2e/**/*.e2e.test.ts'],
    environment: 'node',
    // Testing Library's setup and cleanup, and <dialog> for jsdom; a no-op without a DOM.
    setupFiles: ['./vitest.setup.ts'],
    // Stops the run with one message when its e2e tests would find no Chromium.
    globalSetup: ['../testing/src/vitest-chromium.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
  },
});
