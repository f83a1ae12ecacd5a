// Issue 14's floods replayed over real processes against the project's shared Worker (H1 swarm
// squat, M1 report flood, M2 socket flood, L1 claim flood), each from one address
// (harness/abuse/floods.ts FLOOD_ADDRESS, CF-Connecting-IP as Cloudflare's edge would set it),
// at a smaller size than `npm run bench:abuse`. During each, an honest pair of Node viewers of
// the same channel (real node-datachannel WebRTC, SHA-256 check) must still get a peer and
// verified P2P bytes with 0 stalls, and its reports must be accepted and counted; and the flood
// itself must have been refused. M3/M4 (upstream mode) need their own Worker and origin:
// origin-upstream.test.ts. Each flood has its own channel (rows keep apart; no other file
// uses these channels); all play the built-in live stream.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startMeteringProxy, type MeteringProxy } from "../../harness/metering-proxy.ts";
import { startTrackerTap, type TrackerTap } from "../../harness/abuse/tracker-tap.ts";
import { viewerInfoHash } from "../../harness/abuse/swarm-hash.ts";
import { describeCounters } from "../../harness/abuse/floods.ts";
import { LIVE_MASTER, reportsCounted } from "../../harness/abuse/honest-pair.ts";
import { runRow, type FloodKind, type FloodSizes, type RowContext, type RowResult } from "../../harness/abuse/scenarios.ts";
import { parseMasterPlaylist } from "../../harness/virtual-viewer/hls-playlist.ts";
import { MAX_PEERS_PER_SOCKET_PER_SWARM, MAX_SOCKETS_PER_IP } from "../../worker/tracker/limits.ts";

const worker = inject("devWorker");
// Scenario timing, not waits for an event: the flood's head start, the gap between the two
// viewers' joins, and how long both then play (stalls and bytes are counted over it).
const LEAD_MS = 2000;
const JOIN_GAP_MS = 2000;
const WATCH_MS = 15_000;
// Each flood outnumbers what one address may hold, and still runs when the watch ends.
const SIZES: FloodSizes = {
  squat: { sockets: MAX_SOCKETS_PER_IP + 10, peersPerSocket: 4, ratePerS: 30, reannounceMs: 10_000 },
  reports: { count: 1500, ratePerS: 60 },
  sockets: { count: MAX_SOCKETS_PER_IP + 40, ratePerS: 40, reopenMs: 1000 },
  claims: { count: 1000, ratePerS: 40 },
};

let meter: MeteringProxy;
let tap: TrackerTap;
let ctx: RowContext;

beforeAll(async () => {
  meter = await startMeteringProxy({ target: worker.url });
  tap = await startTrackerTap(worker.wsUrl);
  const master = await fetch(`${worker.url}${LIVE_MASTER}`).then((r) => r.text());
  const variants = parseMasterPlaylist(master, `${worker.url}${LIVE_MASTER}`);
  if (!variants.ok) throw new Error(variants.reason);
  ctx = {
    workerUrl: worker.url,
    wsUrl: worker.wsUrl,
    meter,
    tap,
    infoHash: await viewerInfoHash(`${meter.url}${LIVE_MASTER}`),
    mediaPlaylistUrl: [...variants.value].sort((a, b) => a.bandwidth - b.bandwidth).at(-1)!.uri,
    prefix: `abuse-${Date.now().toString(36)}`,
    joinGapMs: JOIN_GAP_MS,
    watchMs: WATCH_MS,
    leadMs: LEAD_MS,
  };
});

afterAll(async () => {
  await tap?.stop();
  await meter?.stop();
});

