// `npm run bench:abuse`: replays issue 14's floods (H1 swarm squat, M1 report flood, M2 socket
// flood, L1 claim flood) one after another against a fresh `wrangler dev`, each from one
// address (floods.ts FLOOD_ADDRESS), and prints what an honest pair of viewers of the same
// channel saw meanwhile: announce round trip, peers, P2P and HTTP bytes, stalls, whether their
// reports were accepted and counted in /api/stats; then the flood's own counters (what the
// Worker answered it). The first row is the control, with no flood. A benchmark: it asserts
// nothing (test/integration/abuse.test.ts asserts the goal at a smaller size).
// Not replayed: M3/M4 (upstream mode needs a Worker with UPSTREAM_ORIGIN and an origin of its
// own; test/integration/origin-upstream.test.ts covers them), M5-M7 (not floods).
//
// Flags: --watch S (30): seconds both viewers play after the second joined
//        --only H1,M1: run only these rows (control is always run)
//        --scale X (1): multiply every flood size and rate
//        --repeat N (1): run each flood row N times (the control once)
import { startDevWorker } from "../../harness/dev-worker.ts";
import { startMeteringProxy } from "../../harness/metering-proxy.ts";
import { startTrackerTap } from "../../harness/abuse/tracker-tap.ts";
import { viewerInfoHash } from "../../harness/abuse/swarm-hash.ts";
import { FLOOD_ADDRESS, describeCounters } from "../../harness/abuse/floods.ts";
import { LIVE_MASTER, percentile, reportsCounted } from "../../harness/abuse/honest-pair.ts";
import { FLOOD_KINDS, FLOOD_TITLES, runRow, type FloodKind, type FloodSizes, type RowResult } from "../../harness/abuse/scenarios.ts";
import { parseMasterPlaylist } from "../../harness/virtual-viewer/hls-playlist.ts";
import { markdownTable } from "../swarm/table.ts";
import { numberFlag } from "../flags.ts";

const WATCH_MS = numberFlag("watch", 30) * 1000;
const SCALE = numberFlag("scale", 1);
const onlyArg = process.argv[process.argv.indexOf("--only") + 1];
const ONLY = process.argv.includes("--only") && onlyArg ? new Set(onlyArg.split(",")) : undefined;
const REPEAT = numberFlag("repeat", 1);
const KINDS = FLOOD_KINDS.filter((k) => k === "control" || !ONLY || ONLY.has(k)).flatMap((k) => (k === "control" ? [k] : Array<FloodKind>(REPEAT).fill(k)));

const n = (x: number) => Math.max(1, Math.round(x * SCALE));
/** The issue's figures where it gave them (63 sockets × 16 peer_ids; 2,000 reports in 10.9 s;
 * 1,000 sockets in 6.9 s), spread so each flood still runs through the whole watch. */
const SIZES: FloodSizes = {
  squat: { sockets: n(63), peersPerSocket: 16, ratePerS: n(25), reannounceMs: 20_000 },
  reports: { count: n(6000), ratePerS: n(180) },
  sockets: { count: n(1000), ratePerS: n(145), reopenMs: 1000 },
  claims: { count: n(3000), ratePerS: n(90) },
};

const kib = (b: number) => (b / 1024).toFixed(0);
const ms = (x: number | undefined) => (x === undefined ? "n/a" : x.toFixed(1));

function summarize(r: RowResult): string[] {
  const v = r.pair.viewers;
  const rtts = v.flatMap((x) => x.rttMs);
  const statuses = v.map((x) => {
    const counts = new Map<number, number>();
    for (const s of x.reportStatuses) counts.set(s, (counts.get(s) ?? 0) + 1);
    return [...counts].map(([s, k]) => `${k}×${s}`).join(" ");
  });
  return [
    FLOOD_TITLES[r.kind],
    `${ms(percentile(rtts, 0.5))} / ${ms(percentile(rtts, 1))} (${rtts.length})`,
    v.map((x) => `${x.stats.peersConnected}`).join(" / "),
    v.map((x) => `${x.offersIn}`).join(" / "),
    v.map((x) => kib(x.stats.p2pBytes)).join(" / "),
    v.map((x) => kib(x.httpSegmentBytes)).join(" / "),
    v.map((x) => String(x.stats.stalls)).join(" / "),
    statuses.join(" / "),
    reportsCounted(r.pair) ? `yes (${r.pair.stream?.viewers ?? 0} viewers)` : `NO (${JSON.stringify(r.pair.stream ?? null)})`,
  ];
}

