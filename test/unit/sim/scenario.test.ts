// Small deterministic scenarios whose outcome is derived by hand (see each comment), run
// through the same shard model `npm run sim` uses.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_NETWORK, MBIT } from "../../../sim/network";
import { ObjectLoad } from "../../../sim/objects";
import { edgeswarm, edgeswarmOneUpload } from "../../../sim/policies/edgeswarm";
import { stock, STOCK_DEFAULTS } from "../../../sim/policies/stock";
import { HTTP_CAUSES, runShard, type ShardInput } from "../../../sim/swarm";
import type { ViewerSpec } from "../../../sim/viewer";

const D = 4,
  B = 30,
  SEG = 3 * MBIT * D,
  HORIZON = 60;

/** Two viewers on 100 Mbit/s links, joining at 0 s and 1 s, staying to the end. */
function twoViewers(): ViewerSpec[] {
  const link = { upBps: 100 * MBIT, downBps: 100 * MBIT };
  return [
    { id: 0, key: 1, joinS: 0, leaveS: HORIZON + B, ...link },
    { id: 1, key: 2, joinS: 1, leaveS: HORIZON + B, ...link },
  ];
}

function shard(policy: ShardInput["policy"], allConnectable: boolean, load = new ObjectLoad(HORIZON + B + 2)): ShardInput {
  return {
    name: "t",
    leaseName: "t/lease",
    viewers: twoViewers(),
    policy,
    seed: 7,
    load,
    swarmCap: Infinity,
    allConnectable,
    stream: { segmentS: D, segmentBytes: SEG, budgetS: B, horizonS: HORIZON },
    net: { ...DEFAULT_NETWORK, unconnectableShare: allConnectable ? 0 : 1 },
  };
}

