// Plain-text tables for the swarm bench (Markdown-compatible, so they paste into docs).
// Pure formatting of rows computed elsewhere; no arithmetic beyond unit conversion.
import type { ViewerDiag } from "./browser-diag.ts";
import type { TotalRow, ViewerRow } from "./offload.ts";

const kb = (b: number) => (b / 1024).toFixed(0);
const ratio = (x: number | undefined) => (x === undefined ? "n/a" : x.toFixed(3));
const secs = (ms: number | undefined) => (ms === undefined ? "n/a" : (ms / 1000).toFixed(2));

export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map(line)].join("\n");
}

export function viewerTable(rows: readonly ViewerRow[]): string {
  return markdownTable(
    ["viewer", "HTTP seg KiB (metered)", "need KiB", "P2P KiB", "offload", "stalls", "stall s", "startup s", "aborted", "rejects"],
    rows.map((r) => [
      r.id,
      kb(r.httpSegmentBytes),
      kb(r.neededBytes),
      kb(r.p2pBytes),
      ratio(r.neededBytes > 0 ? 1 - r.httpSegmentBytes / r.neededBytes : undefined),
      String(r.stalls),
      secs(r.stallMs),
      secs(r.startupMs),
      String(r.abortedHttp),
      String(r.integrityRejects),
    ]),
  );
}

export function totalsTable(items: readonly { variant: string; total: TotalRow }[]): string {
  return markdownTable(
    ["variant", "N", "HTTP seg KiB", "need KiB", "offload", "ideal", "of ideal", "stalls", "stall s", "startup s (median/max)"],
    items.map(({ variant, total: t }) => [
      variant,
      String(t.viewers),
      kb(t.httpSegmentBytes),
      kb(t.neededBytes),
      ratio(t.offload),
      ratio(t.ideal),
      ratio(t.ofIdeal),
      String(t.stalls),
      secs(t.stallMs),
      `${secs(t.startupMsMedian)} / ${secs(t.startupMsMax)}`,
    ]),
  );
}

/**
 * Stall starts of all viewers bucketed by time since the first join ("30–35 s: 12"), so a
 * reader sees at once whether viewers stalled together (origin, tracker or machine) or
 * one by one (their swarm). Empty string when nobody stalled.
 */
export function stallTimeline(starts: readonly number[], t0: number, bucketS = 5): string {
  if (starts.length === 0) return "";
  const buckets = new Map<number, number>();
  for (const t of starts) {
    const b = Math.floor((t - t0) / 1000 / bucketS) * bucketS;
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
  }
  return [...buckets]
    .sort((a, b) => a[0] - b[0])
    .map(([b, n]) => `${b}–${b + bucketS} s: ${n}`)
    .join(", ");
}

/** A viewer's meter tag without its variant: "edgeswarm-03" → "03". */
export function shortTag(tag: string): string {
  return /-(\d+)$/.exec(tag)?.[1] ?? tag;
}

/** "1×: 40, 2×: 12, 3×: 2" – how many segments left the origin once, twice, … */
export function copiesHistogram(copiesByPath: Readonly<Record<string, readonly string[]>>): string {
  const h = new Map<number, number>();
  for (const tags of Object.values(copiesByPath)) h.set(tags.length, (h.get(tags.length) ?? 0) + 1);
  return [...h]
    .sort((a, b) => a[0] - b[0])
    .map(([n, c]) => `${n}×: ${c}`)
    .join(", ");
}

/** "02: 5× 0.8 s (max 2.1)" per source: count, mean and max seconds; NaN durations skipped. */
function perPeer(m: Readonly<Record<string, readonly number[]>>): string {
  const parts = Object.entries(m)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([peer, ms]) => {
      const known = ms.filter((x) => Number.isFinite(x));
      const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length / 1000 : NaN;
      const max = known.length ? Math.max(...known) / 1000 : NaN;
      return `${shortTag(peer)}: ${ms.length}×${known.length ? ` ${mean.toFixed(1)} s (max ${max.toFixed(1)})` : ""}`;
    });
  return parts.join(", ") || "-";
}

/**
 * The browser lab's per-viewer source breakdown (browser-diag.ts): edge claims won/lost,
 * HTTP segment fetches by reason, P2P downloads by source viewer with their durations, P2P
 * downloads given up, uploads by receiver, and the es_role modes the viewer heard.
 */
export function diagTable(rows: readonly ViewerDiag[]): string {
  return markdownTable(
    [
      "viewer",
      "claims won/denied",
      "HTTP won/join/after P2P/no try (held)/no try",
      "won, re-fetched by others",
      "P2P from",
      "P2P given up (from)",
      "up KiB to",
      "roles, uplink",
    ],
    rows.map((r) => [
      shortTag(r.id) + (r.coreSeen ? "" : " (no core events)"),
      `${r.claimsWon}/${r.claimsDenied}${r.claimsFailed ? ` (+${r.claimsFailed} failed)` : ""}`,
      `${r.http.won}/${r.http.join}/${r.http.afterP2P}/${r.http.noTryHeld}/${r.http.noTry}`,
      String(r.wonRefetched),
      perPeer(r.p2pFrom),
      perPeer(r.p2pLostFrom) +
        (Object.keys(r.p2pLostTypes).length
          ? ` [${Object.entries(r.p2pLostTypes)
              .map(([t, n]) => `${t} ${n}`)
              .join(", ")}]`
          : ""),
      Object.entries(r.upKiBTo)
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([to, kib]) => `${shortTag(to)}: ${kib.toFixed(0)}`)
        .join(", ") || "-",
      r.roles.join(" > ") || "-",
    ]),
  );
}
