// Rates from successive counter snapshots (tracker messages, bytes) and a bounded
// rolling series for the charts. Pure: time is passed in, nothing is read from a clock.
// Does not fetch or draw; the dashboard and viewer feed it and hand the arrays to uPlot.

export interface Snapshot {
  /** Milliseconds (any monotonic clock, as long as both snapshots use the same one). */
  at: number;
  counters: Record<string, number>;
}

/**
 * Per-second rate of every counter present in `next`.
 * A counter that went down was reset (a Durable Object was evicted and started counting
 * from zero again), so its new value is the count since the reset, the Prometheus rule.
 * Returns null when the interval is not usable (no previous snapshot, or time went
 * backwards / stood still), so the caller shows "–" rather than a made-up number.
 */
export function ratesBetween(prev: Snapshot | null, next: Snapshot): Record<string, number> | null {
  if (!prev) return null;
  const seconds = (next.at - prev.at) / 1000;
  if (!(seconds > 0)) return null;
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(next.counters)) {
    if (!Number.isFinite(value)) continue;
    const before = prev.counters[key];
    const delta = before === undefined || !Number.isFinite(before) ? 0 : value >= before ? value - before : value;
    out[key] = delta / seconds;
  }
  return out;
}

/**
 * A fixed-capacity time series with named columns, laid out the way uPlot wants it:
 * [xs, ys1, ys2, …] with x in seconds. Old points fall off the front, so a tab left open
 * for hours keeps a constant memory footprint.
 */
export class RollingSeries {
  readonly columns: readonly string[];
  private readonly capacity: number;
  private xs: number[] = [];
  private ys: number[][];

  constructor(columns: readonly string[], capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError("capacity must be an integer ≥ 2");
    this.columns = columns;
    this.capacity = capacity;
    this.ys = columns.map(() => []);
  }

  /** Adds a point; a column missing from `values` (or not finite) is recorded as null-ish 0. */
  push(atMs: number, values: Record<string, number>): void {
    this.xs.push(atMs / 1000);
    this.columns.forEach((c, i) => {
      const v = values[c];
      this.ys[i]!.push(v !== undefined && Number.isFinite(v) ? v : 0);
    });
    if (this.xs.length > this.capacity) {
      this.xs.shift();
      for (const col of this.ys) col.shift();
    }
  }

  get length(): number {
    return this.xs.length;
  }

  /** Latest value of a column, or undefined when the series is empty. */
  last(column: string): number | undefined {
    const i = this.columns.indexOf(column);
    if (i < 0) return undefined;
    const col = this.ys[i]!;
    return col[col.length - 1];
  }

  /** The data as uPlot's AlignedData: [x[], y1[], y2[], …]. */
  data(): [number[], ...number[][]] {
    return [this.xs.slice(), ...this.ys.map((c) => c.slice())];
  }
}

/**
 * Turns cumulative byte totals into a per-second rate series point: the viewer samples
 * the client's totals once a second and charts throughput, not ever-growing sums.
 */
export class CounterRates {
  private prev: Snapshot | null = null;

  /** Returns the rates since the last call, or null on the first call. */
  sample(at: number, counters: Record<string, number>): Record<string, number> | null {
    const next = { at, counters: { ...counters } };
    const r = ratesBetween(this.prev, next);
    this.prev = next;
    return r;
  }
}
