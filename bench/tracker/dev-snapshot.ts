// Starts the Worker for benchmarking from a frozen copy of its source (freezeWorker in
// harness/dev-worker.ts says why): under `wrangler dev` (target a), or bundled and
// run by Miniflare without a debugger (target a'); also the echo Worker for the runtime
// floor.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { freePort, freezeWorker, startDevWorker, type DevWorker } from "../../harness/dev-worker.ts";
import { findDescendants } from "./proc.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/** wrangler dev on a frozen copy: `pid` is the wrangler CLI (workerd runs under it). */
export type SnapshotWorker = DevWorker;

/** The runtime-floor Worker in bench/tracker/echo/, whose DO sends every frame back. */
function snapshotEcho(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgeswarm-bench-"));
  cpSync(join(ROOT, "bench/tracker/echo"), dir, { recursive: true });
  // The root tsconfig extends tsconfig.base.json; copy both so esbuild finds the base.
  for (const f of ["tsconfig.json", "tsconfig.base.json"]) cpSync(join(ROOT, f), join(dir, f));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

export interface MiniflareWorker {
  wsUrl: string;
  pids(): number[];
  stop(): Promise<void>;
}

/**
 * The same Worker, bundled by wrangler (`deploy --dry-run`) and served by Miniflare's
 * workerd with no DevTools session. wrangler dev always attaches its inspector proxy to
 * workerd, and V8 runs slower with a debugger attached; this target shows how much of
 * the local cost is that, rather than the Durable Object runtime.
 */
export async function startMiniflareWorker(vars: Record<string, string>, kind: "tracker" | "echo" = "tracker"): Promise<MiniflareWorker> {
  const dir = kind === "tracker" ? freezeWorker() : snapshotEcho();
  const out = join(dir, "bundle");
  let mf: Miniflare | undefined;
  const port = await freePort();
  try {
    execFileSync(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", out], {
      cwd: dir,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
      stdio: "ignore",
      timeout: 120_000,
    });
    // The bundle is named after `main` (index.js for the tracker, worker.js for echo).
    const script = readdirSync(out).find((f) => f.endsWith(".js"));
    if (!script) throw new Error(`wrangler produced no bundle in ${out}`);
    const { workerOptions } = unstable_getMiniflareWorkerOptions(join(dir, "wrangler.toml"));
    mf = new Miniflare({
      ...workerOptions,
      modules: true,
      scriptPath: join(out, script),
      modulesRoot: out,
      bindings: { ...workerOptions.bindings, ...(kind === "tracker" ? { INGEST_TOKEN: "bench-ingest-token" } : {}), ...vars },
      host: "127.0.0.1",
      port,
    } as ConstructorParameters<typeof Miniflare>[0]);
    await mf.ready;
  } catch (err) {
    // A failed start must not leave the copy (or a half-started workerd) behind.
    await mf?.dispose().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const live = mf;
  const pids = () =>
    findDescendants(process.pid, "workerd").filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(`:${port}`);
      } catch {
        return false;
      }
    });
  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    pids,
    stop: async () => {
      await live.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startSnapshotWorker(vars: Record<string, string>, kind: "tracker" | "echo" = "tracker", timeoutMs = 120_000): Promise<SnapshotWorker> {
  const noHooks = { EDGESWARM_TEST_HOOKS: "0", ...vars };
  if (kind === "tracker") return startDevWorker({ frozen: true, vars: noHooks, timeoutMs });
  const dir = snapshotEcho();
  try {
    const w = await startDevWorker({ dir, vars: noHooks, timeoutMs, readyPath: "/" });
    return {
      ...w,
      stop: async () => {
        await w.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
