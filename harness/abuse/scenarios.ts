// One row of the abuse suite: start a flood (or none, the control), give it a head start,
// run the honest pair of that row through it, stop the flood, and return both sides. Each
// row has its own tracker channel (claim room and report stream), so a row's flood cannot
// leak into the next row's swarm, and /api/stats for it holds only that pair. Every row
// plays the same stream, the built-in live channel, and the squat aims at the info_hash its
// viewers announce. Sizes come from the caller: the bench floods at the scale, the
// test smaller. Orchestration only: floods.ts sends, honest-pair.ts measures.
import { claimFlood, reportFlood, socketFlood, squatFlood, type Flood, type FloodCounters } from "./floods.ts";
import { runHonestPair, type PairResult } from "./honest-pair.ts";
import type { MeteringProxy } from "../metering-proxy.ts";
import type { TrackerTap } from "./tracker-tap.ts";

export const FLOOD_KINDS = ["control", "H1", "M1", "M2", "L1"] as const;
export type FloodKind = (typeof FLOOD_KINDS)[number];

export const FLOOD_TITLES: Record<FloodKind, string> = {
  control: "control (no flood)",
  H1: "H1 swarm squat",
  M1: "M1 report flood",
  M2: "M2 socket flood",
  L1: "L1 claim flood",
};

export interface FloodSizes {
  /** H1: sockets tried, peer_ids announced on each, socket opens/s, re-announce period. */
  squat: { sockets: number; peersPerSocket: number; ratePerS: number; reannounceMs: number };
  /** M1: reports posted and their rate. */
  reports: { count: number; ratePerS: number };
  /** M2: sockets tried, their rate, and how soon a closed one is reopened. */
  sockets: { count: number; ratePerS: number; reopenMs: number };
  /** L1: claims sent and their rate. */
  claims: { count: number; ratePerS: number };
}

export interface RowContext {
  workerUrl: string;
  wsUrl: string;
  meter: MeteringProxy;
  tap: TrackerTap;
  /** The info_hash the pair's viewers announce (swarm-hash.ts viewerInfoHash of their master URL). */
  infoHash: string;
  /** A media playlist of the live channel, for the claim flood's invented segment names. */
  mediaPlaylistUrl: string;
  /** Channel prefix, unique per run (the integration project shares one Worker). */
  prefix: string;
  joinGapMs: number;
  watchMs: number;
  /** Head start the flood gets before the first honest viewer joins. */
  leadMs: number;
}

export interface RowResult {
  kind: FloodKind;
  channel: string;
  pair: PairResult;
  /** What the Worker answered the flood; undefined for the control row. */
  flood?: FloodCounters;
  /** The flood was still sending for the whole watch (its planned requests outlasted it). */
  floodOutlasted?: boolean;
}

function startFlood(kind: FloodKind, channel: string, ctx: RowContext, sizes: FloodSizes): Flood | undefined {
  switch (kind) {
    case "control":
      return undefined;
    case "H1":
      return squatFlood({ wsUrl: ctx.wsUrl, channel, infoHash: ctx.infoHash, ...sizes.squat });
    case "M1":
      return reportFlood({ url: ctx.workerUrl, stream: channel, reports: sizes.reports.count, ratePerS: sizes.reports.ratePerS });
    case "M2":
      return socketFlood({ wsUrl: ctx.wsUrl, channel, sockets: sizes.sockets.count, ratePerS: sizes.sockets.ratePerS, reopenMs: sizes.sockets.reopenMs });
    case "L1":
      return claimFlood({
        url: ctx.workerUrl,
        wsUrl: ctx.wsUrl,
        channel,
        mediaPlaylistUrl: ctx.mediaPlaylistUrl,
        claims: sizes.claims.count,
        ratePerS: sizes.claims.ratePerS,
        infoHash: ctx.infoHash,
      });
  }
}

export async function runRow(kind: FloodKind, ctx: RowContext, sizes: FloodSizes): Promise<RowResult> {
  const channel = `${ctx.prefix}-${kind.toLowerCase()}`;
  const flood = startFlood(kind, channel, ctx, sizes);
  let done = false;
  void flood?.launched.then(() => (done = true));
  try {
    await new Promise((r) => setTimeout(r, ctx.leadMs));
    const pair = await runHonestPair({
      workerUrl: ctx.workerUrl,
      meter: ctx.meter,
      tap: ctx.tap,
      channel,
      prefix: channel,
      joinGapMs: ctx.joinGapMs,
      watchMs: ctx.watchMs,
    });
    return { kind, channel, pair, flood: flood?.counters, floodOutlasted: flood ? !done : undefined };
  } finally {
    await flood?.stop();
  }
}
