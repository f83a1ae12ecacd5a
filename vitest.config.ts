// One `npm test`, several projects:
//   unit        – pure logic in Node (test/unit/**), mirrors worker/ and client/
//   worker      – the Worker inside workerd via @cloudflare/vitest-pool-workers (test/worker/**)
//   integration – real processes: wrangler dev, ffmpeg, node-datachannel WebRTC peers (test/integration/**)
//   swarm       – the integration files whose Node viewers count stalls (MEASURED), one at a time
//   e2e         – real headless Chromium viewers (test/e2e/**)
import { configDefaults, defineConfig } from "vitest/config";
import type { InlineConfig } from "vitest/node";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";

// Integration files whose virtual viewers play by the wall clock and must not stall. A second
// file on the 2 cores (ffmpeg, another swarm, a tracker suite) takes CPU their viewers and the
// Worker need, so a stall there says as much about the machine as about the swarm (the CI of
// c9da208 saw one honest viewer of an abuse row stall once; that row passed 4 of 4 runs alone
// and 2 of 2 full integration runs after it). They run in a project of their own, one file at
// a time, after the rest of the integration project.
const MEASURED = ["test/integration/abuse.test.ts", "test/integration/swarm-node.test.ts"];
const INTEGRATION: InlineConfig = {
  environment: "node",
  testTimeout: 120_000,
  hookTimeout: 180_000,
  // One wrangler dev with the default configuration for every file that needs no
  // other (provide("devWorker")); the rest start their own.
  globalSetup: ["test/integration/global-setup.ts"],
};

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
          ...INTEGRATION,
          name: "integration",
          sequence: { groupOrder: 2 },
          include: ["test/integration/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...MEASURED],
          // Two files at once is all 2 cores take.
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
      {
        test: {
          ...INTEGRATION,
          name: "swarm",
          sequence: { groupOrder: 3 },
          include: MEASURED,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          sequence: { groupOrder: 4 },
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
