// What the dashboard shows, computed from two successive polls: one row per stream
// (viewer reports joined with the tracker channel of the same name), totals, and
// message/byte rates derived from counter deltas. Pure: snapshots and times in, rows out.
// No fetching and no DOM (dashboard.ts does both).
import type { StatsSnapshot, StreamFigures, TrackerFigures, TrackerSnapshot } from "./api";
import { ratesBetween, type Snapshot } from "./rates";

export interface StreamRow extends StreamFigures {
  /** Peers the tracker holds for this stream's channel, or null when it reports none. */
  trackerPeers: number | null;
  /** Tracker messages per second on this channel (all types), null on the first poll. */
  trackerRate: number | null;
  /** Peer segments refused by the hash check. */
  rejected: number;
}

export interface Poll {
  at: number;
  stats: StatsSnapshot | null;
  tracker: TrackerSnapshot | null;
}

export interface DashboardView {
  rows: StreamRow[];
  /** Per-type tracker message rates (all channels), null on the first poll. */
  messageRates: Record<string, number> | null;
  messageTotals: Record<string, number>;
  messageRateTotal: number | null;
  /** Bytes per second over HTTP / from peers across all streams, null on the first poll. */
  byteRates: { http: number; p2p: number } | null;
}

const EMPTY: Omit<StreamFigures, "stream"> = {
  viewers: 0,
  peers: 0,
  httpBytes: 0,
  p2pBytes: 0,
  uploadedBytes: 0,
  offload: null,
  bytesSaved: 0,
  errors: {},
};

function sum(rec: Record<string, number>): number {
  return Object.values(rec).reduce((a, b) => a + b, 0);
}

function messageSnapshot(at: number, t: TrackerFigures | undefined): Snapshot {
  return { at, counters: t ? { ...t.messages } : {} };
}

export function dashboardView(prev: Poll | null, cur: Poll): DashboardView {
  const channels = cur.tracker?.channels ?? {};
  const names = new Set<string>([...(cur.stats?.streams.map((s) => s.stream) ?? []), ...Object.keys(channels)]);
  const byName = new Map(cur.stats?.streams.map((s) => [s.stream, s]) ?? []);
  const rows: StreamRow[] = [];
  for (const name of names) {
    const s = byName.get(name) ?? { stream: name, ...EMPTY };
    const ch = channels[name];
    let trackerRate: number | null = null;
    if (ch && prev?.tracker) {
      const r = ratesBetween(messageSnapshot(prev.at, prev.tracker.channels[name]), messageSnapshot(cur.at, ch));
      trackerRate = r ? sum(r) : null;
    }
    const rejected = Object.entries(s.errors)
      .filter(([k]) => k.startsWith("p2p-hash"))
      .reduce((a, [, v]) => a + v, 0);
    rows.push({ ...s, trackerPeers: ch ? ch.peers : null, trackerRate, rejected });
  }
  // Busiest streams first; ties by name so rows do not jump between polls.
  rows.sort((a, b) => b.viewers - a.viewers || (b.trackerPeers ?? 0) - (a.trackerPeers ?? 0) || a.stream.localeCompare(b.stream));

  const messageTotals = cur.tracker?.messages ?? {};
  const messageRates = prev?.tracker && cur.tracker ? ratesBetween(messageSnapshot(prev.at, prev.tracker), messageSnapshot(cur.at, cur.tracker)) : null;
  let byteRates: DashboardView["byteRates"] = null;
  if (prev?.stats && cur.stats) {
    const r = ratesBetween(
      { at: prev.at, counters: { http: prev.stats.totals.httpBytes, p2p: prev.stats.totals.p2pBytes } },
      { at: cur.at, counters: { http: cur.stats.totals.httpBytes, p2p: cur.stats.totals.p2pBytes } },
    );
    if (r) byteRates = { http: r.http ?? 0, p2p: r.p2p ?? 0 };
  }
  return { rows, messageRates, messageTotals, messageRateTotal: messageRates ? sum(messageRates) : null, byteRates };
}

/** Tracker counter names as people read them. Unknown names pass through unchanged. */
export const MESSAGE_LABELS: Record<string, string> = {
  announce: "Announces",
  started: "Started",
  stopped: "Stopped",
  completed: "Completed",
  scrape: "Scrapes",
  offerRelayed: "Offers relayed",
  offerUnmatched: "Offers with no peer to go to",
  answerRelayed: "Answers relayed",
  answerDropped: "Answers dropped",
  failure: "Failure replies",
  abuseClosed: "Sockets closed for abuse",
  expired: "Peers expired",
};
