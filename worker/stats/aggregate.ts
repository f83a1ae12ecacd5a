// Pure aggregation rules for viewer reports: whether a report may replace a viewer's last
// totals, and how live and departed viewers add up to per-stream figures. No storage and
// no clock of its own (callers pass `now`), so every rule is unit-tested in Node.
import { MAX_COUNTER } from "../../shared/limits";
import {
  DOWNLOAD_HEADROOM,
  FIRST_REPORT_WINDOW_S,
  JOIN_ALLOWANCE_S,
  MAX_BYTES_PER_SECOND,
  MAX_ERRORS_PER_SECOND,
  MAX_MEDIA_BYTES_PER_S,
  UPLOAD_FACTOR,
} from "./limits";
import { ERROR_TYPES, emptyErrors, type ErrorCounts, type Report, type StreamStats } from "../../shared/stats-report";

/** Byte and error totals; what a departed viewer leaves behind in its stream. */
export interface Totals {
  http: number;
  p2p: number;
  up: number;
  errors: ErrorCounts;
}

export interface ViewerRow extends Totals {
  stream: string;
  viewer: string;
  peers: number;
  /** Since when the viewer is known: the tracker's first sighting of its peer_id, or its first report. */
  firstSeen: number;
  lastSeen: number;
  /** The tracker peer_id that vouched for the row (peerKey form); one peer_id backs one row. */
  peer?: string;
}

export type ApplyResult = { ok: true; row: ViewerRow } | { ok: false; status: number; reason: string };

const BYTE_KEYS = ["http", "p2p", "up"] as const;

export function emptyTotals(): Totals {
  return { http: 0, p2p: 0, up: 0, errors: emptyErrors() };
}

/**
 * Most bytes (http + p2p) a viewer known since `since` can have downloaded by `now`: the
 * highest plausible media bitrate with headroom, over its time plus a join allowance.
 */
export function maxDownload(since: number, now: number): number {
  return (Math.max(0, now - since) / 1000 + JOIN_ALLOWANCE_S) * MAX_MEDIA_BYTES_PER_S * DOWNLOAD_HEADROOM;
}

/** A peer_id as stored (hex of its char codes: peer_ids may hold any char code up to 255). */
export function peerKey(peer: string): string {
  let out = "";
  for (let i = 0; i < peer.length; i++) out += peer.charCodeAt(i).toString(16).padStart(2, "0");
  return out;
}

/**
 * Accepts a report as the viewer's new totals, or refuses it. Totals only grow (a page
 * keeps counting until it unloads), can grow no faster than a real connection could move
 * bytes since the previous report, and in all can be no more than a viewer could have
 * watched since it was first known (maxDownload; uploads UPLOAD_FACTOR times that), so a
 * hostile page cannot inflate a stream. `since`: when a new viewer was first known (the
 * tracker's sighting of its peer_id); an existing row keeps its own firstSeen.
 */
export function applyReport(prev: ViewerRow | undefined, report: Report, now: number, since = now): ApplyResult {
  // A clock step backwards (or the first report) gets the minimum window, never a negative one.
  const seconds = prev ? Math.max(1, (now - prev.lastSeen) / 1000) : FIRST_REPORT_WINDOW_S;
  const maxBytes = MAX_BYTES_PER_SECOND * seconds;
  const maxErrors = MAX_ERRORS_PER_SECOND * seconds;
  for (const k of BYTE_KEYS) {
    const before = prev ? prev[k] : 0;
    if (report[k] < before) return { ok: false, status: 409, reason: `${k} went backwards (totals only grow)` };
    if (report[k] - before > maxBytes) return { ok: false, status: 422, reason: `${k} grew faster than ${MAX_BYTES_PER_SECOND} bytes/s` };
  }
  for (const k of ERROR_TYPES) {
    const before = prev ? prev.errors[k] : 0;
    if (report.errors[k] < before) return { ok: false, status: 409, reason: `errors.${k} went backwards (totals only grow)` };
    if (report.errors[k] - before > maxErrors) return { ok: false, status: 422, reason: `errors.${k} grew implausibly fast` };
  }
  const firstSeen = prev ? prev.firstSeen : Math.min(now, since);
  const maxDown = maxDownload(firstSeen, now);
  if (report.http + report.p2p > maxDown) {
    return { ok: false, status: 422, reason: `http + p2p exceed what a viewer can download in its time (${Math.round(maxDown)} bytes)` };
  }
  if (report.up > UPLOAD_FACTOR * maxDown) {
    return { ok: false, status: 422, reason: `up exceeds what a viewer can upload in its time (${Math.round(UPLOAD_FACTOR * maxDown)} bytes)` };
  }
  const peer = prev ? prev.peer : report.peer === undefined ? undefined : peerKey(report.peer);
  return {
    ok: true,
    row: {
      stream: report.stream,
      viewer: report.viewer,
      http: report.http,
      p2p: report.p2p,
      up: report.up,
      peers: report.peers,
      errors: { ...report.errors },
      firstSeen,
      lastSeen: now,
      ...(peer === undefined ? {} : { peer }),
    },
  };
}

/** Adds b into a (saturating at 2^53, so a sum never loses integer precision). */
export function addTotals(a: Totals, b: Totals): Totals {
  const add = (x: number, y: number) => Math.min(MAX_COUNTER, x + y);
  const errors = emptyErrors();
  for (const k of ERROR_TYPES) errors[k] = add(a.errors[k], b.errors[k]);
  return { http: add(a.http, b.http), p2p: add(a.p2p, b.p2p), up: add(a.up, b.up), errors };
}

export function offloadRatio(http: number, p2p: number): number {
  const total = http + p2p;
  return total === 0 ? 0 : p2p / total;
}

/** Figures for one stream: bytes of departed viewers (`retired`) plus those of live ones. */
export function summarize(stream: string, retired: Totals, live: readonly ViewerRow[]): StreamStats {
  let t = retired;
  let peers = 0;
  for (const v of live) {
    t = addTotals(t, v);
    peers += v.peers;
  }
  return { stream, ...figures(t, live.length, peers) };
}

/** Sums per-stream figures into one line (offload recomputed from bytes, not averaged). */
export function sumStreams(list: readonly StreamStats[]): Omit<StreamStats, "stream"> {
  let t = emptyTotals();
  let viewers = 0;
  let peers = 0;
  for (const s of list) {
    t = addTotals(t, { http: s.httpBytes, p2p: s.p2pBytes, up: s.uploadedBytes, errors: s.errors });
    viewers += s.viewers;
    peers += s.peers;
  }
  return figures(t, viewers, peers);
}

/** The published figures of byte totals (offload from bytes; bytes saved are bytes from peers). */
function figures(t: Totals, viewers: number, peers: number): Omit<StreamStats, "stream"> {
  return { viewers, peers, httpBytes: t.http, p2pBytes: t.p2p, uploadedBytes: t.up, offload: offloadRatio(t.http, t.p2p), bytesSaved: t.p2p, errors: t.errors };
}

/** Which shard of STATS_SHARDS a stream's reports go to (FNV-1a: stable, cheap, well spread). */
export function shardOf(stream: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) {
    h ^= stream.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

/** Durable Object name of shard i (index.ts routes by it; tests reach shards directly by it). */
export function shardName(i: number): string {
  return `stats-shard-${i}`;
}
