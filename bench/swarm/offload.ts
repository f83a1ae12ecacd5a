// Offload arithmetic for the swarm bench, pure: offload = 1 − origin-metered HTTP segment
// bytes / segment bytes needed (played or buffered), ideal = 1 − 1/N for N viewers of one
// rendition, and the per-viewer and total rows the tables print. No I/O, no formatting.

export interface ViewerRow {
  id: string;
  /** Segment bytes the metering proxy saw leave the origin for this viewer (incl. aborted). */
  httpSegmentBytes: number;
  neededBytes: number;
  p2pBytes: number;
  stalls: number;
  stallMs: number;
  startupMs: number | undefined;
  abortedHttp: number;
  integrityRejects: number;
}

export interface TotalRow {
  viewers: number;
  httpSegmentBytes: number;
  neededBytes: number;
  p2pBytes: number;
  offload: number | undefined;
  ideal: number;
  ofIdeal: number | undefined;
  stalls: number;
  stallMs: number;
  startupMsMedian: number | undefined;
  startupMsMax: number | undefined;
  abortedHttp: number;
  integrityRejects: number;
}

/**
 * 1 − http / needed. Undefined when nothing was needed (a ratio of nothing says nothing).
 * Not clamped: HTTP bytes above the need (duplicate or aborted fetches) make it negative,
 * and a bench that hid that would flatter the loader.
 */
export function offload(httpBytes: number, neededBytes: number): number | undefined {
  if (!(neededBytes > 0) || !(httpBytes >= 0)) return undefined;
  return 1 - httpBytes / neededBytes;
}

/** The best any swarm can do: one viewer's worth of bytes from the origin, the rest shared. */
export function idealOffload(viewers: number): number {
  if (!Number.isInteger(viewers) || viewers < 1) throw new RangeError(`viewers must be a positive integer, got ${viewers}`);
  return 1 - 1 / viewers;
}

/** offload / ideal; undefined for one viewer (ideal 0) or unknown offload. */
export function fractionOfIdeal(off: number | undefined, viewers: number): number | undefined {
  const id = idealOffload(viewers);
  return off === undefined || id === 0 ? undefined : off / id;
}

export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function totals(rows: readonly ViewerRow[]): TotalRow {
  const sum = (f: (r: ViewerRow) => number) => rows.reduce((a, r) => a + f(r), 0);
  const httpSegmentBytes = sum((r) => r.httpSegmentBytes);
  const neededBytes = sum((r) => r.neededBytes);
  const off = offload(httpSegmentBytes, neededBytes);
  const startups = rows.map((r) => r.startupMs).filter((x): x is number => x !== undefined);
  return {
    viewers: rows.length,
    httpSegmentBytes,
    neededBytes,
    p2pBytes: sum((r) => r.p2pBytes),
    offload: off,
    ideal: rows.length ? idealOffload(rows.length) : 0,
    ofIdeal: rows.length ? fractionOfIdeal(off, rows.length) : undefined,
    stalls: sum((r) => r.stalls),
    stallMs: sum((r) => r.stallMs),
    startupMsMedian: median(startups),
    startupMsMax: startups.length ? Math.max(...startups) : undefined,
    abortedHttp: sum((r) => r.abortedHttp),
    integrityRejects: sum((r) => r.integrityRejects),
  };
}

/**
 * The invariant every change keeps: EdgeSwarm's origin egress is never above what the same
 * viewers fetch with P2P off. Checked two ways, each a line of the bench's output:
 *  - against the need (segment bytes the viewers played or buffered): with P2P off every one
 *    of those bytes comes from the origin, so need is a lower bound of P2P-off egress, and
 *    egress ≤ need is the stricter check (offload ≥ 0);
 *  - against the p2p-off variant's metered egress, when that variant ran (its viewers play
 *    the same stream for the same time, so the ratio is per byte of need).
 * Pure: totals in, lines out.
 */
export function invariantLines(results: readonly { variant: string; total: TotalRow }[]): string[] {
  const es = results.find((r) => r.variant === "edgeswarm")?.total;
  if (!es || es.offload === undefined) return [];
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const lines = [
    `  invariant (egress ≤ P2P off): edgeswarm egress / need = ${(1 - es.offload).toFixed(3)} → ` +
      (es.offload >= 0 ? `holds (${pct(es.offload)} below need)` : `BROKEN: ${pct(-es.offload)} above need`),
  ];
  const off = results.find((r) => r.variant === "p2p-off")?.total;
  if (off && off.neededBytes > 0 && es.neededBytes > 0 && off.httpSegmentBytes > 0) {
    const perNeed = (t: TotalRow) => t.httpSegmentBytes / t.neededBytes;
    const ratio = perNeed(es) / perNeed(off);
    lines.push(
      `  measured P2P off: egress / need = ${perNeed(off).toFixed(3)}; edgeswarm egress per byte of need = ${ratio.toFixed(3)} × P2P off → ${ratio <= 1 ? "holds" : "BROKEN"}`,
    );
  }
  return lines;
}
