// Fetcher policy: who fetches each new live segment over HTTP in a swarm, and how many.
import { describe, expect, it } from "vitest";
import {
  capableRate,
  emptyPlan,
  fetchersPerSegment,
  fetchesSegment,
  hopSeconds,
  isProven,
  planFetchers,
  segmentClass,
  type FetcherPlan,
  type StreamProfile,
  type ViewerRecord,
} from "../../../worker/tracker/fetchers";
import { FETCHER_CLAIMERS, FETCHER_CLASSES, FETCHER_HOP_MARGIN } from "../../../worker/tracker/limits";

// 4 s segments at 3 Mbit/s: 1.5 MB each, 375 KB/s of stream.
const STREAM: StreamProfile = { segmentBytes: 1_500_000, segmentSeconds: 4, budgetSeconds: 6 };
const BAR = capableRate(STREAM);
const T0 = 1_000_000;

function viewer(id: string, rateBps: number | null, over: Partial<ViewerRecord> = {}): ViewerRecord {
  return { id, joinedAt: T0 - 60_000, rateBps, peers: 3, ...over };
}

/** Holders of each class. */
function holdersByClass(plan: FetcherPlan): string[][] {
  return Array.from({ length: FETCHER_CLASSES }, (_, c) => [...plan.roles].filter(([, cs]) => cs.includes(c)).map(([id]) => id));
}

describe("how many fetchers (m)", () => {
  it("follows m = ceil(N / 2^(B/tau)), so it grows with the swarm", () => {
    // tau = 1.5 MB / 625 KB/s = 2.4 s; B = 6 s -> 2^2.5 = 5.66 -> m = N / 5.66
    const tau = hopSeconds(STREAM, [625_000]);
    expect(tau).toBeCloseTo(2.4, 6);
    expect(fetchersPerSegment(100, tau, 6)).toBe(18);
    expect(fetchersPerSegment(1000, tau, 6)).toBe(177);
    const sizes = [1, 4, 30, 100, 2000].map((n) => fetchersPerSegment(n, tau, 6));
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(sizes[0]).toBe(1);
  });

  it("is 1 when the budget allows log2(N) doublings, and at most half the swarm when uplinks are too slow", () => {
    expect(fetchersPerSegment(1000, 1, 30)).toBe(1);
    expect(fetchersPerSegment(1000, 100, 6)).toBe(500);
    expect(fetchersPerSegment(0, 1, 6)).toBe(0);
  });

  it("plans with each hop counted FETCHER_HOP_MARGIN times the ideal, and never more fetchers than proven viewers", () => {
    const vs = Array.from({ length: 100 }, (_, i) => viewer(`v${i}`, 625_000));
    const tau = hopSeconds(STREAM, [625_000]);
    const m = planFetchers(vs, STREAM).m;
    expect(m).toBe(fetchersPerSegment(100, FETCHER_HOP_MARGIN * tau, STREAM.budgetSeconds));
    expect(m).toBeGreaterThan(fetchersPerSegment(100, tau, STREAM.budgetSeconds));
    const few = [...vs.slice(0, 2), ...Array.from({ length: 98 }, (_, i) => viewer(`n${i}`, null))];
    expect(planFetchers(few, STREAM).m).toBe(2);
  });
});

