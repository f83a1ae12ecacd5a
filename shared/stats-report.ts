// Wire format of POST /api/report (client → Worker) and GET /api/stats (Worker → dashboard).
// Pure: parse and types only. No storage, no Request/Response. The client builds its reports
// and the demo reads the reply with these types, so all three agree on the counter names.
import { MAX_COUNTER, MAX_PEERS } from "./limits";
import type { Result } from "./result";
import { CHANNEL_RE, CHANNEL_RULE, VIEWER_ID_RE, VIEWER_ID_RULE } from "./names";

/** Segment error kinds a client counts. Unknown keys in a report are refused, not ignored. */
export const ERROR_TYPES = [
  "p2p-hash-mismatch", // peer sent bytes whose SHA-256 differs from the Worker's: peer dropped
  "p2p-hash-unknown", // peer offered a segment the Worker published no hash for: refused
  "p2p-failed", // peer closed, timed out or broke the protocol mid-segment
  "http-failed", // the Worker or CDN answered with an error or the transfer broke
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];
export type ErrorCounts = Record<ErrorType, number>;

export const REPORT_VERSION = 1;

/** One report: totals since the page loaded (not deltas, so a retried or lost report is harmless). */
export interface Report {
  v: typeof REPORT_VERSION;
  stream: string;
  viewer: string;
  /** Bytes downloaded over HTTP (origin egress). */
  http: number;
  /** Bytes downloaded from peers and verified. */
  p2p: number;
  /** Bytes uploaded to peers. */
  up: number;
  /** Peers connected right now (a gauge, not a total). */
  peers: number;
  errors: ErrorCounts;
  /**
   * The reporter's peer_id on the stream's tracker (one of its announces). A new viewer row is
   * counted only for a peer_id the tracker has seen on that stream, or with a viewer token.
   */
  peer?: string;
}

const REPORT_KEYS = new Set(["v", "stream", "viewer", "http", "p2p", "up", "peers", "errors", "peer"]);

/** A tracker peer_id as the tracker checks it: 20 chars, each char code ≤ 255. */
function isPeerId(x: unknown): x is string {
  if (typeof x !== "string" || x.length !== 20) return false;
  for (let i = 0; i < x.length; i++) if (x.charCodeAt(i) > 255) return false;
  return true;
}

function isCounter(x: unknown, max = MAX_COUNTER): x is number {
  return typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= max;
}

export function emptyErrors(): ErrorCounts {
  return { "p2p-hash-mismatch": 0, "p2p-hash-unknown": 0, "p2p-failed": 0, "http-failed": 0 };
}

/** Checks every field of a decoded JSON value; returns a typed report or why it was refused. */
export function parseReport(raw: unknown): Result<Report> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { ok: false, reason: "report must be a JSON object" };
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!REPORT_KEYS.has(k)) return { ok: false, reason: `unknown field: ${k.slice(0, 32)}` };
  if (r.v !== REPORT_VERSION) return { ok: false, reason: `v must be ${REPORT_VERSION}` };
  if (typeof r.stream !== "string" || !CHANNEL_RE.test(r.stream)) return { ok: false, reason: `stream must match ${CHANNEL_RULE}` };
  if (typeof r.viewer !== "string" || !VIEWER_ID_RE.test(r.viewer)) return { ok: false, reason: `viewer must match ${VIEWER_ID_RULE}` };
  const { http, p2p, up, peers } = r;
  const notCounter = (k: string) => ({ ok: false as const, reason: `${k} must be a non-negative integer` });
  if (!isCounter(http)) return notCounter("http");
  if (!isCounter(p2p)) return notCounter("p2p");
  if (!isCounter(up)) return notCounter("up");
  if (!isCounter(peers, MAX_PEERS)) return { ok: false, reason: `peers must be an integer in 0..${MAX_PEERS}` };
  if (r.peer !== undefined && !isPeerId(r.peer)) return { ok: false, reason: "peer must be a 20-char tracker peer_id (char codes ≤ 255)" };
  const errors = emptyErrors();
  if (r.errors !== undefined) {
    if (typeof r.errors !== "object" || r.errors === null || Array.isArray(r.errors)) return { ok: false, reason: "errors must be an object" };
    for (const [k, n] of Object.entries(r.errors as Record<string, unknown>)) {
      if (!(ERROR_TYPES as readonly string[]).includes(k)) return { ok: false, reason: `unknown error type: ${k.slice(0, 32)}` };
      if (!isCounter(n)) return { ok: false, reason: `errors.${k} must be a non-negative integer` };
      errors[k as ErrorType] = n;
    }
  }
  const value: Report = { v: REPORT_VERSION, stream: r.stream, viewer: r.viewer, http, p2p, up, peers, errors };
  if (isPeerId(r.peer)) value.peer = r.peer;
  return { ok: true, value };
}

/** Per-stream figures served by GET /api/stats. */
export interface StreamStats {
  stream: string;
  /** Viewers that reported within VIEWER_TTL_MS. */
  viewers: number;
  /** Peer connections reported by live viewers (each link counted from both ends). */
  peers: number;
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
  /** p2p / (http + p2p); 0 when nothing was downloaded. */
  offload: number;
  /** Origin egress avoided: every verified peer byte is one the Worker did not send. */
  bytesSaved: number;
  errors: ErrorCounts;
}

export interface StatsReply {
  generatedAt: number;
  streams: StreamStats[];
  totals: Omit<StreamStats, "stream">;
}
