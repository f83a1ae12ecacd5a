// WebTorrent tracker wire format: parse a client frame into a typed InMessage,
// serialize an OutMessage into the exact JSON bittorrent-tracker's client expects.
// Pure: no sockets, no storage, no swarm state. Errors are values, never throws.
// Reference: node_modules/bittorrent-tracker/lib/server/parse-websocket.js and
// server.js (_onWebSocketRequest) for shapes; lib/client/websocket-tracker.js for
// what the client accepts.
import { MAX_PEERS } from "../../shared/limits";
import {
  MAX_FRAME_CHARS,
  MAX_NUMWANT,
  MAX_OFFERS_PER_ANNOUNCE,
  MAX_SCRAPE_HASHES,
  MAX_SDP_CHARS,
  OFFER_ID_CHARS,
  ANNOUNCE_INTERVAL_S,
  FETCHER_CLASSES,
  MAX_REPORTED_BPS,
  MAX_SEGMENT_SECONDS,
  MAX_REPORTED_SEGMENT_BYTES,
  VIEWER_REPORT_S,
} from "./limits";

/** Session description as simple-peer signals it with trickle off. Only these two fields are relayed. */
export interface Sdp {
  type: "offer" | "answer";
  sdp: string;
}
export interface Offer {
  offer: Sdp;
  offerId: string;
}
/** `paused`/`empty`/absent are folded into `update`, as bittorrent-tracker does. */
export type AnnounceEvent = "started" | "stopped" | "completed" | "update";

export interface AnnounceIn {
  action: "announce";
  infoHash: string;
  peerId: string;
  event: AnnounceEvent;
  /** Offers wanted relayed: min(numwant, offers.length). */
  numwant: number;
  /** true when `left` is 0 (a seeder); absent `left` means incomplete, like bittorrent-tracker (NaN → Infinity). */
  complete: boolean;
  offers: Offer[];
  /** Malformed offers left out of `offers` (bad shape, offer_id or SDP, or a repeated
   * offer_id); present only when some were. The rest of the announce stands. */
  droppedOffers?: number;
}
export interface AnswerIn {
  action: "answer";
  infoHash: string;
  peerId: string;
  toPeerId: string;
  offerId: string;
  answer: Sdp;
}
export interface ScrapeIn {
  action: "scrape";
  infoHashes: string[];
}
/**
 * EdgeSwarm's own frame (never sent by stock WebTorrent clients): what a viewer delivered to
 * its peers and what its stream looks like, every VIEWER_REPORT_S, for the fetcher policy
 * (fetchers.ts). Wire: `{ action: "es_report", info_hash, peer_id, up, rate, peers, seg_bytes,
 * seg_s, budget_s }`; `rate` is null until the viewer has sent a whole segment.
 */
export interface ReportIn {
  action: "es_report";
  infoHash: string;
  peerId: string;
  /** Bytes/s delivered to peers over the last minute. */
  up: number;
  /** Bytes per second of sending while it delivered segments, or null. */
  rate: number | null;
  peers: number;
  segmentBytes: number;
  segmentSeconds: number;
  /** Seconds between a segment's appearance and its play deadline at this viewer. */
  budgetSeconds: number;
}
export type InMessage = AnnounceIn | AnswerIn | ScrapeIn | ReportIn;

export interface AnnounceReplyOut {
  type: "announce-reply";
  infoHash: string;
  complete: number;
  incomplete: number;
  /** bittorrent-tracker's client emits `warning message` as a warning without failing. */
  warning?: string;
}
export interface OfferOut {
  type: "offer";
  infoHash: string;
  peerId: string;
  offerId: string;
  offer: Sdp;
}
export interface AnswerOut {
  type: "answer";
  infoHash: string;
  peerId: string;
  offerId: string;
  answer: Sdp;
}
export interface ScrapeFile {
  infoHash: string;
  complete: number;
  incomplete: number;
  downloaded: number;
}
export interface ScrapeReplyOut {
  type: "scrape-reply";
  files: ScrapeFile[];
}
export interface FailureOut {
  type: "failure";
  reason: string;
  action?: "announce" | "scrape";
  infoHash?: string;
}
/**
 * The shard's answer to es_report frames. Mode "claims": the swarm has no proven viewer yet,
 * so the viewer claims new segments at the edge as before (shared/claim.ts). Mode "roles":
 * the segment classes (seq mod `of`) this viewer fetches over HTTP as soon as they are
 * published (none: it never asks the edge), and the swarm's fetchers per segment.
 * Sent only to sockets that sent es_report, when their role changes (and on the first).
 * `bucket` is this shard's bucket: a viewer that reconnects asks for it (?es_bucket=).
 * Wire: `{ action: "es_role", info_hash, mode, classes, of, m, report_s, bucket }`.
 */
