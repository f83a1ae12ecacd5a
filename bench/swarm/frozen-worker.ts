// The Worker for the swarm bench: `wrangler dev` on a frozen copy of the source and the
// built assets. wrangler dev rebuilds and restarts workerd whenever a file under the tree
// changes, which drops every tracker WebSocket, and p2p-media-loader reconnects only after
// minutes; in a working tree others commit to, a bench run would then measure a restart.
// The copy (worker/, wrangler.toml, tsconfig.json, dist/public with the built-in sample;
// node_modules symlinked) pins what is measured to the moment the bench started.
// (bench/tracker/dev-snapshot.ts does the same for the tracker bench, without assets.)
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../../test/helpers/wrangler-dev.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export interface FrozenWorker {
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
  output(): string;
}

export async function startFrozenWorker(timeoutMs = 120_000): Promise<FrozenWorker> {
  const dir = mkdtempSync(join(tmpdir(), "edgeswarm-swarm-bench-"));
  cpSync(join(ROOT, "worker"), join(dir, "worker"), { recursive: true });
  cpSync(join(ROOT, "wrangler.toml"), join(dir, "wrangler.toml"));
  cpSync(join(ROOT, "tsconfig.json"), join(dir, "tsconfig.json"));
  if (existsSync(join(ROOT, "dist/public"))) cpSync(join(ROOT, "dist/public"), join(dir, "dist/public"), { recursive: true });
  else mkdirSync(join(dir, "dist/public"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  const port = await freePort();
  const inspectorPort = await freePort();
  const child = spawn(process.execPath, [
    join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "dev",
    "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort),
    "--persist-to", join(dir, "state"), "--show-interactive-dev-session=false", "--log-level", "warn",
    "--var", "INGEST_TOKEN:bench-ingest-token",
  ], {
    cwd: dir,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (d) => (log = (log + String(d)).slice(-20_000)));
  child.stderr?.on("data", (d) => (log = (log + String(d)).slice(-20_000)));
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
      const r = await fetch(`${url}/api/tracker/stats`, { signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      if (r.status < 500) return { url, wsUrl: `ws://127.0.0.1:${port}`, stop, output: () => log };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop();
  throw new Error(`wrangler dev did not become ready on ${url}:\n${log}`);
}
