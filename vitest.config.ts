import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Budgets for a loaded machine (two cores shared with other work, ten times slower than a
    // quiet one): a test that hangs still fails, one that is merely slow does not. Tests that
    // start child processes one after another set their own budget (test/support/spawnTs.ts).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Tests spawn child processes and servers; two cores are shared, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
  },
});
