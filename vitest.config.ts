import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests spawn child processes and servers; two cores are shared, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
  },
});
