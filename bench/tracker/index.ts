// `npm run bench:tracker`: the same closed-loop announce/offer/answer load (load.ts)
// against (a) the Worker's tracker under wrangler dev, one channel = one Durable Object,
// (a') the same Worker bundle under Miniflare without a debugger, and (b)
// bittorrent-tracker's own Server in a child Node process; prints tables with relay
// rate, latency, server CPU and memory, and the ratios to (b). A benchmark, not a
// test: it asserts nothing and always stops by itself.
//
// The machine is shared (2 cores, other builds running), so all servers are started
// up front and measured in alternating rounds (b a a', a' a b, ...): background load
// then hits them alike. Besides the raw rate, the table gives relayed messages per second of
// server CPU, which is what a dedicated core would deliver and is far less sensitive to
// contention than wall-clock rate.
//
// Flags: --peers N (300) --swarms N (10) --seconds N per round (8) --rounds N (3)
//        --warmup N (3) --offers N (5) --only worker|reference --rate-limit on|off (off)
//        --no-miniflare   skip (a'), the same Worker bundle under Miniflare without DevTools
//        --profile   after the rounds, break down where the Worker's CPU goes (see profile.ts,
//                    logic.ts, echo/): pure tracker code vs runtime floor vs isolate profile
import { spawn } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { startMiniflareWorker, startSnapshotWorker } from "./dev-snapshot.ts";
import { exampleSdp, percentile, runLoad, type LoadOptions, type LoadResult } from "./load.ts";
import { cpuSeconds, findDescendants, memKiB, sampleRss } from "./proc.ts";
import { runEcho } from "./echo-load.ts";
import { runLogic } from "./logic.ts";
import { profileWorker, summarize as summarizeProfile, type ProfileSummary } from "./profile.ts";
import { numberFlag as flag } from "../flags.ts";
import { exitOrKill } from "../../harness/child-exit.ts";

interface Sample {
  load: LoadResult;
  serverCpuS: number; // server CPU seconds spent during the measured window
}

interface Target {
  name: string;
  wsUrl(round: number): string;
  pids(): number[];
  stop(): Promise<void>;
  samples: Sample[];
  idleKiB: number;
  mem: { stop(): { peakKiB: number; hwmKiB: number } } | null;
  output?: () => string;
  inspectorPort?: number;
}

const targets: Target[] = [];

function only(): string | null {
  const i = process.argv.indexOf("--only");
  return i < 0 ? null : (process.argv[i + 1] ?? null);
}

const opts: LoadOptions = {
  peers: Math.min(flag("peers", 300), 5000),
  swarms: Math.max(1, Math.min(flag("swarms", 10), 1000)),
  offers: Math.min(flag("offers", 5), 10),
  warmupMs: flag("warmup", 3) * 1000,
  measureMs: Math.min(flag("seconds", 8), 600) * 1000,
  cycleTimeoutMs: 10_000,
};
const rounds = Math.min(flag("rounds", 3), 20);
const rateLimit = (() => {
  const i = process.argv.indexOf("--rate-limit");
  return i >= 0 && process.argv[i + 1] === "on";
})();
const log = (s: string) => process.stderr.write(`[bench:tracker] ${s}\n`);

// Hard stop: whatever hangs, the bench ends, and it takes its servers down with it.
const HARD_LIMIT_MS = 2 * rounds * (opts.warmupMs + opts.measureMs + 60_000) + 240_000;
const abort = (why: string, code: number) => {
  log(`${why}; stopping servers and exiting`);
  const stops = Promise.allSettled(targets.map((t) => t.stop()));
  void Promise.race([stops, new Promise((r) => setTimeout(r, 10_000))]).then(() => process.exit(code));
};
setTimeout(() => abort(`hard time limit (${HARD_LIMIT_MS} ms) reached`, 2), HARD_LIMIT_MS).unref();
process.once("SIGINT", () => abort("interrupted", 130));
process.once("SIGTERM", () => abort("terminated", 143));

