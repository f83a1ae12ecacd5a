// Number formatting for the demo and dashboard: bytes, rates, percentages, counts.
// Pure functions with no DOM, so the unit tests pin exactly what a viewer reads.
// Does not decide what to show (that is viewer.ts / dashboard.ts), only how.

const UNITS = ["B", "kB", "MB", "GB", "TB"] as const;

/** Bytes in decimal units (kB = 1000 B), the units bandwidth bills and CDNs quote. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "–";
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  // Three significant digits: "12.3 MB", "123 MB"; whole bytes stay whole.
  const digits = i === 0 ? 0 : v < 10 ? 2 : v < 100 ? 1 : 0;
  return `${v.toFixed(digits)} ${UNITS[i]}`;
}

/** A byte rate as bits per second: video people think in Mbit/s, not MB/s. */
export function formatBitrate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) return "–";
  const bits = bytesPerSecond * 8;
  if (bits < 1000) return `${Math.round(bits)} bit/s`;
  if (bits < 1e6) return `${(bits / 1e3).toFixed(bits < 1e4 ? 1 : 0)} kbit/s`;
  if (bits < 1e9) return `${(bits / 1e6).toFixed(bits < 1e7 ? 2 : 1)} Mbit/s`;
  return `${(bits / 1e9).toFixed(2)} Gbit/s`;
}

/** A ratio in [0, 1] as a percentage; NaN/undefined (nothing loaded yet) shows a dash. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "–";
  const pct = Math.min(1, Math.max(0, ratio)) * 100;
  return `${pct < 10 && pct > 0 ? pct.toFixed(1) : Math.round(pct)}%`;
}

/** A count per second, e.g. tracker messages: small rates keep one decimal. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond < 0) return "–";
  if (perSecond === 0) return "0/s";
  if (perSecond < 10) return `${perSecond.toFixed(1)}/s`;
  return `${Math.round(perSecond).toLocaleString("en-US")}/s`;
}

/** An integer count with thousands separators. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return "–";
  return Math.round(n).toLocaleString("en-US");
}

/** Offload = P2P share of all bytes downloaded; null when nothing was downloaded yet. */
export function offloadRatio(httpBytes: number, p2pBytes: number): number | null {
  const total = httpBytes + p2pBytes;
  return total > 0 ? p2pBytes / total : null;
}

/** A peer id as a short readable label (p2p-media-loader ids are 20 chars, prefix -PM0203-). */
export function shortPeerId(id: string): string {
  const clean = id.replace(/[^\x20-\x7e]/g, "?");
  const body = clean.startsWith("-") ? clean.replace(/^-[A-Za-z0-9]{6}-/, "") : clean;
  return body.length > 8 ? `${body.slice(0, 4)}…${body.slice(-4)}` : body;
}