describe("who fetches", () => {
  it("proves a viewer by its sending rate and its peers, never by a missing or weak record", () => {
    expect(isProven(viewer("a", BAR), STREAM)).toBe(true);
    expect(isProven(viewer("a", BAR - 1), STREAM)).toBe(false);
    expect(isProven(viewer("a", null), STREAM)).toBe(false);
    expect(isProven(viewer("a", 5 * BAR, { peers: 0 }), STREAM)).toBe(false);
  });

  it("has no plan while nobody is proven: no fetchers, and the viewers claim at the edge", () => {
    const plan = planFetchers([viewer("a", null), viewer("b", 0.5 * BAR)], STREAM);
    expect(plan.m).toBe(0);
    expect(plan.roles.size).toBe(0);
    expect([...plan.claimers].sort()).toEqual(["a", "b"]);
  });

  it("tells at most FETCHER_CLAIMERS viewers to claim while nobody is proven, those with the best early evidence", () => {
    // 100 viewers, none proven: 10 sent a little (below the bar), the rest nothing yet.
    const vs = Array.from({ length: 100 }, (_, i) => viewer(`v${i}`, i % 10 === 0 ? (0.1 + i / 1000) * BAR : null, { joinedAt: T0 + i }));
    const plan = planFetchers(vs, STREAM);
    expect(plan.m).toBe(0);
    expect(plan.claimers.size).toBe(FETCHER_CLAIMERS);
    // The 10 that sent something first (fastest first), then the longest present among the rest.
    const senders = vs.filter((v) => v.rateBps !== null).map((v) => v.id);
    for (const id of senders) expect(plan.claimers.has(id)).toBe(true);
    const rest = vs.filter((v) => v.rateBps === null).slice(0, FETCHER_CLAIMERS - senders.length);
    for (const v of rest) expect(plan.claimers.has(v.id)).toBe(true);
  });

  it("keeps its claimers across plans while they report, and never picks a viewer that does not report", () => {
    const vs = Array.from({ length: 40 }, (_, i) => viewer(`v${i}`, null, { joinedAt: T0 + i, reports: i % 2 === 0 }));
    const p1 = planFetchers(vs, STREAM);
    expect([...p1.claimers].every((id) => Number(id.slice(1)) % 2 === 0)).toBe(true);
    // Newer viewers with a better record do not unseat claimers that still report.
    const better = [...vs, ...Array.from({ length: 20 }, (_, i) => viewer(`n${i}`, 0.5 * BAR))];
    const p2 = planFetchers(better, STREAM, p1);
    expect([...p2.claimers]).toEqual([...p1.claimers]);
    // A claimer that stops reporting gives its place to the best newcomer.
    const gone = [...p1.claimers][0]!;
    const p3 = planFetchers(
      better.map((v) => (v.id === gone ? { ...v, reports: false } : v)),
      STREAM,
      p2,
    );
    expect(p3.claimers.has(gone)).toBe(false);
    expect(p3.claimers.size).toBe(FETCHER_CLAIMERS);
    expect([...p3.claimers].some((id) => id.startsWith("n"))).toBe(true);
  });

  it("has no claimers once a viewer is proven", () => {
    const plan = planFetchers([viewer("a", 2 * BAR), viewer("b", null)], STREAM, planFetchers([viewer("b", null)], STREAM));
    expect(plan.m).toBeGreaterThan(0);
    expect(plan.claimers.size).toBe(0);
  });

  it("does not make a weak first viewer the only fetcher: proven uplinks win, weak ones are left out", () => {
    const vs = [viewer("weak-first", 0.1 * BAR, { joinedAt: T0 - 120_000 }), viewer("a", 2 * BAR), viewer("b", 3 * BAR), viewer("c", 2.5 * BAR)];
    const plan = planFetchers(vs, STREAM);
    expect(plan.roles.has("weak-first")).toBe(false);
    expect(holdersByClass(plan).every((h) => h.length === plan.m)).toBe(true);
  });

  it("spreads the role: with several proven viewers nobody fetches every segment", () => {
    const vs = ["a", "b", "c", "d"].map((id, i) => viewer(id, (2 + i) * BAR));
    const plan = planFetchers(vs, { ...STREAM, budgetSeconds: 30 });
    expect(plan.m).toBe(1);
    for (const [, cs] of plan.roles) expect(cs.length).toBe(2);
    for (let seq = 100; seq < 108; seq++) expect(vs.filter((v) => fetchesSegment(plan, v.id, seq))).toHaveLength(1);
  });

  it("lets one proven viewer fetch every segment when it is the only one", () => {
    const vs = [viewer("strong", 3 * BAR), viewer("w1", 0.2 * BAR), viewer("w2", null)];
    const plan = planFetchers(vs, STREAM);
    expect(plan.roles.get("strong")).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(plan.roles.size).toBe(1);
  });

  it("takes the role from a fetcher whose sending rate falls below the bar, that stops sending, or that loses its peers", () => {
    const vs = [viewer("a", 2 * BAR), viewer("b", 2 * BAR), viewer("c", 2 * BAR)];
    let plan = planFetchers(vs, { ...STREAM, budgetSeconds: 30 });
    expect(plan.roles.has("a")).toBe(true);
    plan = planFetchers([viewer("a", 0.3 * BAR), viewer("b", null), viewer("c", 2 * BAR)], { ...STREAM, budgetSeconds: 30 }, plan);
    expect([...plan.roles.keys()]).toEqual(["c"]);
    expect(plan.roles.get("c")).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    plan = planFetchers([viewer("c", 2 * BAR, { peers: 0 })], STREAM, plan);
    expect(plan).toEqual({ ...emptyPlan(), claimers: new Set(["c"]) });
  });

  it("keeps roles stable across plans when nothing changed", () => {
    const vs = ["a", "b", "c"].map((id) => viewer(id, 2 * BAR));
    const p1 = planFetchers(vs, STREAM);
    const p2 = planFetchers(vs, STREAM, p1);
    expect([...p2.roles]).toEqual([...p1.roles]);
  });

  it("gives every class m fetchers in a big swarm, each holding one class when there are enough", () => {
    const vs = Array.from({ length: 2000 }, (_, i) => viewer(`v${i}`, (1 + (i % 5)) * BAR));
    // A 12 s budget: m (~90) times the 8 classes fits in 2,000 viewers, one class each.
    const plan = planFetchers(vs, { ...STREAM, budgetSeconds: 12 });
    expect(plan.m).toBeGreaterThan(1);
    expect(plan.m * FETCHER_CLASSES).toBeLessThanOrEqual(2000);
    for (const h of holdersByClass(plan)) expect(h).toHaveLength(plan.m);
    for (const [, cs] of plan.roles) expect(cs).toHaveLength(1);
    expect(segmentClass(-1)).toBe(FETCHER_CLASSES - 1);
  });
});
