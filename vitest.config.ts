import { defineConfig } from 'vitest/config';

// One run covers every workspace; each workspace's own vitest.config.ts says how its tests run.
export default defineConfig({
  test: {
    projects: ['protocol', 'secrets', 'testing', 'functions', 'admin-api', 'web'],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