/** The goal of issue 14, for one row: the honest pair was served as if nothing happened. */
function expectHonestPairServed(r: RowResult): void {
  const v = r.pair.viewers;
  const why = JSON.stringify({
    flood: r.flood && describeCounters(r.flood),
    viewers: v.map((x) => ({
      id: x.id,
      peers: x.stats.peersConnected,
      p2p: x.stats.p2pBytes,
      stalls: x.stats.stalls,
      stallMs: x.stats.stallMs,
      startupMs: x.stats.startupMs,
      reports: x.reportStatuses,
      refusals: x.reportRefusals,
      failures: x.failures,
      problems: x.stats.problems,
    })),
    stream: r.pair.stream,
  });
  expect(v, why).toHaveLength(2);
  // The flood aimed at the swarm the viewers really joined.
  expect(
    v.map((x) => x.infoHash),
    why,
  ).toEqual([ctx.infoHash, ctx.infoHash]);
  for (const x of v) {
    expect(x.stats.segmentsBuffered, why).toBeGreaterThan(3);
    expect(x.stats.stalls, why).toBe(0);
    expect(x.stats.peersConnected, why).toBeGreaterThanOrEqual(1);
    expect(x.stats.corruptPlayed, why).toBe(0);
    expect(x.rttMs.length, why).toBeGreaterThan(0);
    // Accepted: its last report (the final totals, retried as the client retries) got 200.
    expect(x.reportStatuses.at(-1), why).toBe(200);
  }
  // Verified P2P bytes (integrity is on: a peer segment counts only after its SHA-256 matched).
  expect(v[0]!.stats.p2pBytes + v[1]!.stats.p2pBytes, why).toBeGreaterThan(0);
  // Counted: /api/stats for the channel is exactly the pair's accepted reports.
  expect(reportsCounted(r.pair), why).toBe(true);
}

async function row(kind: FloodKind): Promise<RowResult> {
  const r = await runRow(kind, ctx, SIZES);
  expectHonestPairServed(r);
  return r;
}

describe("under each of issue 14's floods from one address, an honest pair of the same channel is still served", () => {
  it("H1: a squat of many sockets × peer_ids in the viewers' swarm is capped per socket and per address; the pair still meets, plays on, reports counted", async () => {
    // The pair meets because the tracker spreads each announce's offers over client addresses
    // (swarm.ts spreadTargets): before, the 40 mute fakes took ~36 of every 41 offers.
    const f = (await row("H1")).flood!;
    const why = describeCounters(f);
    expect(f.counts["upgrade 429"], why).toBe(SIZES.squat.sockets - MAX_SOCKETS_PER_IP);
    expect(f.counts["upgrade 101"], why).toBe(MAX_SOCKETS_PER_IP);
    expect(f.counts["announce ok"], why).toBe(MAX_SOCKETS_PER_IP * MAX_PEERS_PER_SOCKET_PER_SWARM);
    expect(f.counts["failure: too many peers of one swarm on one connection"], why).toBe(
      MAX_SOCKETS_PER_IP * (SIZES.squat.peersPerSocket - MAX_PEERS_PER_SOCKET_PER_SWARM),
    );
  });

  it("M1: reports for invented viewers and streams are refused (403 unseen, then 429), none counted", async () => {
    const f = (await row("M1")).flood!;
    const why = describeCounters(f);
    expect(f.counts["report 200"], why).toBeUndefined();
    expect(f.counts["report 403"] ?? 0, why).toBeGreaterThan(0);
    expect(f.counts["report 429"] ?? 0, why).toBeGreaterThan(0);
  });

  it("M2: idle sockets past the per-address cap get 429 { error }", async () => {
    const f = (await row("M2")).flood!;
    const why = describeCounters(f);
    expect(f.counts["upgrade 101"], why).toBe(MAX_SOCKETS_PER_IP);
    expect(f.counts["upgrade 429"] ?? 0, why).toBeGreaterThanOrEqual(SIZES.sockets.count - MAX_SOCKETS_PER_IP);
  });

  it("L1: claims for invented and future segments are never granted, even from an address the tracker saw", async () => {
    const f = (await row("L1")).flood!;
    const why = describeCounters(f);
    expect(
      Object.keys(f.counts).filter((k) => k.includes("granted")),
      why,
    ).toEqual([]);
    expect(f.counts["claim 404 -"] ?? 0, why).toBeGreaterThan(0);
  });
});
