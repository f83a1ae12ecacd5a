// How long HTTP segment fetches take for this viewer right now: the seconds between the
// core starting a fetch (httpRequestSetup) and the segment arriving, plus the edge
// seeder's own fetches. scheduling/window-policy.ts turns the slowest recent one into the live
// high-demand window, so a slow origin or a loaded device starts HTTP fallbacks earlier
// instead of stalling. Pure bookkeeping: time is passed in; no timers, no I/O.
import { MAX_OPEN_FETCHES, RECENT_FETCHES } from "./limits";

export { RECENT_FETCHES };

export class HttpTiming {
  private readonly open = new Map<string, number>();
  private readonly recent: number[] = [];

  /** A fetch of `url` started at `nowMs`. */
  start(url: string, nowMs: number): void {
    if (this.open.size >= MAX_OPEN_FETCHES) {
      const oldest = this.open.keys().next().value;
      if (oldest !== undefined) this.open.delete(oldest);
    }
    this.open.set(url, nowMs);
  }

  /** The fetch of `url` finished (or failed) at `nowMs`; unknown urls are ignored. */
  end(url: string, nowMs: number): void {
    const t = this.open.get(url);
    if (t === undefined) return;
    this.open.delete(url);
    this.sample((nowMs - t) / 1000);
  }

  /** A fetch measured elsewhere took `seconds`. */
  sample(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    this.recent.push(seconds);
    if (this.recent.length > RECENT_FETCHES) this.recent.shift();
  }

  /** Seconds the slowest recent fetch took (0 before any). */
  slowest(): number {
    return this.recent.reduce((a, b) => Math.max(a, b), 0);
  }
}

/**
 * fetch that adds each full 200 response's time to `timing` (body included; a denied
 * claim's empty 204 says nothing about segment fetches), then calls `onSample`.
 */
export function timedFetch(timing: HttpTiming, onSample: () => void, base: typeof fetch = (...a) => fetch(...a)): typeof fetch {
  return async (...a) => {
    const t0 = performance.now();
    const res = await base(...a);
    if (res.status !== 200) return res;
    const body = await res.arrayBuffer();
    timing.sample((performance.now() - t0) / 1000);
    onSample();
    return new Response(body, res);
  };
}
