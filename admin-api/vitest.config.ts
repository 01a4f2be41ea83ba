import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'admin-api',
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // Postgres and Redis for the run: the machine's, or started for it (testing/src/test-services.ts).
    globalSetup: ['../testing/src/vitest-services.ts'],
  },
});
