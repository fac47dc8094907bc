import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Integration tests drive real Chromium and Redis: per-test limits only catch a hang
    // (CI runs about twice slower than a workstation; speed lives in the benchmarks),
    // and no more parallel files than this machine has cores.
    testTimeout: 240_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // The JSON report lets .ci/run print a plain 'N passed, N failed' closing line.
    reporters: ['default', ['json', { outputFile: '.proweb/test-results.json' }]],
  },
});
