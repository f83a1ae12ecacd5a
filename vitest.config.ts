// One `npm test`, several projects:
//   unit        – pure logic in Node (test/unit/**), mirrors worker/ and client/
//   worker      – the Worker inside workerd via @cloudflare/vitest-pool-workers (test/worker/**)
//   integration – real processes: wrangler dev, ffmpeg, node-datachannel WebRTC peers (test/integration/**)
//   e2e         – real headless Chromium viewers (test/e2e/**)
import { defineConfig } from "vitest/config";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          // Projects run one group after another: cheap and certain first, browsers last.
          sequence: { groupOrder: 0 },
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: { INGEST_TOKEN: "test-ingest-token", EDGESWARM_TEST_HOOKS: "1" },
            },
          }),
        ],
        test: {
          name: "worker",
          sequence: { groupOrder: 1 },
          include: ["test/worker/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          environment: "node",
          sequence: { groupOrder: 2 },
          include: ["test/integration/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One wrangler dev with the default configuration for every file that needs no
          // other (provide("devWorker")); the rest start their own.
          globalSetup: ["test/integration/global-setup.ts"],
          // Two files at once is all 2 cores take.
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          sequence: { groupOrder: 3 },
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