async function main(): Promise<void> {
  const started = new Date();
  const worker = await startDevWorker({ frozen: true, timeoutMs: 150_000 });
  const meter = await startMeteringProxy({ target: worker.url });
  const tap = await startTrackerTap(worker.wsUrl);
  const rows: RowResult[] = [];
  try {
    const masterUrl = `${meter.url}${LIVE_MASTER}`;
    const infoHash = await viewerInfoHash(masterUrl);
    const master = await fetch(`${worker.url}${LIVE_MASTER}`).then((r) => r.text());
    const variants = parseMasterPlaylist(master, `${worker.url}${LIVE_MASTER}`);
    if (!variants.ok) throw new Error(variants.reason);
    const top = [...variants.value].sort((a, b) => a.bandwidth - b.bandwidth).at(-1)!;
    for (const [i, kind] of KINDS.entries()) {
      // A prefix per row: a repeated flood gets fresh channels and viewer names too.
      const prefix = `ab${Date.now().toString(36)}${i}`;
      const r = await runRow(
        kind,
        {
          workerUrl: worker.url,
          wsUrl: worker.wsUrl,
          meter,
          tap,
          infoHash,
          mediaPlaylistUrl: top.uri,
          prefix,
          joinGapMs: 2000,
          watchMs: WATCH_MS,
          leadMs: 3000,
        },
        SIZES,
      );
      rows.push(r);
      const hashes = new Set(r.pair.viewers.map((x) => x.infoHash));
      const aimed = hashes.size === 1 && hashes.has(infoHash);
      console.error(`${FLOOD_TITLES[kind]} done${aimed ? "" : ` (viewers announced ${[...hashes].join(",")}, flood aimed at ${infoHash})`}`);
    }
  } finally {
    await tap.stop();
    await meter.stop();
    await worker.stop();
  }
  console.log(
    `# bench:abuse ${started.toISOString()}: 2 honest Node viewers (node-datachannel WebRTC, EdgeSwarm core config, SHA-256 check, edge seeding) of /live/loop/, 2 s apart, ${WATCH_MS / 1000} s watched; floods from ${FLOOD_ADDRESS}, viewers from loopback`,
  );
  console.log(`# sizes: ${JSON.stringify(SIZES)}`);
  console.log();
  console.log(
    markdownTable(
      [
        "flood",
        "announce RTT ms p50 / max (n)",
        "peers a / b",
        "offers got a / b",
        "P2P KiB a / b",
        "HTTP seg KiB a / b",
        "stalls a / b",
        "reports a / b (count×status)",
        "counted in /api/stats",
      ],
      rows.map(summarize),
    ),
  );
  console.log();
  for (const r of rows) {
    if (!r.flood) continue;
    console.log(`- ${FLOOD_TITLES[r.kind]}: ${describeCounters(r.flood)}${r.floodOutlasted ? " (still sending when the watch ended)" : ""}`);
    for (const [k, e] of Object.entries(r.flood.errors)) console.log(`    ${k}: ${e}`);
  }
  const problems = rows.flatMap((r) => r.pair.viewers.flatMap((v) => v.failures.map((f) => `${r.kind} ${v.id}: ${f}`)));
  if (problems.length) console.log(`\ntracker failures the honest viewers got: ${problems.slice(0, 20).join("; ")}`);
  const refused = rows.flatMap((r) => r.pair.viewers.flatMap((v) => v.reportRefusals.map((f) => `${r.kind} ${v.id}: ${f}`)));
  if (refused.length) console.log(`\nhonest reports refused: ${refused.slice(0, 20).join("; ")}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
