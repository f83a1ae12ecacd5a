// Aggregation rules: totals only grow, growth is bounded by a plausible rate, departed
// viewers' bytes stay in their stream, and offload is computed from bytes.
import { describe, expect, it } from "vitest";
import {
  addTotals,
  applyReport,
  emptyTotals,
  maxDownload,
  offloadRatio,
  peerKey,
  shardOf,
  summarize,
  sumStreams,
  type ViewerRow,
} from "../../../worker/stats/aggregate";
import { emptyErrors, type Report } from "../../../shared/stats-report";
import {
  DOWNLOAD_HEADROOM,
  FIRST_REPORT_WINDOW_S,
  JOIN_ALLOWANCE_S,
  MAX_BYTES_PER_SECOND,
  MAX_ERRORS_PER_SECOND,
  MAX_MEDIA_BYTES_PER_S,
  STATS_SHARDS,
  UPLOAD_FACTOR,
} from "../../../worker/stats/limits";

const report = (over: Partial<Report> = {}): Report => ({
  v: 1,
  stream: "loop",
  viewer: "viewer-0001",
  http: 100,
  p2p: 300,
  up: 50,
  peers: 1,
  errors: emptyErrors(),
  ...over,
});

function accepted(prev: ViewerRow | undefined, r: Report, now: number): ViewerRow {
  const out = applyReport(prev, r, now);
  if (!out.ok) throw new Error(out.reason);
  return out.row;
}

describe("applyReport", () => {
  it("takes a first report as the viewer's totals and stamps first/last seen", () => {
    const row = accepted(undefined, report(), 1000);
    expect(row).toMatchObject({ http: 100, p2p: 300, up: 50, peers: 1, firstSeen: 1000, lastSeen: 1000 });
  });

  it("replaces totals on a later report and keeps firstSeen", () => {
    const a = accepted(undefined, report(), 1000);
    const b = accepted(a, report({ http: 200, p2p: 900, peers: 3 }), 6000);
    expect(b).toMatchObject({ http: 200, p2p: 900, peers: 3, firstSeen: 1000, lastSeen: 6000 });
  });

  it("accepts the same totals twice (a retried report changes nothing)", () => {
    const a = accepted(undefined, report(), 1000);
    expect(accepted(a, report(), 2000)).toMatchObject({ http: 100, p2p: 300 });
  });

  it("refuses totals that go backwards with 409", () => {
    const a = accepted(undefined, report(), 1000);
    const out = applyReport(a, report({ p2p: 299 }), 6000);
    expect(out).toEqual({ ok: false, status: 409, reason: "p2p went backwards (totals only grow)" });
  });

  it("refuses error counts that go backwards with 409", () => {
    const a = accepted(undefined, report({ errors: { ...emptyErrors(), "p2p-failed": 4 } }), 1000);
    const out = applyReport(a, report({ errors: emptyErrors() }), 6000);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.status).toBe(409);
  });

  it("refuses growth faster than MAX_BYTES_PER_SECOND with 422", () => {
    const a = accepted(undefined, report(), 1000);
    const tooMuch = a.http + MAX_BYTES_PER_SECOND * 5 + 1; // 5 s later
    const out = applyReport(a, report({ http: tooMuch }), 6000);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.status).toBe(422);
    expect(applyReport(a, report({ http: tooMuch - 1 }), 6000).ok).toBe(true);
  });

  it("bounds a first report by FIRST_REPORT_WINDOW_S of traffic", () => {
    const cap = MAX_BYTES_PER_SECOND * FIRST_REPORT_WINDOW_S;
    // A viewer the tracker saw 10 h ago, so the cumulative bound (below) is far above this one.
    const since = -10 * 3600_000;
    expect(applyReport(undefined, report({ up: cap }), 0, since).ok).toBe(true);
    expect(applyReport(undefined, report({ up: cap + 1 }), 0, since).ok).toBe(false);
  });

  it("treats a report that arrives with a clock behind the last one as a 1 s window", () => {
    const a = accepted(undefined, report(), 10_000);
    expect(applyReport(a, report({ http: a.http + MAX_BYTES_PER_SECOND }), 5_000).ok).toBe(true);
    expect(applyReport(a, report({ http: a.http + MAX_BYTES_PER_SECOND + 1 }), 5_000).ok).toBe(false);
  });

  it("bounds total downloads by the media bitrate with headroom over the time since first seen plus JOIN_ALLOWANCE_S", () => {
    expect(maxDownload(0, 60_000)).toBe((60 + JOIN_ALLOWANCE_S) * MAX_MEDIA_BYTES_PER_S * DOWNLOAD_HEADROOM);
    const a = accepted(undefined, report(), 0);
    const cap = maxDownload(0, 60_000);
    expect(applyReport(a, report({ http: cap - 300, p2p: 300 }), 60_000).ok).toBe(true);
    const out = applyReport(a, report({ http: cap - 300, p2p: 301 }), 60_000);
    expect(out).toMatchObject({ ok: false, status: 422 });
    if (!out.ok) expect(out.reason).toMatch(/http \+ p2p exceed/);
  });

  it("refuses a liar who stays under the per-interval rate but adds up to more than a viewer can watch", () => {
    // Every 5 s the liar adds a little under MAX_BYTES_PER_SECOND × 5: each step passed the old bound.
    let row = accepted(undefined, report(), 0);
    let refusedAt: number | null = null;
    for (let t = 5000; t <= 3600_000 && refusedAt === null; t += 5000) {
      const out = applyReport(row, report({ p2p: row.p2p + MAX_BYTES_PER_SECOND * 5 - 1 }), t);
      if (out.ok) row = out.row;
      else refusedAt = t;
    }
    expect(refusedAt).not.toBeNull();
    // Refused within the first minutes, long before an hour of lies could add up to terabytes.
    expect(refusedAt!).toBeLessThan(5 * 60_000);
    expect(row.p2p).toBeLessThanOrEqual(maxDownload(0, refusedAt!));
  });

  it(`bounds uploads by UPLOAD_FACTOR (${UPLOAD_FACTOR}) times the download bound`, () => {
    const a = accepted(undefined, report(), 0);
    const cap = UPLOAD_FACTOR * maxDownload(0, 600_000);
    expect(applyReport(a, report({ up: cap }), 600_000).ok).toBe(true);
    const out = applyReport(a, report({ up: cap + 1 }), 600_000);
    expect(out).toMatchObject({ ok: false, status: 422 });
  });

  it("counts a new viewer's time from the tracker's first sighting when that came earlier", () => {
    const seenAt = 1000;
    const now = 1000 + 600_000;
    const big = maxDownload(now, now) + 1; // more than a viewer first seen now could have
    expect(applyReport(undefined, report({ http: big }), now).ok).toBe(false);
    const out = applyReport(undefined, report({ http: big }), now, seenAt);
    expect(out.ok).toBe(true);
    if (out.ok) expect(out.row.firstSeen).toBe(seenAt);
  });

  it("binds a new row to its report's peer_id, and keeps that binding on later reports", () => {
    const peer = "-PM0102-abcdefghijkl";
    const a = accepted(undefined, report({ peer }), 0);
    expect(a.peer).toBe(peerKey(peer));
    const b = accepted(a, report({ peer: "-PM0102-zzzzzzzzzzzz", http: 200 }), 5000);
    expect(b.peer).toBe(peerKey(peer));
    expect(accepted(undefined, report(), 0).peer).toBeUndefined();
  });

  it("stores a peer_id as hex of its char codes, binary ones included", () => {
    expect(peerKey("AB\u0000\u00ff")).toBe("414200ff");
  });

  it("bounds error growth by MAX_ERRORS_PER_SECOND", () => {
    const a = accepted(undefined, report(), 0);
    const out = applyReport(a, report({ errors: { ...emptyErrors(), "http-failed": MAX_ERRORS_PER_SECOND * 2 + 1 } }), 2000);
    expect(out.ok).toBe(false);
  });
});

