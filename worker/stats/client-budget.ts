// How much one client (one address) may report: a budget of reports and, tighter, a budget of
// *new* rows (a viewer id or a stream name the shard has not seen). Without it each new
// viewer id got a fresh allowance, so one address could fill a stream's viewer table (honest
// viewers got 429) or a shard's stream table (new streams got 503). Pure: the StatsHub keeps
// the budgets in its SQLite and passes the clock in. A client is one address
// (access/address.ts addressKey).
import { refill, take, type Bucket } from "../token-bucket";
import { FRESH_BURST_PER_CLIENT, FRESH_PER_CLIENT_S, REPORT_BURST_PER_CLIENT, REPORTS_PER_CLIENT_S } from "./limits";

export interface ClientBudget {
  reports: Bucket;
  fresh: Bucket;
}

export type Spent = { ok: true; budget: ClientBudget } | { ok: false; budget: ClientBudget; error: string };

export function newBudget(now: number): ClientBudget {
  return { reports: { tokens: REPORT_BURST_PER_CLIENT, at: now }, fresh: { tokens: FRESH_BURST_PER_CLIENT, at: now } };
}

/**
 * Charges one report, and one new row when `fresh` (the report starts a viewer or a stream
 * this shard does not hold). A refused report costs nothing further.
 */
export function spend(prev: ClientBudget | undefined, now: number, fresh: boolean): Spent {
  const budget = prev ? { reports: { ...prev.reports }, fresh: { ...prev.fresh } } : newBudget(now);
  refill(budget.fresh, now, FRESH_BURST_PER_CLIENT, FRESH_PER_CLIENT_S);
  if (fresh && budget.fresh.tokens < 1) return { ok: false, budget, error: "too many new viewers or streams from this address; try later" };
  if (!take(budget.reports, now, REPORT_BURST_PER_CLIENT, REPORTS_PER_CLIENT_S))
    return { ok: false, budget, error: "too many reports from this address; slow down" };
  if (fresh) budget.fresh.tokens -= 1;
  return { ok: true, budget };
}

/** A budget untouched this long has refilled completely and says nothing; it can be dropped. */
export function isIdle(b: ClientBudget, now: number): boolean {
  const full = (x: Bucket, burst: number, perS: number) => {
    const y = { ...x };
    refill(y, now, burst, perS);
    return y.tokens >= burst;
  };
  return full(b.reports, REPORT_BURST_PER_CLIENT, REPORTS_PER_CLIENT_S) && full(b.fresh, FRESH_BURST_PER_CLIENT, FRESH_PER_CLIENT_S);
}
