// This viewer's uplink, measured before it serves any peer: two uploads to the Worker's
// probe (shared/uplink-probe.ts), each timed to its 204. Limits: UPLINK_PROBE (limits.ts).
// The Worker reads and drops the bytes: the probe costs no egress and one request each.
import { UPLINK_PROBE } from "./limits";

export interface ProbeDeps {
  fetch: typeof fetch;
  /** The probe's URL as requested (with the viewer token when tokens are on). */
  url: string;
  /** Monotonic milliseconds. */
  nowMs: () => number;
  /**
   * The rate that matters (bytes per second): once the second upload has run long enough to
   * show the rate is below it, it is stopped, so a slow uplink is filled no longer than that.
   */
  bar?: number;
}

/**
 * The sending rate in bytes per second: the second upload's extra bytes over its extra time
 * beside the first (a round trip and a token bucket's burst cancel out). An upload stopped
 * (past `bar`'s time or the time limit) gives an upper bound: its bytes over the time it ran.
 * null when the probe failed for another reason (refused, offline): no figure.
 */
export async function probeUplink(deps: ProbeDeps, limits: { warmBytes: number; bytes: number; timeoutS: number } = UPLINK_PROBE): Promise<number | null> {
  const started = deps.nowMs();
  const extra = limits.bytes - limits.warmBytes;
  /** The upload's time in ms, or its time so far with `stopped` when it ran out of `budgetMs`; null: refused or failed. */
  const send = async (bytes: number, budgetMs: number): Promise<{ ms: number; stopped: boolean } | null> => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), Math.max(0, budgetMs));
    const t0 = deps.nowMs();
    try {
      // No content-type: a simple CORS request when the page is on another origin.
      const res = await deps.fetch(deps.url, { method: "POST", body: new Uint8Array(bytes), signal: abort.signal, cache: "no-store", credentials: "omit" });
      await res.body?.cancel();
      return res.ok ? { ms: deps.nowMs() - t0, stopped: false } : null;
    } catch {
      return abort.signal.aborted ? { ms: deps.nowMs() - t0, stopped: true } : null;
    } finally {
      clearTimeout(timer);
    }
  };
  const limitMs = limits.timeoutS * 1000;
  const warm = await send(limits.warmBytes, limitMs);
  if (warm === null) return null;
  if (warm.stopped) return (limits.warmBytes * 1000) / Math.max(warm.ms, 1);
  const left = limitMs - (deps.nowMs() - started);
  // Stopped at 1.25× the bar's time, so a stopped upload reads at most 0.8 of the bar.
  const barMs = deps.bar !== undefined && deps.bar > 0 ? warm.ms + (1.25 * extra * 1000) / deps.bar : Infinity;
  const big = await send(limits.bytes, Math.min(left, barMs));
  if (big === null) return null;
  return big.ms > warm.ms ? (extra * 1000) / (big.ms - warm.ms) : Infinity;
}
