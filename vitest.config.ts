import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    sequence: { shuffle: true },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // e2e suites spawn the built binary; build once before any suite runs.
    globalSetup: ['tests/global-setup.ts'],
    // Fails any test that opens a connection beyond 127.0.0.1.
    setupFiles: ['tests/setup/no-internet.ts'],
  },
});
