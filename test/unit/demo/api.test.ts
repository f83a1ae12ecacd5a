import { describe, expect, it } from "vitest";
import { parseStats, parseTrackerStats, sumFigures } from "../../../demo/src/api";

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

describe("parseStats", () => {
  it("reads the Worker's reply", () => {
    const r = parseStats(statsReply);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.streams[0]).toMatchObject({ stream: "loop", viewers: 2, p2pBytes: 7000, offload: 0.7 });
    expect(r.value.streams[0]!.errors).toEqual({ "p2p-hash-mismatch": 1, "http-failed": 0 });
  });
  it("shows offload as unknown (null) for a stream with no bytes, not as 0%", () => {
    const r = parseStats(statsReply);
    expect(r.ok && r.value.streams[1]!.offload).toBeNull();
  });
  it.each([
    [null, "not a JSON object"],
    ["<html>502</html>", "not a JSON object"],
    [[1, 2], "not a JSON object"],
    [{ totals: {} }, "no streams list"],
  ])("refuses %j with a reason", (raw, reason) => {
    const r = parseStats(raw);
    expect(r).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });
  it("skips malformed stream entries and zeroes bad numbers instead of failing the page", () => {
    const r = parseStats({ streams: [null, { stream: "" }, { stream: "x", viewers: -3, httpBytes: "9", p2pBytes: Infinity }], totals: null });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.streams).toEqual([
      { stream: "x", viewers: 0, peers: 0, httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, offload: null, bytesSaved: 0, errors: {} },
    ]);
    // No totals in the reply: summed from the streams.
    expect(r.value.totals.viewers).toBe(0);
  });
});

describe("sumFigures", () => {
  it("recomputes offload from summed bytes, not as an average of ratios", () => {
    const t = sumFigures([
      { stream: "a", viewers: 1, peers: 0, httpBytes: 900, p2pBytes: 100, uploadedBytes: 0, offload: 0.1, bytesSaved: 100, errors: { x: 1 } },
      { stream: "b", viewers: 1, peers: 0, httpBytes: 0, p2pBytes: 9000, uploadedBytes: 0, offload: 1, bytesSaved: 9000, errors: { x: 2 } },
    ]);
    expect(t.offload).toBeCloseTo(0.91, 5);
    expect(t.errors).toEqual({ x: 3 });
  });
});

describe("parseTrackerStats", () => {
  it("sums shards of the same channel", () => {
    const r = parseTrackerStats(trackerReply(10, 4));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.peers).toBe(5);
    expect(r.value.channels.loop).toEqual({ swarms: 3, peers: 5, sockets: 3, messages: { announce: 10, offerRelayed: 4 } });
  });
  it("refuses a non-object and tolerates a reply without shards", () => {
    expect(parseTrackerStats("nope").ok).toBe(false);
    const r = parseTrackerStats({ swarms: 1, peers: 2, sockets: 1, messages: { announce: 3 } });
    expect(r.ok && r.value.channels).toEqual({});
  });
});
