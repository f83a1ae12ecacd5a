// Aggregation rules: totals only grow, growth is bounded by a plausible rate, departed
// viewers' bytes stay in their stream, and offload is computed from bytes.
import { describe, expect, it } from "vitest";
import { addTotals, applyReport, emptyTotals, offloadRatio, shardOf, summarize, sumStreams, type ViewerRow } from "../../../worker/stats/aggregate";
import { emptyErrors, type Report } from "../../../shared/stats-report";
import { FIRST_REPORT_WINDOW_S, MAX_BYTES_PER_SECOND, MAX_ERRORS_PER_SECOND, STATS_SHARDS } from "../../../worker/stats/limits";

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
    expect(applyReport(undefined, report({ up: cap }), 0).ok).toBe(true);
    expect(applyReport(undefined, report({ up: cap + 1 }), 0).ok).toBe(false);
  });

  it("treats a report that arrives with a clock behind the last one as a 1 s window", () => {
    const a = accepted(undefined, report(), 10_000);
    expect(applyReport(a, report({ http: a.http + MAX_BYTES_PER_SECOND }), 5_000).ok).toBe(true);
    expect(applyReport(a, report({ http: a.http + MAX_BYTES_PER_SECOND + 1 }), 5_000).ok).toBe(false);
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
