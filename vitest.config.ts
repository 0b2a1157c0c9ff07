import { defineConfig } from 'vitest/config';

/**
 * Files that assert a latency bound (100 ms live delivery, a responsive node under a sync
 * flood, 1 s access changes, kill -9 and outage recovery): they measure the server, so they
 * run after everything else, one at a time, instead of measuring a neighbour's PGlite.
 */
const TIMING = [
  'tests/collab/collab-rest-live.test.ts',
  'tests/collab/collab-durability.test.ts',
  'tests/collab/collab-outage.test.ts',
  'tests/collab/collab-hygiene.test.ts',
  'tests/collab/collab-redis.test.ts',
  'tests/collab/live-bounds.test.ts',
  'tests/collab/live-trust.test.ts',
  'tests/collab/live-comments.test.ts',
  'tests/api/startup.test.ts',
];

const shared = {
  globalSetup: ['tests/setup/global-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'parallel',
          include: ['tests/{unit,api,collab}/**/*.test.ts'],
          exclude: TIMING,
          // Two cores here: more workers only add PGlite start-up memory and contention.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'timing',
          include: TIMING,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