export interface RoleOut {
  type: "role";
  infoHash: string;
  mode: "claims" | "roles";
  classes: number[];
  m: number;
  bucket: number;
}
export type OutMessage = AnnounceReplyOut | OfferOut | AnswerOut | ScrapeReplyOut | FailureOut | RoleOut;

/** A refused frame. action/infoHash are echoed when known so the client routes the
 * failure to the right swarm as a warning; bittorrent-tracker's client treats a
 * frame without `action` as a socket error and reconnects. */
export interface ParseFailure {
  ok: false;
  reason: string;
  action?: "announce" | "scrape";
  infoHash?: string;
}
export type ParseResult = { ok: true; msg: InMessage } | ParseFailure;

type Json = Record<string, unknown>;

/** 20 chars, one per byte (char code ≤ 0xFF): the binary-string form bittorrent-tracker uses. */
export function isBinaryString(v: unknown, length: number): v is string {
  if (typeof v !== "string" || v.length !== length) return false;
  for (let i = 0; i < length; i++) if (v.charCodeAt(i) > 0xff) return false;
  return true;
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseSdp(v: unknown, type: Sdp["type"]): Sdp | null {
  if (!isObject(v)) return null;
  if (v.type !== type) return null;
  if (typeof v.sdp !== "string" || v.sdp.length === 0 || v.sdp.length > MAX_SDP_CHARS) return null;
  return { type, sdp: v.sdp };
}

/** Optional non-negative finite number (uploaded/downloaded/left); null/absent → undefined. */
function optCount(v: unknown): number | undefined | false {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) return false;
  return v;
}

function fail(reason: string, action?: "announce" | "scrape", infoHash?: string): ParseFailure {
  const f: ParseFailure = { ok: false, reason };
  if (action) f.action = action;
  if (infoHash !== undefined) f.infoHash = infoHash;
  return f;
}

/** Decodes one WebSocket frame. Binary frames are read as UTF-8 text (the ws client may send either). */
export function parse(raw: string | ArrayBuffer): ParseResult {
  let text: string;
  if (typeof raw === "string") {
    text = raw;
  } else {
    if (raw.byteLength > MAX_FRAME_CHARS) return fail("frame too large");
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(raw);
    } catch {
      return fail("invalid JSON");
    }
  }
  if (text.length > MAX_FRAME_CHARS) return fail("frame too large");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return fail("invalid JSON");
  }
  if (!isObject(data)) return fail("frame must be a JSON object");
  if (data.action === "announce") return parseAnnounce(data);
  if (data.action === "scrape") return parseScrape(data);
  if (data.action === "es_report") return parseReport(data);
  return fail("invalid action");
}

function parseAnnounce(d: Json): ParseResult {
  if (!isBinaryString(d.info_hash, 20)) return fail("invalid info_hash", "announce");
  const infoHash = d.info_hash;
  const f = (reason: string) => fail(reason, "announce", infoHash);
  if (!isBinaryString(d.peer_id, 20)) return f("invalid peer_id");
  const peerId = d.peer_id;

  if (d.answer !== undefined) {
    if (d.offers !== undefined) return f("answer and offers in one frame");
    if (!isBinaryString(d.to_peer_id, 20)) return f("invalid to_peer_id");
    if (!isBinaryString(d.offer_id, OFFER_ID_CHARS)) return f("invalid offer_id");
    const answer = parseSdp(d.answer, "answer");
    if (!answer) return f("invalid answer");
    return { ok: true, msg: { action: "answer", infoHash, peerId, toPeerId: d.to_peer_id, offerId: d.offer_id, answer } };
  }

  let event: AnnounceEvent;
  switch (d.event) {
    case "started":
    case "stopped":
    case "completed":
    case "update":
      event = d.event;
      break;
    case undefined:
    case null:
    case "":
    case "empty":
    case "paused":
      event = "update";
      break;
    default:
      return f("invalid event");
  }
  for (const key of ["uploaded", "downloaded"] as const) {
    if (optCount(d[key]) === false) return f(`invalid ${key}`);
  }
  const left = optCount(d.left);
  if (left === false) return f("invalid left");

  let numwant = MAX_NUMWANT;
  if (d.numwant !== undefined && d.numwant !== null) {
    if (typeof d.numwant !== "number" || !Number.isInteger(d.numwant) || d.numwant < 0) return f("invalid numwant");
    numwant = Math.min(d.numwant, MAX_NUMWANT);
  }

  const offers: Offer[] = [];
  let dropped = 0;
  if (d.offers !== undefined && d.offers !== null) {
    if (!Array.isArray(d.offers)) return f("invalid offers");
    if (d.offers.length > MAX_OFFERS_PER_ANNOUNCE) return f("too many offers");
    const seen = new Set<string>();
    // One bad offer costs only itself: bittorrent-tracker's server relays whatever it is
    // given, and its own client tests announce placeholder offers, so refusing the whole
    // announce would leave a peer out of its swarm for one malformed entry.
    for (const o of d.offers) {
      const offer = parseOffer(o, seen);
      if (offer) offers.push(offer);
      else dropped++;
    }
  }
  const msg: AnnounceIn = { action: "announce", infoHash, peerId, event, numwant, complete: left === 0, offers };
  if (dropped > 0) msg.droppedOffers = dropped;
  return { ok: true, msg };
}