async function measure(t: Target, round: number): Promise<void> {
  const load = await runLoad(t.wsUrl(round), opts, log, () => cpuSeconds(t.pids()));
  t.samples.push({ load, serverCpuS: load.serverCpuS });
  if (load.closedByServer > 0) {
    log(`${t.name}: the server closed ${load.closedByServer} sockets in round ${round}`);
    if (t.output) log(`server output (tail):\n${t.output().slice(-1500)}`);
  }
}

async function startWorker(): Promise<Target> {
  log(`starting wrangler dev on a frozen copy of worker/ (TRACKER_RATE_LIMIT=${rateLimit ? "on" : "off"})`);
  // The per-socket budgets (10 frames/s, 1 offer/s) would close every simulated peer
  // within a second at this load; bittorrent-tracker has none. Off by default so the
  // two are compared on relay work alone; --rate-limit on shows them engaged.
  const w = await startSnapshotWorker(rateLimit ? {} : { TRACKER_RATE_LIMIT: "off" });
  // workerd owns the port (wrangler's Node processes proxy nothing on this path), so
  // the server is the workerd process(es) under the wrangler CLI.
  const pids = () => findDescendants(w.pid, "workerd");
  if (pids().length === 0) log("warning: no workerd process found; memory/CPU will read 0");
  return {
    name: "(a) Worker tracker, 1 DO (wrangler dev)",
    // A fresh channel per round: each round meets a fresh Durable Object, as a new
    // stream would, and no state carries over between rounds.
    wsUrl: (r) => `${w.wsUrl}/announce/bench-r${r}`,
    pids,
    stop: w.stop,
    samples: [],
    idleKiB: 0,
    mem: null,
    output: w.output,
    inspectorPort: w.inspectorPort,
  };
}

async function startMiniflare(): Promise<Target> {
  log("starting the same Worker bundle under Miniflare (no DevTools session)");
  const m = await startMiniflareWorker(rateLimit ? {} : { TRACKER_RATE_LIMIT: "off" });
  if (m.pids().length === 0) log("warning: no workerd process found for Miniflare; memory/CPU will read 0");
  return {
    name: "(a') same Worker, Miniflare, no DevTools",
    wsUrl: (r) => `${m.wsUrl}/announce/bench-r${r}`,
    pids: m.pids,
    stop: m.stop,
    samples: [],
    idleKiB: 0,
    mem: null,
  };
}

