// `npm run bench:swarm`: offload measured at the origin, EdgeSwarm beside stock, on the same
// stream in the same run. Starts the Worker (wrangler dev on a frozen copy, own state dir), bittorrent-tracker's
// Server for the stock variants, and one metering proxy per variant in front of the origin;
// runs the variants one after another and prints per-viewer and total tables. On loopback, or
// (`--net <profile>`, browser mode) with every viewer in its own network namespace on capped
// links (harness/netlab), the servers on the lab's bridge and the page either a secure context
// (http://127.0.0.1 through a forwarder inside the namespace) or, with `--http`, plain
// http://<bridge address>. Bounded by a hard deadline; everything it started, namespaces
// included, is stopped at the end.
// It is a benchmark, not a test: it asserts nothing and its numbers depend on the machine.
import { netlabSupport, openNetLab, type NetLab } from "../../harness/netlab/index.ts";
import { startMeteringProxy, type MeteringProxy } from "../../harness/metering-proxy.ts";
import { startStockTracker, type StockTracker } from "../../harness/stock-tracker.ts";
import { channelOf, parseArgs, USAGE, type BenchOptions } from "./args.ts";
import { startFallbackOrigin, type FallbackOrigin } from "./fallback-origin.ts";
import { startDevWorker, type DevWorker } from "../../harness/dev-worker.ts";
import { nodeDriver, runVariant, type ViewerDriver } from "./run-variant.ts";
import { BrowserDriver } from "./browser-driver.ts";
import { copiesHistogram, shortTag, stallTimeline, totalsTable, viewerTable } from "./table.ts";
import { buildVariant, type VariantSpec } from "./variants.ts";
import { invariantLines, type TotalRow } from "./offload.ts";

const log = (msg: string) => process.stdout.write(msg + "\n");

interface Driver {
  name: string;
  forVariant: (spec: VariantSpec) => ViewerDriver;
  close: () => Promise<void>;
}

/** The viewers' driver: its name and close() for the run, and one ViewerDriver per variant. */
function driverFor(opts: BenchOptions, lab: NetLab | undefined, scriptUrl: string | undefined, meter: MeteringProxy): Driver {
  if (opts.mode === "browser") {
    // One Chromium for the whole run and one context per viewer; in the lab one Chromium
    // per viewer, inside its namespace (browser-driver.ts). The meter serves their pages.
    const browser = new BrowserDriver({ serve: meter.serve, ...(lab ? { hosts: lab.hosts } : {}), ...(scriptUrl ? { scriptUrl } : {}) });
    return { name: browser.name, forVariant: (spec) => browser.forVariant(spec), close: () => browser.close() };
  }
  return { name: nodeDriver.name, forVariant: () => nodeDriver, close: () => nodeDriver.close() };
}

