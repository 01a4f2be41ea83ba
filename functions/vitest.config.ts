import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'functions',
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // Postgres and Redis for the run: the machine's, or started for it (testing/src/test-services.ts).
    globalSetup: ['../testing/src/vitest-services.ts'],
    // Most tests run the functions outside the emulator and without Redis, which a deployed
    // instance refuses (shared-store.ts): they say that per-instance limits are meant. The
    // tests of that refusal take the setting away again.
    env: { ALLOW_PER_INSTANCE_LIMITS: 'true' },
  },
});
