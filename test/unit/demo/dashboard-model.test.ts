import { describe, expect, it } from "vitest";
import { parseStats, parseTrackerStats } from "../../../demo/src/api";
import { dashboardView } from "../../../demo/src/dashboard-model";

// Shapes as worker/stats/report.ts (StatsReply) and worker/tracker/stats.ts serve them.
const statsReply = {
  generatedAt: 1700000000000,
  streams: [
    {
      stream: "loop",
      viewers: 2,
      peers: 2,
      httpBytes: 3000,
      p2pBytes: 7000,
      uploadedBytes: 6500,
      offload: 0.7,
      bytesSaved: 7000,
      errors: { "p2p-hash-mismatch": 1, "http-failed": 0 },
    },
    { stream: "sample", viewers: 0, peers: 0, httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, offload: 0, bytesSaved: 0, errors: {} },
  ],
  totals: { viewers: 2, peers: 2, httpBytes: 3000, p2pBytes: 7000, uploadedBytes: 6500, offload: 0.7, bytesSaved: 7000, errors: {} },
};
const trackerReply = (announce: number, offers: number) => ({
  scope: "global",
  shards: 2,
  truncated: false,
  swarms: 3,
  peers: 5,
  sockets: 3,
  messages: { announce, offerRelayed: offers, failure: 0 },
  perShard: [
    { shard: "loop#0", channel: "loop", swarms: 2, peers: 4, sockets: 2, messages: { announce: announce - 1, offerRelayed: offers } },
    { shard: "loop#1", channel: "loop", swarms: 1, peers: 1, sockets: 1, messages: { announce: 1, offerRelayed: 0 } },
  ],
});

describe("dashboardView", () => {
  const stats = parseStats(statsReply);
  const t1 = parseTrackerStats(trackerReply(10, 4));
  const t2 = parseTrackerStats(trackerReply(40, 10));
  if (!stats.ok || !t1.ok || !t2.ok) throw new Error("fixtures must parse");

  it("joins viewer reports and tracker channels by stream name, busiest first", () => {
    const v = dashboardView(null, { at: 0, stats: stats.value, tracker: t1.value });
    expect(v.rows.map((r) => [r.stream, r.viewers, r.trackerPeers, r.rejected])).toEqual([
      ["loop", 2, 5, 1],
      ["sample", 0, null, 0],
    ]);
    expect(v.messageRates).toBeNull();
    expect(v.rows[0]!.trackerRate).toBeNull();
  });
  it("derives message rates from two polls, overall and per channel", () => {
    const a = { at: 0, stats: stats.value, tracker: t1.value };
    const b = { at: 3000, stats: stats.value, tracker: t2.value };
    const v = dashboardView(a, b);
    expect(v.messageRates).toEqual({ announce: 10, offerRelayed: 2, failure: 0 });
    expect(v.messageRateTotal).toBe(12);
    expect(v.rows[0]!.trackerRate).toBe(12);
    expect(v.byteRates).toEqual({ http: 0, p2p: 0 });
  });
  it("lists a channel the tracker knows even before any viewer reported", () => {
    const v = dashboardView(null, { at: 0, stats: null, tracker: t1.value });
    expect(v.rows.map((r) => [r.stream, r.viewers, r.trackerPeers])).toEqual([["loop", 0, 5]]);
  });
});