/** One entry of `offers`, or null when malformed or its offer_id repeats one in `seen` (which it joins). */
function parseOffer(o: unknown, seen: Set<string>): Offer | null {
  if (!isObject(o) || !isBinaryString(o.offer_id, OFFER_ID_CHARS) || seen.has(o.offer_id)) return null;
  const offer = parseSdp(o.offer, "offer");
  if (!offer) return null;
  seen.add(o.offer_id);
  return { offer, offerId: o.offer_id };
}

function parseScrape(d: Json): ParseResult {
  const raw = d.info_hash;
  const list = typeof raw === "string" ? [raw] : raw;
  if (!Array.isArray(list) || list.length === 0) return fail("invalid info_hash", "scrape");
  if (list.length > MAX_SCRAPE_HASHES) return fail("too many info_hash", "scrape");
  const infoHashes: string[] = [];
  for (const h of list) {
    if (!isBinaryString(h, 20)) return fail("invalid info_hash", "scrape");
    if (!infoHashes.includes(h)) infoHashes.push(h);
  }
  return { ok: true, msg: { action: "scrape", infoHashes } };
}

function parseReport(d: Json): ParseResult {
  if (!isBinaryString(d.info_hash, 20)) return fail("invalid info_hash");
  if (!isBinaryString(d.peer_id, 20)) return fail("invalid peer_id");
  const rate = d.rate === null ? null : d.rate;
  if (!isRate(d.up)) return fail("invalid up");
  if (rate !== null && !isRate(rate)) return fail("invalid rate");
  if (typeof d.peers !== "number" || !Number.isInteger(d.peers) || d.peers < 0 || d.peers > MAX_PEERS) return fail("invalid peers");
  const { seg_bytes: bytes, seg_s: seconds, budget_s: budget } = d;
  if (typeof bytes !== "number" || !Number.isInteger(bytes) || bytes < 1 || bytes > MAX_REPORTED_SEGMENT_BYTES) return fail("invalid seg_bytes");
  if (!isSeconds(seconds) || !isSeconds(budget)) return fail("invalid seg_s or budget_s");
  return {
    ok: true,
    msg: {
      action: "es_report",
      infoHash: d.info_hash,
      peerId: d.peer_id,
      up: d.up,
      rate,
      peers: d.peers,
      segmentBytes: bytes,
      segmentSeconds: seconds,
      budgetSeconds: budget,
    },
  };
}

function isRate(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= MAX_REPORTED_BPS;
}

function isSeconds(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v > 0 && v <= MAX_SEGMENT_SECONDS;
}

/** The JSON text for one outgoing message, field for field as bittorrent-tracker's server sends it. */
export function serialize(m: OutMessage): string {
  switch (m.type) {
    case "announce-reply":
      return JSON.stringify({
        action: "announce",
        interval: ANNOUNCE_INTERVAL_S,
        info_hash: m.infoHash,
        complete: m.complete,
        incomplete: m.incomplete,
        ...(m.warning !== undefined ? { "warning message": m.warning } : {}),
      });
    case "offer":
      return JSON.stringify({ action: "announce", offer: m.offer, offer_id: m.offerId, peer_id: m.peerId, info_hash: m.infoHash });
    case "answer":
      return JSON.stringify({ action: "announce", answer: m.answer, offer_id: m.offerId, peer_id: m.peerId, info_hash: m.infoHash });
    case "scrape-reply": {
      const files: Record<string, { complete: number; incomplete: number; downloaded: number }> = {};
      for (const f of m.files) files[f.infoHash] = { complete: f.complete, incomplete: f.incomplete, downloaded: f.downloaded };
      return JSON.stringify({ action: "scrape", files, flags: { min_request_interval: ANNOUNCE_INTERVAL_S } });
    }
    case "role":
      return JSON.stringify({
        action: "es_role",
        info_hash: m.infoHash,
        mode: m.mode,
        classes: m.classes,
        of: FETCHER_CLASSES,
        m: m.m,
        report_s: VIEWER_REPORT_S,
        bucket: m.bucket,
      });
    case "failure": {
      const out: Record<string, string> = { "failure reason": m.reason };
      if (m.action) out.action = m.action;
      if (m.infoHash !== undefined) out.info_hash = m.infoHash;
      return JSON.stringify(out);
    }
    default: {
      const never: never = m;
      return never;
    }
  }
}
