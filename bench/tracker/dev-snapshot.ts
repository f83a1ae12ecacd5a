// Starts the Worker for benchmarking from a frozen copy of its source: under `wrangler
// dev` (target a), or bundled and run by Miniflare without a debugger (target a'); also
// the echo Worker for the runtime floor. Why a copy: wrangler
// dev rebuilds and restarts workerd whenever a source file changes, which drops every
// WebSocket; in a working tree where others are committing, a bench round would then
// measure a restart. The copy (worker/, wrangler.toml, tsconfig.json, an empty assets
// dir; node_modules symlinked) pins the code measured to the moment the bench started.
// Not a test helper: tests use test/helpers/wrangler-dev.ts on the live tree.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { freePort } from "../../test/helpers/wrangler-dev.ts";
import { findDescendants } from "./proc.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export interface SnapshotWorker {
  wsUrl: string;
  port: number;
  pid: number; // the wrangler CLI process; workerd runs under it
  inspectorPort: number; // wrangler's DevTools proxy (CPU profiles of the Worker isolate)
  stop(): Promise<void>;
  output(): string;
}

/**
 * "tracker": the project's Worker (worker/ + wrangler.toml). "echo": the runtime-floor
 * Worker in bench/tracker/echo/, whose DO sends every frame back.
 */
function snapshotTracker(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgeswarm-bench-"));
  cpSync(join(ROOT, "worker"), join(dir, "worker"), { recursive: true });
  cpSync(join(ROOT, "wrangler.toml"), join(dir, "wrangler.toml"));
  cpSync(join(ROOT, "tsconfig.json"), join(dir, "tsconfig.json"));
  mkdirSync(join(dir, "dist/public"), { recursive: true }); // the tracker needs no assets
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

function snapshotEcho(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgeswarm-bench-"));
  cpSync(join(ROOT, "bench/tracker/echo"), dir, { recursive: true });
  cpSync(join(ROOT, "tsconfig.json"), join(dir, "tsconfig.json"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

export interface MiniflareWorker { wsUrl: string; pids(): number[]; stop(): Promise<void> }

/**
 * The same Worker, bundled by wrangler (`deploy --dry-run`) and served by Miniflare's
 * workerd with no DevTools session. wrangler dev always attaches its inspector proxy to
 * workerd, and V8 runs slower with a debugger attached; this target shows how much of
 * the local cost is that, rather than the Durable Object runtime.
 */
export async function startMiniflareWorker(vars: Record<string, string>, kind: "tracker" | "echo" = "tracker"): Promise<MiniflareWorker> {
  const dir = kind === "tracker" ? snapshotTracker() : snapshotEcho();
  const out = join(dir, "bundle");
  let mf: Miniflare | undefined;
  const port = await freePort();
  try {
    execFileSync(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", out], {
      cwd: dir, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" }, stdio: "ignore", timeout: 120_000,
    });
    // The bundle is named after `main` (index.js for the tracker, worker.js for echo).
    const script = readdirSync(out).find((f) => f.endsWith(".js"));
    if (!script) throw new Error(`wrangler produced no bundle in ${out}`);
    const { workerOptions } = unstable_getMiniflareWorkerOptions(join(dir, "wrangler.toml"));
    mf = new Miniflare({
      ...workerOptions,
      modules: true, scriptPath: join(out, script), modulesRoot: out,
      bindings: { ...workerOptions.bindings, ...(kind === "tracker" ? { INGEST_TOKEN: "bench-ingest-token" } : {}), ...vars },
      host: "127.0.0.1", port,
    } as ConstructorParameters<typeof Miniflare>[0]);
    await mf.ready;
  } catch (err) {
    // A failed start must not leave the copy (or a half-started workerd) behind.
    await mf?.dispose().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const live = mf;
  const pids = () => findDescendants(process.pid, "workerd").filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(`:${port}`);
    } catch {
      return false;
    }
  });
  return {
    wsUrl: `ws://127.0.0.1:${port}`, pids,
    stop: async () => { await live.dispose(); rmSync(dir, { recursive: true, force: true }); },
  };
}

export async function startSnapshotWorker(vars: Record<string, string>, kind: "tracker" | "echo" = "tracker", timeoutMs = 120_000): Promise<SnapshotWorker> {
  const dir = kind === "tracker" ? snapshotTracker() : snapshotEcho();
  const port = await freePort();
  const inspectorPort = await freePort();
  const allVars = { INGEST_TOKEN: "bench-ingest-token", ...vars };
  const child = spawn(process.execPath, [
    join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "dev",
    "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort),
    "--persist-to", join(dir, "state"), "--show-interactive-dev-session=false", "--log-level", "warn",
    ...Object.entries(allVars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ], {
    cwd: dir,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await new Promise<void>((r) => {
        const t = setTimeout(() => { child.kill("SIGKILL"); r(); }, 5000);
        child.once("exit", () => { clearTimeout(t); r(); });
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited (${child.exitCode}):\n${log}`);
    }
    try {
      const r = await fetch(kind === "tracker" ? `${url}/api/tracker/stats` : url, { signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      if (r.status < 500) return { wsUrl: `ws://127.0.0.1:${port}`, port, pid: child.pid!, inspectorPort, stop, output: () => log };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop();
  throw new Error(`wrangler dev did not become ready on ${url}:\n${log}`);
}
