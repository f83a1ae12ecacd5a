// The per-address report budget: what a report and a new row cost, refill, and the
// relations to the stream and shard bounds that its limits' comments claim.
import { describe, expect, it } from "vitest";
import { REPORT_INTERVAL_MS, VIEWER_TTL_MS } from "../../../shared/limits";
import { isIdle, spend, type ClientBudget } from "../../../worker/stats/client-budget";
import * as L from "../../../worker/stats/limits";

function drain(fresh: boolean, now: number, start?: ClientBudget): { accepted: number; budget: ClientBudget; error?: string } {
  let b = start;
  let accepted = 0;
  for (let i = 0; i < 10_000; i++) {
    const s = spend(b, now, fresh);
    b = s.budget;
    if (!s.ok) return { accepted, budget: b, error: s.error };
    accepted++;
  }
  return { accepted, budget: b! };
}

describe("spend", () => {
  it("lets a burst of new rows through, then refuses with 429-worthy error until time refills it", () => {
    const first = drain(true, 0);
    expect(first.accepted).toBe(L.FRESH_BURST_PER_CLIENT);
    expect(first.error).toMatch(/too many new viewers or streams/);
    // Known viewers of the same address still report while new rows are refused.
    expect(spend(first.budget, 0, false).ok).toBe(true);
    // One second later one more new row is allowed.
    const later = drain(true, 1000, first.budget);
    expect(later.accepted).toBe(Math.floor(L.FRESH_PER_CLIENT_S));
  });

  it("bounds all reports of an address by its report bucket", () => {
    const r = drain(false, 0);
    expect(r.accepted).toBe(L.REPORT_BURST_PER_CLIENT);
    expect(r.error).toMatch(/too many reports/);
    expect(drain(false, 1000, r.budget).accepted).toBe(L.REPORTS_PER_CLIENT_S);
  });

  it("a refused report does not spend a new-row token", () => {
    const noReports = drain(false, 0).budget;
    const s = spend(noReports, 0, true);
    expect(s.ok).toBe(false);
    expect(s.budget.fresh.tokens).toBe(L.FRESH_BURST_PER_CLIENT);
  });

  it("a clock that goes backwards earns nothing", () => {
    const r = drain(true, 10_000);
    expect(drain(true, 5_000, r.budget).accepted).toBe(0);
  });

  it("is idle (droppable) only once both buckets have refilled", () => {
    const used = spend(undefined, 0, true).budget;
    expect(isIdle(used, 0)).toBe(false);
    expect(isIdle(used, 1000 / L.FRESH_PER_CLIENT_S)).toBe(true);
    const empty = drain(false, 0).budget;
    expect(isIdle(empty, 1000)).toBe(false);
    expect(isIdle(empty, (L.REPORT_BURST_PER_CLIENT / L.REPORTS_PER_CLIENT_S) * 1000)).toBe(true);
  });
});

describe("budget limits", () => {
  it("carry ~50 viewers behind one address at one report per interval", () => {
    expect(L.REPORTS_PER_CLIENT_S * (REPORT_INTERVAL_MS / 1000)).toBeGreaterThanOrEqual(50);
    expect(L.FRESH_BURST_PER_CLIENT).toBeGreaterThanOrEqual(50);
  });

  it("keep one address far from filling a stream or a shard", () => {
    const liveRowsOneAddress = L.FRESH_BURST_PER_CLIENT + L.FRESH_PER_CLIENT_S * (VIEWER_TTL_MS / 1000);
    expect(liveRowsOneAddress).toBeLessThan(L.MAX_VIEWERS_PER_STREAM / 10);
    expect(liveRowsOneAddress).toBeLessThan(L.MAX_STREAMS_PER_SHARD / 2);
  });
});