describe("summarize and sumStreams", () => {
  it("adds departed (retired) and live viewers and derives offload and bytes saved", () => {
    const live = [accepted(undefined, report(), 0), accepted(undefined, report({ viewer: "viewer-0002", http: 0, p2p: 100, peers: 2 }), 0)];
    const retired = { ...emptyTotals(), http: 500, p2p: 100 };
    const s = summarize("loop", retired, live);
    expect(s).toMatchObject({ stream: "loop", viewers: 2, peers: 3, httpBytes: 600, p2pBytes: 500, uploadedBytes: 100, bytesSaved: 500 });
    expect(s.offload).toBeCloseTo(500 / 1100, 10);
  });

  it("reports zero offload when nothing was downloaded", () => {
    expect(offloadRatio(0, 0)).toBe(0);
    expect(summarize("x", emptyTotals(), []).offload).toBe(0);
  });

  it("sums streams by bytes, not by averaging their ratios", () => {
    const a = summarize("a", { ...emptyTotals(), http: 900, p2p: 100 }, []);
    const b = summarize("b", { ...emptyTotals(), http: 0, p2p: 1000 }, []);
    const t = sumStreams([a, b]);
    expect(t.offload).toBeCloseTo(1100 / 2000, 10);
    expect(t.httpBytes).toBe(900);
  });

  it("saturates sums at 2^53 instead of losing precision", () => {
    const big = { ...emptyTotals(), http: Number.MAX_SAFE_INTEGER };
    expect(addTotals(big, big).http).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe("shardOf", () => {
  it("is stable and always within range", () => {
    for (const s of ["loop", "sample", "a", "Z".repeat(64)]) {
      const i = shardOf(s, STATS_SHARDS);
      expect(i).toBe(shardOf(s, STATS_SHARDS));
      expect(i).toBeGreaterThanOrEqual(0);
      expect(i).toBeLessThan(STATS_SHARDS);
    }
  });

  it("spreads many stream names over every shard", () => {
    const seen = new Set(Array.from({ length: 200 }, (_, i) => shardOf(`stream-${i}`, STATS_SHARDS)));
    expect(seen.size).toBe(STATS_SHARDS);
  });
});
