import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Simulated runs are CPU-bound; a generous budget keeps slow CI machines from failing tests
    // that are correct (speed is measured by `npm run bench`, never by timed tests).
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
