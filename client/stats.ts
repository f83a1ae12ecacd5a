// Pure arithmetic over the viewer's counters: bytes by source, uploads, peers, segment
// errors by type, and the offload ratio. No timers, no I/O; the stats plug-in (plugins/stats.ts) feeds it events.
import { ERROR_TYPES, emptyErrors, type ErrorCounts, type ErrorType } from "../shared/stats-report";

export type { ErrorCounts, ErrorType };
export { ERROR_TYPES };

/** What `handle.stats()` returns and the `stats` event carries. */
export interface Stats {
  /** Bytes fetched over HTTP (what the origin/CDN bills), including transfers cut short. */
  httpBytes: number;
  /** Bytes received from peers that passed the SHA-256 check. */
  p2pBytes: number;
  /** Bytes received from peers and thrown away (failed check or unknown hash). */
  p2pRejectedBytes: number;
  /** Bytes sent to peers. */
  uploadedBytes: number;
  /** Peer connections open now. */
  peers: number;
  /** p2pBytes / (httpBytes + p2pBytes); 0 before any byte arrived. */
  offload: number;
  /** Segment errors by type (see worker/stats/report.ts). */
  errors: ErrorCounts;
  /** Whether this viewer is uploading (upload policy, data-upload). */
  uploading: boolean;
  /** "p2p" (hls.js + P2P), "http" (hls.js only), "native" (browser HLS, no MSE). */
  mode: "p2p" | "http" | "native";
}

export interface Counters {
  httpBytes: number;
  p2pBytes: number;
  p2pRejectedBytes: number;
  uploadedBytes: number;
  peers: Set<string>;
  errors: ErrorCounts;
}

export function newCounters(): Counters {
  return { httpBytes: 0, p2pBytes: 0, p2pRejectedBytes: 0, uploadedBytes: 0, peers: new Set(), errors: emptyErrors() };
}

/** Adds a byte count, ignoring anything that is not a finite non-negative number. */
function safeAdd(total: number, n: number): number {
  return Number.isFinite(n) && n > 0 ? total + Math.floor(n) : total;
}

export function addHttp(c: Counters, bytes: number): void {
  c.httpBytes = safeAdd(c.httpBytes, bytes);
}
export function addP2P(c: Counters, bytes: number): void {
  c.p2pBytes = safeAdd(c.p2pBytes, bytes);
}
export function addRejected(c: Counters, bytes: number): void {
  c.p2pRejectedBytes = safeAdd(c.p2pRejectedBytes, bytes);
}
export function addUploaded(c: Counters, bytes: number): void {
  c.uploadedBytes = safeAdd(c.uploadedBytes, bytes);
}
export function countError(c: Counters, type: ErrorType): void {
  c.errors[type] += 1;
}

export function offload(httpBytes: number, p2pBytes: number): number {
  const total = httpBytes + p2pBytes;
  return total > 0 ? p2pBytes / total : 0;
}

export function snapshot(c: Counters, uploading: boolean, mode: Stats["mode"]): Stats {
  return {
    httpBytes: c.httpBytes,
    p2pBytes: c.p2pBytes,
    p2pRejectedBytes: c.p2pRejectedBytes,
    uploadedBytes: c.uploadedBytes,
    peers: c.peers.size,
    offload: offload(c.httpBytes, c.p2pBytes),
    errors: { ...c.errors },
    uploading,
    mode,
  };
}

/**
 * Maps a p2p-media-loader segment error to our error types; null for errors that are normal
 * scheduling (the core aborts requests it no longer needs) or already counted by the hash check.
 */
export function classifySegmentError(source: "http" | "p2p", coreType: string): ErrorType | null {
  if (coreType === "abort") return null;
  if (coreType === "p2p-segment-validation-failed") return null; // counted by integrity as mismatch/unknown
  if (coreType === "peer-segment-absent") return null; // flow control: the peer was busy uploading (segment-store.ts)
  return source === "p2p" ? "p2p-failed" : "http-failed";
}

/** Subtracts a baseline (the reporter's last acknowledged totals); never below zero. */
export function minus(
  now: Stats,
  base: Pick<Stats, "httpBytes" | "p2pBytes" | "uploadedBytes" | "errors">,
): Pick<Stats, "httpBytes" | "p2pBytes" | "uploadedBytes" | "errors"> {
  const errors = emptyErrors();
  for (const k of ERROR_TYPES) errors[k] = Math.max(0, now.errors[k] - base.errors[k]);
  return {
    httpBytes: Math.max(0, now.httpBytes - base.httpBytes),
    p2pBytes: Math.max(0, now.p2pBytes - base.p2pBytes),
    uploadedBytes: Math.max(0, now.uploadedBytes - base.uploadedBytes),
    errors,
  };
}