async function startReference(echo = false): Promise<Target> {
  log(echo ? "starting a Node ws echo server in a child process" : "starting bittorrent-tracker Server in a child process");
  const child = spawn(process.execPath, [resolve(import.meta.dirname, "reference-server.mjs"), ...(echo ? ["--echo"] : [])], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.stdin!.end();
    await exitOrKill(child);
  };
  try {
    const port = await new Promise<number>((res, rej) => {
      const t = setTimeout(() => rej(new Error("reference server did not start")), 30_000);
      let buf = "";
      child.stdout!.on("data", (d) => {
        buf += d;
        const m = /\{"port":(\d+)\}/.exec(buf);
        if (m) {
          clearTimeout(t);
          res(Number(m[1]));
        }
      });
      child.once("exit", (c) => {
        clearTimeout(t);
        rej(new Error(`reference server exited (${c})`));
      });
    });
    const pid = child.pid!;
    return {
      name: "(b) bittorrent-tracker Server (node)",
      wsUrl: () => `ws://127.0.0.1:${port}`,
      pids: () => [pid],
      stop,
      samples: [],
      idleKiB: 0,
      mem: null,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

const relayedPerS = (l: LoadResult) => (l.offersDelivered + l.answersDelivered) / l.windowS;
const median = (xs: number[]) => percentile(xs, 0.5);

function table(header: string[], lines: string[][]): void {
  const all = [header, ...lines];
  const w = header.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
  const fmt = (l: string[]) => "| " + l.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(" | ") + " |";
  console.log(fmt(header));
  console.log("|" + w.map((n, i) => "-".repeat(n + 1) + (i === 0 ? "-|" : ":|")).join(""));
  for (const l of lines) console.log(fmt(l));
}

interface Summary {
  rate: number;
  perCpu: number;
  peakKiB: number;
}

function summarize(t: Target, mem: { peakKiB: number; hwmKiB: number }): { line: string[]; s: Summary } {
  const loads = t.samples.map((x) => x.load);
  const rates = loads.map(relayedPerS);
  const relayedTotal = loads.reduce((n, l) => n + l.offersDelivered + l.answersDelivered, 0);
  const windowTotal = loads.reduce((n, l) => n + l.windowS, 0);
  const serverCpu = t.samples.reduce((n, x) => n + x.serverCpuS, 0);
  const genCpu = loads.reduce((n, l) => n + l.genCpuS, 0);
  const offerLat = loads.flatMap((l) => l.offerLatencyMs);
  const answerLat = loads.flatMap((l) => l.answerLatencyMs);
  const perCpu = serverCpu > 0 ? relayedTotal / serverCpu : NaN;
  const ms = (x: number) => (Number.isNaN(x) ? "-" : x.toFixed(1));
  const mb = (k: number) => (k / 1024).toFixed(0);
  return {
    s: { rate: median(rates), perCpu, peakKiB: mem.peakKiB },
    line: [
      t.name,
      `${median(rates).toFixed(0)} (${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)})`,
      Number.isNaN(perCpu) ? "-" : perCpu.toFixed(0),
      ms(percentile(offerLat, 0.5)),
      ms(percentile(offerLat, 0.99)),
      ms(percentile(answerLat, 0.99)),
      ((serverCpu / windowTotal) * 100).toFixed(0),
      ((genCpu / windowTotal) * 100).toFixed(0),
      mb(t.idleKiB),
      mb(mem.peakKiB),
      String(loads.reduce((n, l) => n + l.stalledCycles, 0)),
      String(loads.reduce((n, l) => n + [...l.failures.values()].reduce((a, b) => a + b, 0), 0)),
    ],
  };
}

/** Frames the server handled (in + out) per relayed message, from the generator's counts. */
function framesPerRelayed(l: LoadResult): number {
  const inFrames = l.announces + l.offersDelivered; // announces + one answer per offer
  const outFrames = l.announces + l.offersDelivered + l.answersDelivered; // replies + offers + answers
  return (inFrames + outFrames) / (l.offersDelivered + l.answersDelivered);
}

async function whereTheTimeGoes(worker: Target, reference: Target, miniflare: Target | undefined): Promise<void> {
  const usPer = (t: Target) => {
    const relayed = t.samples.reduce((n, x) => n + x.load.offersDelivered + x.load.answersDelivered, 0);
    return (t.samples.reduce((n, x) => n + x.serverCpuS, 0) * 1e6) / relayed;
  };
  const fpr = median(worker.samples.map((x) => framesPerRelayed(x.load)));

  log("profile 1/3: the tracker's pure code (parse → handle → serialize) in plain Node");
  const logic = runLogic({ peers: opts.peers, swarms: opts.swarms, offers: opts.offers, sdp: exampleSdp("offer"), answerSdp: exampleSdp("answer"), ms: 5000 });

  log("profile 2/3: runtime floor, echo Durable Object (wrangler dev and Miniflare) vs Node ws echo (800-byte frames)");
  const echo = async (start: () => Promise<{ url: string; pids: () => number[]; stop: () => Promise<void> }>) => {
    const e = await start();
    try {
      return await runEcho(e.url, 100, 800, 2000, 6000, () => cpuSeconds(e.pids()));
    } finally {
      await e.stop();
    }
  };
  const echoDo = await echo(async () => {
    const w = await startSnapshotWorker({}, "echo");
    return { url: `${w.wsUrl}/`, pids: () => findDescendants(w.pid, "workerd"), stop: w.stop };
  });
  const echoMf = await echo(async () => {
    const m = await startMiniflareWorker({}, "echo");
    return { url: `${m.wsUrl}/`, pids: m.pids, stop: m.stop };
  });
  // Same, but the DO hands send() TextEncoder bytes instead of the JS string.
  const echoMfBytes = await echo(async () => {
    const m = await startMiniflareWorker({}, "echo");
    return { url: `${m.wsUrl}/bytes`, pids: m.pids, stop: m.stop };
  });
  const echoNode = await echo(async () => {
    const r = await startReference(true);
    return { url: r.wsUrl(0), pids: r.pids, stop: r.stop };
  });

  log("profile 3/3: CPU profile of the Worker isolate under the same load (5 s)");
  let prof: ProfileSummary | null = null;
  if (worker.inspectorPort) {
    const loadP = runLoad(worker.wsUrl(rounds + 1), { ...opts, warmupMs: 3000, measureMs: 8000 }, log);
    await new Promise((r) => setTimeout(r, 4000));
    try {
      prof = summarizeProfile(await profileWorker(worker.inspectorPort, 5000));
    } catch (err) {
      log(`profile failed: ${String(err)}`);
    }
    await loadP;
  }

  const f = (x: number) => x.toFixed(1);
  console.log(`\nWhere the time goes (server CPU µs per relayed message; ${f(fpr)} frames in+out per relayed message):\n`);
  const floor = (e: { serverCpuUsPerFrame: number }) => `${f(e.serverCpuUsPerFrame * fpr)} (${f(e.serverCpuUsPerFrame)}/frame)`;
  const cols: [string, Target | undefined, { serverCpuUsPerFrame: number }][] = [
    ["(a) Worker DO, wrangler dev", worker, echoDo],
    ["(a') Worker DO, Miniflare", miniflare, echoMf],
    ["(b) bittorrent-tracker", reference, echoNode],
  ];
  const shown = cols.filter((c) => c[1]);
  table(
    ["", ...shown.map((c) => c[0])],
    [
      ["measured in the rounds above", ...shown.map((c) => f(usPer(c[1]!)))],
      ["runtime floor: echo server µs/frame × frames", ...shown.map((c) => floor(c[2]))],
      [
        "tracker JS alone (plain Node): parse + handle + serialize",
        ...shown.map((c) =>
          c[0].startsWith("(b)") ? "-" : `${f(logic.usPerRelayed)} (${f(logic.phaseUs.parse)} + ${f(logic.phaseUs.handle)} + ${f(logic.phaseUs.serialize)})`,
        ),
      ],
      [
        "rest (isolate entry, glue, GC; not explained above)",
        ...shown.map((c) => f(usPer(c[1]!) - c[2].serverCpuUsPerFrame * fpr - (c[0].startsWith("(b)") ? 0 : logic.usPerRelayed))),
      ],
    ],
  );
  console.log(
    `\nEcho floor, frames/s (in+out, 100 sockets, closed loop): workerd DO under wrangler dev ${echoDo.framesPerS.toFixed(0)}, under Miniflare ${echoMf.framesPerS.toFixed(0)}, Node ws ${echoNode.framesPerS.toFixed(0)}`,
  );
  console.log(
    `Echo DO under Miniflare, CPU µs per frame: send(string) ${f(echoMf.serverCpuUsPerFrame)}, send(TextEncoder bytes) ${f(echoMfBytes.serverCpuUsPerFrame)}`,
  );
  if (prof) {
    console.log(`\nWorker isolate CPU profile (${(prof.totalMs / 1000).toFixed(1)} s sampled; % of samples, idle included):\n`);
    table(
      ["self time by category", "%"],
      prof.categories.slice(0, 10).map(([k, v]) => [k, ((100 * v) / prof!.totalMs).toFixed(1)]),
    );
    console.log("");
    table(
      ["top functions (bundled index.js lines)", "%"],
      prof.top.slice(0, 12).map(([k, v]) => [k, ((100 * v) / prof!.totalMs).toFixed(1)]),
    );
  }
}

const which = only();
console.log(
  `bench:tracker  peers=${opts.peers} swarms=${opts.swarms} offers/announce=${opts.offers} rounds=${rounds} × (warm-up ${opts.warmupMs / 1000}s + window ${opts.measureMs / 1000}s)  node ${process.version}, ${cpus().length} cores, loadavg ${loadavg()[0]!.toFixed(1)}\n`,
);
try {
  if (which !== "worker") targets.push(await startReference());
  if (which !== "reference") targets.push(await startWorker());
  if (which !== "reference" && !process.argv.includes("--no-miniflare")) targets.push(await startMiniflare());
  for (const t of targets) {
    t.idleKiB = t.pids().reduce((n, p) => n + memKiB(p).rss, 0);
    t.mem = sampleRss(t.pids);
  }
  // Alternate the order each round (b a a', a' a b, ...) so no target always runs
  // right after the same other one's cleanup.
  for (let r = 1; r <= rounds; r++) {
    const order = r % 2 === 1 ? targets : [...targets].reverse();
    for (const t of order) {
      log(`round ${r}/${rounds}: ${t.name}`);
      await measure(t, r);
    }
  }
  const mems = targets.map((t) => t.mem!.stop());

  console.log("Per round (relayed msg/s = offers + answers delivered to peers, per wall-clock second):\n");
  table(
    ["target", ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}`)],
    targets.map((t) => [t.name, ...t.samples.map((x) => `${relayedPerS(x.load).toFixed(0)} @ ${((x.serverCpuS / x.load.windowS) * 100).toFixed(0)}% CPU`)]),
  );
  console.log("\nSummary:\n");
  const sums = targets.map((t, i) => summarize(t, mems[i]!));
  table(
    [
      "target",
      "relayed msg/s median (min–max)",
      "msg per server CPU-s",
      "offer p50 ms",
      "offer p99 ms",
      "answer p99 ms",
      "server CPU %",
      "gen CPU %",
      "RSS idle MB",
      "RSS peak MB",
      "stalled",
      "failures",
    ],
    sums.map((x) => x.line),
  );
  const ref = targets.findIndex((t) => t.name.startsWith("(b)"));
  if (ref >= 0) {
    const b = sums[ref]!.s;
    console.log("");
    targets.forEach((t, i) => {
      if (i === ref) return;
      const a = sums[i]!.s;
      const tag = t.name.slice(0, t.name.indexOf(")") + 1);
      console.log(
        `ratio ${tag}/(b): relayed msg/s ${(a.rate / b.rate).toFixed(2)}×, msg per server CPU-second ${(a.perCpu / b.perCpu).toFixed(2)}×, peak RSS ${(a.peakKiB / b.peakKiB).toFixed(2)}×   (goal: rate ≥ 2×)`,
      );
    });
  }
  for (const t of targets) {
    const fails = new Map<string, number>();
    let errs = 0;
    let closed = 0;
    for (const { load } of t.samples) {
      for (const [k, v] of load.failures) fails.set(k, (fails.get(k) ?? 0) + v);
      errs += load.socketErrors;
      closed += load.closedByServer;
    }
    for (const [k, v] of fails) console.log(`${t.name}: failure "${k}" × ${v}`);
    if (errs || closed) console.log(`${t.name}: socket errors ${errs}, closed by server ${closed}`);
  }
  const tw = targets.find((t) => t.name.startsWith("(a)"));
  const tb = targets.find((t) => t.name.startsWith("(b)"));
  const tm = targets.find((t) => t.name.startsWith("(a')"));
  if (process.argv.includes("--profile") && tw && tb) await whereTheTimeGoes(tw, tb, tm);
} finally {
  for (const t of targets) await t.stop();
}
process.exit(0);
