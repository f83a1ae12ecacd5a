// Starts the real Worker under `wrangler dev` (workerd, local DO + R2 state) on a free
// port, for integration, e2e and bench runs. Each instance gets its own state dir, so
// runs never see each other's data. Not for the `worker` project (that runs in-pool).
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { exitOrKill } from "./child-exit.ts";

/**
 * wrangler dev's proxy answers a non-GET that was in flight while it swapped the Worker's
 * process with 503 "Your worker restarted mid-request. Please try sending the request again"
 * (wrangler's ProxyWorker; GETs it retries itself). That answer is the dev proxy's, not the
 * Worker's: a test sends the request again, as it says, a few times at most.
 */
export const PROXY_RESTARTED = "Your worker restarted mid-request";
export const PROXY_RESTART_RETRIES = 3;

export interface DevWorker {
  url: string; // http://<ip>:<port>, 127.0.0.1 unless DevWorkerOptions.ip says otherwise
  wsUrl: string; // ws://<ip>:<port>
  port: number;
  /** The wrangler CLI process; workerd runs under it. */
  pid: number;
  /** wrangler's DevTools proxy (CPU profiles of the Worker isolate). */
  inspectorPort: number;
  stop(): Promise<void>;
  /** Everything wrangler printed so far (for failure messages). */
  output(): string;
}

export interface DevWorkerOptions {
  vars?: Record<string, string>;
  /** Reuse a state dir (e.g. to restart over the same R2/DO data). */
  persistTo?: string;
  timeoutMs?: number;
  /**
   * Run from a copy of worker/, shared/, wrangler.toml, the tsconfig files and dist/public taken now
   * (benchmarks). wrangler dev restarts workerd whenever a file under its tree changes,
   * which drops every WebSocket; in a tree others edit, a run would measure a restart.
   */
  frozen?: boolean;
  /** Run this project directory instead of the repository (e.g. a bench's own Worker). */
  dir?: string;
  /** Path polled until it answers below 500. */
  readyPath?: string;
  /** Address to listen on instead of 127.0.0.1, e.g. a netlab bridge address so viewers in
   * namespaces reach the Worker over their capped links. */
  ip?: string;
  /** Also append everything wrangler prints to this file, so a process that did not start
   * the Worker (a test file given a project-wide Worker by globalSetup) can read it. */
  logFile?: string;
}

/** What a test file needs of a Worker another process started (vitest `provide`/`inject`). */
export interface SharedDevWorker {
  url: string;
  wsUrl: string;
  port: number;
  /** DevWorkerOptions.logFile of that Worker. */
  logFile: string;
}

/** A throwaway copy of the Worker as it is now, with node_modules linked, not copied. */
export function freezeWorker(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgeswarm-frozen-"));
  cpSync(join(ROOT, "worker"), join(dir, "worker"), { recursive: true });
  // The Worker imports the contracts it shares with the client from shared/.
  if (existsSync(join(ROOT, "shared"))) cpSync(join(ROOT, "shared"), join(dir, "shared"), { recursive: true });
  cpSync(join(ROOT, "wrangler.toml"), join(dir, "wrangler.toml"));
  // tsconfig.json and what it extends (esbuild reads them to bundle the Worker).
  for (const f of readdirSync(ROOT)) if (/^tsconfig.*\.json$/.test(f)) cpSync(join(ROOT, f), join(dir, f));
  if (existsSync(join(ROOT, "dist/public"))) cpSync(join(ROOT, "dist/public"), join(dir, "dist/public"), { recursive: true });
  else mkdirSync(join(dir, "dist/public"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/** A port free on `host` now (wrangler dev binds it a moment later). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

const ROOT = resolve(import.meta.dirname, "..");

export async function startDevWorker(opts: DevWorkerOptions = {}): Promise<DevWorker> {
  const ip = opts.ip ?? "127.0.0.1";
  const port = await freePort(ip);
  const inspectorPort = await freePort();
  const frozenDir = opts.frozen ? freezeWorker() : undefined;
  const cwd = opts.dir ?? frozenDir ?? ROOT;
  const ownState = !opts.persistTo;
  const persistTo = opts.persistTo ?? mkdtempSync(join(tmpdir(), "edgeswarm-state-"));
  const vars = { INGEST_TOKEN: "test-ingest-token", EDGESWARM_TEST_HOOKS: "1", ...opts.vars };
  const args = [
    join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "--ip",
    ip,
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persistTo,
    "--show-interactive-dev-session=false",
    "--log-level",
    "warn",
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  let log = "";
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Only the tail: a long benchmark must not grow this without bound.
  child.stdout?.on("data", (d) => (log = (log + String(d)).slice(-50_000)));
  child.stderr?.on("data", (d) => (log = (log + String(d)).slice(-50_000)));
  if (opts.logFile) {
    const file = createWriteStream(opts.logFile, { flags: "a" });
    // Two sources, one file: neither pipe may end it; the child's exit does.
    child.stdout?.pipe(file, { end: false });
    child.stderr?.pipe(file, { end: false });
    child.once("close", () => file.end());
  }
  // An IPv6 literal needs brackets in a URL.
  const url = `http://${ip.includes(":") ? `[${ip}]` : ip}:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await exitOrKill(child);
    }
    if (ownState) rmSync(persistTo, { recursive: true, force: true });
    if (frozenDir) rmSync(frozenDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited (${child.exitCode}):\n${log}`);
    }
    try {
      // A hung connection must not eat the whole start-up deadline.
      const r = await fetch(`${url}${opts.readyPath ?? "/api/tracker/stats"}`, { signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      if (r.status < 500) {
        return { url, wsUrl: url.replace("http", "ws"), port, pid: child.pid!, inspectorPort, stop, output: () => log };
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop();
  throw new Error(`wrangler dev did not become ready on ${url}:\n${log}`);
}