describe("sim scenario: two viewers, 60 s of 4 s segments, 30 s budget", () => {
  // Segments 0..14 are published at 0, 4, …, 56 s, deadlines 30 … 86 s. Both viewers start at
  // segment 0 (deadline 30 ≥ join + 1 s) and stay past 86 s: each plays 15, 30 in all.
  it("delivers every segment to both, once each, without a stall", () => {
    const r = runShard(shard(edgeswarm, true));
    expect(r.played).toBe(30);
    expect(r.p2pBytes + r.httpBytes).toBe(30 * SEG);
    expect(r.stalls).toBe(0);
  });

  it("moves nothing peer to peer when the pair cannot connect", () => {
    const r = runShard(shard(stock, false));
    expect(r.played).toBe(30);
    expect(r.p2pBytes).toBe(0);
    expect(r.httpBytes).toBe(30 * SEG);
  });

  // EdgeSwarm: segment 0 is published at 0 s, before either viewer is there; each loads it at
  // once over HTTP on joining (2 copies, no claim). Neither asks the edge nor serves a peer
  // before its uplink probe answers (client/seeding.ts). Its third segment comes only at its
  // fallback (28 s on), so the probe starts 10 s after the first segment: viewer 0 is found
  // fast at ~11 s, viewer 1 at ~12 s. Segments 1 and 2 (published 4 and 8 s) have no claimer,
  // and each viewer fetches both at its fallback (32 s: the joining window for segment 1,
  // the steady 6 s for segment 2), 4 copies. Segment 3 (12 s) has one claimer, viewer 0
  // (viewer 1's probe answers just after), which wins, fetches and relays it. The first
  // plan (15 s) hands out roles: segments 4..14 are fetched once each by their class's
  // fetcher, without a claim, and relayed. So: 1 claim, 12 copies fetched by claim or role,
  // 18 HTTP copies in all, 12 relayed copies.
  it("claims once its uplink probe answers, until a viewer is proven, then fetches each segment once by role, and relays it", () => {
    const load = new ObjectLoad(HORIZON + B + 2);
    const r = runShard(shard(edgeswarm, true, load));
    expect(load.totals.claims).toBe(1);
    expect(r.fetcherBytes).toBe(12 * SEG);
    expect(r.httpBytes).toBe(18 * SEG);
    expect(r.p2pBytes).toBe(12 * SEG);
  });

  // The same run, its HTTP bytes by cause: the 2 first segments, the 4 fallbacks of segments
  // 1 and 2, the claim's winner, the 11 role fetches; nothing else.
  it("attributes every HTTP byte to one cause, and the causes add up to the HTTP bytes", () => {
    const r = runShard(shard(edgeswarm, true));
    const by = Object.fromEntries(HTTP_CAUSES.map((c, i) => [c, r.httpByCause[i]! / SEG]));
    expect(by).toEqual({ fetcher: 11, claim: 1, first: 2, joining: 0, fallback: 4, random: 0 });
    expect(r.httpByCause.reduce((a, b) => a + b, 0)).toBe(r.httpBytes);
  });

  // Stock: 15 s high-demand window, so a segment is fetched over HTTP 15 s before its deadline
  // unless a peer gave it earlier; with one peer, random HTTP fetches any segment neither
  // holds, so at most one HTTP copy per segment can be avoided: offload ≤ 0.5.
  it("drives each viewer's upload slots with what its uploads showed: fast uplinks serve several at once, slow ones one", () => {
    // 30 viewers joining 1 s apart, half on 100 Mbit/s uplinks, half on 5, and a 12 s budget:
    // every new segment has many askers and 6 s before their fallback, so a fast holder's
    // slots fill; with one upload at a time for everyone (the build before upload slots) the
    // fast half relays a copy per 1.2 s and more falls back to HTTP (seed 7: 0.83 vs 0.62).
    const viewers: ViewerSpec[] = Array.from({ length: 30 }, (_, i) => ({
      id: i,
      key: i + 1,
      joinS: i,
      leaveS: HORIZON + B,
      upBps: (i % 2 ? 5 : 100) * MBIT,
      downBps: 200 * MBIT,
    }));
    const base = { ...shard(edgeswarm, true), viewers, stream: { segmentS: D, segmentBytes: SEG, budgetS: 12, horizonS: HORIZON } };
    const slots = runShard(base);
    const one = runShard({ ...base, policy: edgeswarmOneUpload, load: new ObjectLoad(HORIZON + B + 2) });
    const offload = (r: typeof slots) => r.p2pBytes / (r.p2pBytes + r.httpBytes);
    expect(slots.stalls).toBe(0);
    expect(offload(slots)).toBeGreaterThan(offload(one) + 0.1);
    expect(slots.p2pBytes + slots.httpBytes).toBe(one.p2pBytes + one.httpBytes);
  });

  // Both on 0.3 Mbit/s uplinks for a 3 Mbit/s stream: their probes read 0.1 of the stream's
  // rate, below WEAK_UPLINK.share, so neither ever claims, is given a role or serves the other
  // (client/claim-policy.ts SlowUplink); every segment comes over HTTP, each viewer its own 15.
  // Without the probe the same pair claims from the start.
  it("keeps a viewer whose probed uplink is below half the stream's rate from claiming and serving", () => {
    const weak = twoViewers().map((v) => ({ ...v, upBps: 0.3 * MBIT }));
    const load = new ObjectLoad(HORIZON + B + 2);
    const r = runShard({ ...shard(edgeswarm, true, load), viewers: weak });
    expect(load.totals.claims).toBe(0);
    expect(r.fetcherBytes).toBe(0);
    expect(r.p2pBytes).toBe(0);
    expect(r.httpBytes).toBe(30 * SEG);
    expect(r.stalls).toBe(0);
    const unprobed = new ObjectLoad(HORIZON + B + 2);
    runShard({ ...shard({ ...edgeswarm, uplinkProbe: undefined }, true, unprobed), viewers: weak });
    expect(unprobed.totals.claims).toBeGreaterThan(0);
  });

  it("stock offload stays at or below one copy in two", () => {
    const r = runShard(shard(stock, true));
    expect(r.p2pBytes / (r.p2pBytes + r.httpBytes)).toBeLessThanOrEqual(0.5);
    expect(r.played).toBe(30);
  });

  it("is deterministic for a seed", () => {
    const a = runShard(shard(stock, true)),
      b = runShard(shard(stock, true));
    expect([a.p2pBytes, a.httpBytes, a.events]).toEqual([b.p2pBytes, b.httpBytes, b.events]);
  });
});

describe("sim stock policy", () => {
  it("uses p2p-media-loader-core 2.3.1's own defaults", () => {
    const src = readFileSync(new URL("../../../node_modules/p2p-media-loader-core/src/core.ts", import.meta.url), "utf8");
    for (const [k, v] of Object.entries(STOCK_DEFAULTS)) expect(src).toMatch(new RegExp(`\\b${k}: ${v},`));
    const loader = readFileSync(new URL("../../../node_modules/p2p-media-loader-core/src/hybrid-loader.ts", import.meta.url), "utf8");
    expect(loader).toMatch(/PEER_UPDATE_LATENCY = 1000;/);
  });
});
