import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineProject } from 'vitest/config';

// Unit tests for the web app's plain modules. The Svelte plugin alone (not the SvelteKit one)
// compiles `.svelte.ts` runes: SvelteKit's plugin resolves its files from the working
// directory, which is the repo root when `vitest --project web` runs there.
export default defineProject({
  plugins: [svelte({ configFile: false })],
  test: {
    name: 'web',
    // Unit tests beside the code; end-to-end tests (e2e/) drive Chromium against a whole stack.
    include: ['src/**/*.test.ts', 'e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 180_000,
  },
});
