// Starts, once for the whole integration project, the costly process most of its files
// need: one `wrangler dev` with the default configuration, handed to the files with
// `provide("devWorker")` (read with `inject("devWorker")`). Files that need another
// configuration (live-ingest's DVR window, origin-upstream's upstream mode) start their own.
// Files sharing it keep apart by names: each uses its own streams and tracker channels.
// Does not build anything: dist/public must exist (`npm test` builds it first).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startDevWorker, type SharedDevWorker } from "../../harness/dev-worker.ts";

declare module "vitest" {
  export interface ProvidedContext {
    devWorker: SharedDevWorker;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), "edgeswarm-shared-worker-"));
  const logFile = join(dir, "wrangler.log");
  // Frozen: it lives for the whole project, and wrangler dev in a tree others edit restarts
  // (or its esbuild watcher crashes) on their saves. 150 s: the start-up deadline
  // tracker-clients gave its own Worker on these 2 busy cores.
  const worker = await startDevWorker({ frozen: true, timeoutMs: 150_000, logFile });
  project.provide("devWorker", { url: worker.url, wsUrl: worker.wsUrl, port: worker.port, logFile });
  return async () => {
    await worker.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