/** "cable (3/50 Mbit/s up/down per viewer)": the lab's links as the tables' header says them. */
function describeLab(lab: NetLab, plainHttp: boolean): string {
  const links = [...new Set(lab.hosts.map((h) => `${h.caps.upKbit / 1000}/${h.caps.downKbit / 1000}`))].join(", ");
  const page = plainHttp ? `plain http://${lab.bridgeIp} page (no secure context)` : "secure page (http://127.0.0.1 forwarded inside each namespace)";
  return `network lab ${lab.profile}: each viewer in its own namespace, links ${links} Mbit/s up/down${lab.profile === "blocked" ? ", viewers cannot reach each other" : ""}; ${page}`;
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`${parsed.reason}\n${USAGE}\n`);
    return 2;
  }
  const opts = parsed.opts;
  if (opts.net) {
    const support = netlabSupport();
    if (!support.ok) {
      process.stderr.write(`bench:swarm: --net needs the network lab, which is unavailable here: ${support.reason}\n`);
      return 2;
    }
  }
  let driver: Driver | undefined;
  let lab: NetLab | undefined;
  const perVariantS = opts.duration + opts.viewers * opts.spacing + 60;
  const deadline = setTimeout(
    () => {
      process.stderr.write("bench:swarm: hard deadline passed, aborting\n");
      void cleanup().finally(() => process.exit(3));
    },
    (opts.variants.length * perVariantS + 240) * 1000,
  );
  deadline.unref();

  let worker: DevWorker | undefined;
  let fallback: FallbackOrigin | undefined;
  let stock: StockTracker | undefined;
  let meter: MeteringProxy | undefined;
  const cleanup = async () => {
    // Chromium first: its pages hold sockets to the meter, the trackers and the Worker.
    await driver?.close().catch(() => {});
    await meter?.stop().catch(() => {});
    await stock?.stop().catch(() => {});
    await fallback?.stop().catch(() => {});
    await worker?.stop().catch(() => {});
    // Last: the namespaces' forwarders hold connections to the servers above.
    await lab?.close().catch(() => {});
    stock = undefined;
    fallback = undefined;
    worker = undefined;
    meter = undefined;
    lab = undefined;
  };
  // p2p-media-loader-core 2.3.1 can reject a promise nobody awaits (http-loader.ts
  // handleError on a request that already succeeded: "Request has been already succeed").
  // A browser logs that and plays on; Node would exit. Count it, like the console would.
  const coreRejections: string[] = [];
  process.on("unhandledRejection", (e) => {
    coreRejections.push(e instanceof Error ? e.message : String(e));
  });
  // Anything else that escapes must still stop wrangler dev: an orphaned workerd keeps a
  // port and a core busy on a machine others share.
  process.once("uncaughtException", (e) => {
    process.stderr.write(`bench:swarm: uncaught ${e.stack ?? e.message}\n`);
    void cleanup().finally(() => process.exit(1));
  });
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    if (opts.net) {
      log(`opening the network lab (${opts.net}, ${opts.viewers} namespaces)…`);
      lab = await openNetLab({ profile: opts.net, viewers: opts.viewers });
    }
    // Servers listen where the viewers are: the lab's bridge, or loopback.
    const listenIp = lab?.bridgeIp ?? "127.0.0.1";
    const needWorker = opts.variants.some((v) => v === "edgeswarm" || v === "p2p-off") || opts.origin !== "fallback";
    if (needWorker) {
      log("starting the Worker (wrangler dev on a frozen copy of worker/ and dist/public)…");
      // A frozen copy: wrangler dev restarts (dropping every tracker socket) when the tree changes.
      worker = await startDevWorker({
        frozen: true,
        ip: listenIp,
        timeoutMs: 120_000,
        vars: { INGEST_TOKEN: "bench-ingest-token", EDGESWARM_TEST_HOOKS: "0" },
      });
    }
    let originUrl: string;
    let originNote: string;
    const probe = worker
      ? await fetch(`${worker.url}${opts.stream}`)
          .then(async (r) => {
            await r.arrayBuffer();
            return r.status;
          })
          .catch(() => 0)
      : 0;
    if (opts.origin === "worker" || (opts.origin === "auto" && probe === 200)) {
      if (probe !== 200) throw new Error(`the Worker answers ${probe} for ${opts.stream}`);
      originUrl = worker!.url;
      originNote = `Worker (wrangler dev) ${opts.stream}`;
    } else {
      if (lab) throw new Error(`--net runs against the Worker's own stream; it answers ${probe} for ${opts.stream}`);
      fallback = await startFallbackOrigin();
      originUrl = fallback.url;
      originNote = `FALLBACK origin (bench's ffmpeg stand-in; the Worker answered ${probe} for ${opts.stream})`;
    }
    if (opts.variants.some((v) => v === "stock" || v === "stock-tuned")) stock = await startStockTracker({ host: listenIp });
    const channel = channelOf(opts.stream);
    // One meter for the run, reset by each variant (runVariant).
    meter = await startMeteringProxy({ target: originUrl, host: listenIp });
    // The address pages use for the meter, the Worker and the stock tracker: on loopback and
    // on a secure lab page 127.0.0.1 (in the lab, a forwarder inside each namespace carries
    // it to the bridge over the capped link); on a plain lab page the bridge address.
    const pageHost = lab && opts.plainHttp ? lab.bridgeIp : "127.0.0.1";
    if (lab && !opts.plainHttp) {
      const ports = [meter.port, ...(worker ? [worker.port] : []), ...(stock ? [stock.port] : [])];
      await Promise.all(lab.hosts.map((h) => h.forward(ports)));
    }
    driver = driverFor(opts, lab, worker ? `${worker.url}/edgeswarm.js` : undefined, meter);

    log(
      `\nswarm bench: ${opts.viewers} viewers, ${opts.spacing} s apart, ${opts.duration} s after the last join, ` +
        `mode ${driver.name}, rendition ${opts.rendition}${opts.startStep > 0 ? `, viewer i starts i × ${opts.startStep} s into the video` : ""}`,
    );
    if (lab) log(describeLab(lab, opts.plainHttp));
    log(`origin: ${originNote}; offload metered at the origin side (metering proxy), aborted responses included\n`);

    const results: { variant: string; total: TotalRow; source: string }[] = [];
    for (const name of opts.variants) {
      const spec = buildVariant(name, channel);
      const trackerUrl = spec.tracker === "worker" ? `ws://${pageHost}:${worker!.port}/announce/${channel}` : `ws://${pageHost}:${stock!.port}`;
      log(
        `== ${name}: config ${spec.configSource}; tracker ${spec.tracker === "worker" ? "Worker /announce/" + channel : "bittorrent-tracker Server"}; integrity ${spec.integrity ? "SHA-256" : "off"}`,
      );
      const framesBefore = spec.tracker === "worker" ? await trackerFrames(worker!.url, channel) : undefined;
      const res = await runVariant({
        spec,
        masterUrl: `http://${pageHost}:${meter.port}${opts.stream}`,
        meter,
        trackerUrl,
        viewers: opts.viewers,
        spacing: opts.spacing,
        startStep: opts.startStep,
        duration: opts.duration,
        rendition: opts.rendition,
        driver: driver.forVariant(spec),
        log,
      });
      log(viewerTable(res.rows));
      for (const f of res.startFailures) log(`  start failure: ${f}`);
      const problems = res.stats.flatMap((s) => s.problems.map((p) => `${s.id}: ${p}`));
      for (const p of problems.slice(0, 10)) log(`  ${p}`);
      if (problems.length > 10) log(`  … ${problems.length - 10} more problems`);
      const seeds = res.stats.filter((s) => s.seed).map((s) => `${s.id.slice(-2)} ${s.seed!.granted}/${s.seed!.denied}/${s.seed!.handed}/${s.seed!.failed}`);
      if (seeds.length) log(`  edge claims per viewer (granted/denied/handed over/failed): ${seeds.join(", ")}`);
      if (framesBefore) {
        const after = await trackerFrames(worker!.url, channel);
        const d = (k: string) => (after?.[k] ?? 0) - (framesBefore[k] ?? 0);
        log(`  tracker frames received: announce ${d("announce")}, es_report ${d("report")} (fetcher roles are planned from these)`);
      }
      const peers = res.stats.map((s) => s.peakPeers);
      const full = meter.snapshot();
      const snap = full.total;
      log(
        `  peak peers per viewer: ${peers.join(" ")}; playlist KiB metered: ${(snap.playlist.bytes / 1024).toFixed(0)}; live jumps ${res.stats.reduce((a, s) => a + s.liveJumps, 0)}; wall ${res.wallSeconds.toFixed(0)} s`,
      );
      log(
        `  origin latency (request → last byte): segments max ${snap.segment.maxMs} ms, ${snap.segment.slow}/${snap.segment.requests} over 1 s; ` +
          `playlists max ${snap.playlist.maxMs} ms, ${snap.playlist.slow}/${snap.playlist.requests} over 1 s`,
      );
      log(`  HTTP copies per segment (responses with bytes per segment path; ideal 1×): ${copiesHistogram(full.segmentCopiesByPath) || "none"}`);
      const top = Object.entries(full.segmentCopiesByPath)
        .sort((a, b) => b[1].length - a[1].length)
        .slice(0, 3);
      if (top.length) log(`  most-fetched segments: ${top.map(([path, tags]) => `${path} ${tags.length}× (${tags.map(shortTag).join(" ")})`).join(", ")}`);
      if (process.env.BENCH_COPIES === "1") {
        for (const [path, tags] of Object.entries(full.segmentCopiesByPath).sort()) log(`    ${path} ${tags.map(shortTag).join(" ")}`);
      }
      const timeline = stallTimeline(
        res.stats.flatMap((s) => s.stallLog),
        res.t0,
      );
      if (timeline) log(`  stalls began (s after first join): ${timeline}`);
      log("");
      if (opts.json) log(JSON.stringify({ variant: name, rows: res.rows, total: res.total }));
      if (coreRejections.length) {
        log(
          `  unhandled promise rejections (a browser logs these and plays on): ${coreRejections.length} (${[...new Set(coreRejections)].slice(0, 3).join("; ")})`,
        );
        coreRejections.length = 0;
      }
      results.push({ variant: name, total: res.total, source: spec.configSource });
    }
    log("== totals");
    if (lab) log(describeLab(lab, opts.plainHttp));
    log(totalsTable(results));
    for (const r of results) log(`  ${r.variant}: ${r.source}`);
    for (const line of invariantLines(results)) log(line);
    return 0;
  } finally {
    await cleanup();
    clearTimeout(deadline);
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench:swarm failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);

/** The tracker's message counters for one channel (GET /api/tracker/stats), or {} when unreadable. */
async function trackerFrames(workerUrl: string, channel: string): Promise<Record<string, number>> {
  try {
    const r = await fetch(`${workerUrl}/api/tracker/stats?channel=${encodeURIComponent(channel)}`);
    const body = (await r.json()) as { messages?: Record<string, number> };
    return body.messages ?? {};
  } catch {
    return {};
  }
}
