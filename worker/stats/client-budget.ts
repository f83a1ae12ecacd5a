// How much one client (one address) may report: a budget of reports and, tighter, a budget of
// *new* rows (a viewer id or a stream name the shard has not seen). Without it each new
// viewer id got a fresh allowance, so one address could fill a stream's viewer table (honest
// viewers got 429) or a shard's stream table (new streams got 503). Pure: the StatsHub keeps
// the budgets in its SQLite and passes the clock in.
import { refill, take, type Bucket } from "../token-bucket";
import { FRESH_BURST_PER_CLIENT, FRESH_PER_CLIENT_S, REPORT_BURST_PER_CLIENT, REPORTS_PER_CLIENT_S } from "./limits";

export interface ClientBudget {
  reports: Bucket;
  fresh: Bucket;
}

export type Spent = { ok: true; budget: ClientBudget } | { ok: false; budget: ClientBudget; error: string };

/**
 * The key a client's budget is kept under: an IPv4 address as it is, an IPv6 address by its
 * /64 (one subscriber usually holds a whole /64, so per-address budgets would be free to
 * multiply). Unknown addresses share one budget.
 */
export function clientKey(ip: string | null): string {
  if (!ip) return "unknown";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return ip;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!/^[0-9a-f:]{2,39}$/i.test(ip) || !ip.includes(":")) return "unknown";
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+/, "") || "0")
    .join(":")}::/64`;
}

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
