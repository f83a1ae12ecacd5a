// Per-viewer breakdown of where an EdgeSwarm browser viewer's segments came from, for the
// swarm bench's network-lab runs (issue 13: why a weak first viewer costs so much offload).
// Pure: the page-side recorder (browser-diag-probe.ts) fills a DiagLog from what the page can
// see without the client's internals (its fetches, its tracker frames, the P2P core's events
// reached through hls.js's fragment loader), and `diagnose` turns every viewer's log into one
// row per viewer: claims won and lost, each HTTP segment fetch with its reason, each P2P
// download with the viewer it came from and how long it took, P2P downloads given up, and
// what it uploaded to whom. It changes nothing in the player and decides nothing.

/** Entries kept per list: a 60 s run makes a few hundred; a runaway page must not grow a report. */
export const MAX_DIAG_ENTRIES = 4000;

/** A fetch the page made (window.fetch): the core's HTTP loads, edge claims, handovers. */
export interface FetchRec {
  /** Wall-clock ms at the call and at the response headers (undefined: it failed first). */
  t: number;
  th: number | undefined;
  url: string;
  status: number;
  /** The x-edgeswarm-claim answer header, if any. */
  claim: string | null;
  error?: string;
}

/** One event of the P2P core (p2p-media-loader-core's CoreEventMap). */
export interface CoreRec {
  t: number;
  ev: "start" | "loaded" | "error" | "abort";
  url: string;
  src: "http" | "p2p";
  peer: string | undefined;
  bytes?: number;
  /** The core's error type (onSegmentError), e.g. peer-segment-absent, abort. */
  type?: string;
}

export interface DiagLog {
  /** peer_ids this page announced (one per stream swarm). */
  peerIds: string[];
  /** es_role frames received: wall ms, mode, classes it was told to fetch. */
  roles: { t: number; mode: string; classes: number }[];
  fetches: FetchRec[];
  core: CoreRec[];
  /** Bytes uploaded, by the receiving peer's id. */
  uploads: Record<string, number>;
  /** Fragments hls.js asked for (FRAG_LOADING), in order: wall ms and URL. */
  frags: { t: number; url: string }[];
  /** Whether the P2P core's events could be reached (hls.config.fLoader.getEngine). */
  coreSeen: boolean;
}

export function emptyDiag(): DiagLog {
  return { peerIds: [], roles: [], fetches: [], core: [], uploads: {}, frags: [], coreSeen: false };
}

/** A segment request (not a playlist, a report or the page's own files). */
export function isSegmentUrl(url: string): boolean {
  if (url.startsWith("blob:")) return false;
  const path = url.split("?")[0] ?? "";
  return !path.endsWith(".m3u8") && !path.includes("/api/") && !path.includes("/__bench/") && !path.endsWith(".js");
}

/** The segment a URL names, without query (a claim adds ?es_claim=…, a token ?t=…). */
export function segmentKey(url: string): string {
  return url.split("?")[0] ?? url;
}

const isClaim = (url: string) => /[?&]es_claim=/.test(url);

/** Why an HTTP segment fetch happened. */
export type HttpReason =
  /** The viewer won the edge claim (the swarm's copy). */
  | "won"
  /** One of the viewer's first two segments (it starts at once, before peers). */
  | "join"
  /** P2P was tried for it first and given up (aborted, failed, or too slow for the window). */
  | "afterP2P"
  /** Never tried over P2P although another viewer had won it at the edge. */
  | "noTryHeld"
  /** Never tried over P2P and nobody had won it (no holder known). */
  | "noTry";

export interface ViewerDiag {
  id: string;
  claimsWon: number;
  claimsDenied: number;
  claimsFailed: number;
  handovers: number;
  /** HTTP segment responses with bytes, by reason. */
  http: Record<HttpReason, number>;
  /** Segments this viewer won that others also fetched over HTTP (copies beyond the win). */
  wonRefetched: number;
  /** P2P downloads completed, by source viewer id: count and durations (ms). */
  p2pFrom: Record<string, number[]>;
  /** P2P downloads given up, by source viewer id: ms spent on each before it ended. */
  p2pLostFrom: Record<string, number[]>;
  /** Error types of the given-up downloads ("abort", "peer-segment-absent", …), counted. */
  p2pLostTypes: Record<string, number>;
  /** KiB uploaded, by receiving viewer id. */
  upKiBTo: Record<string, number>;
  /** es_role modes received, in order, collapsed ("claims", "roles:2"). */
  roles: string[];
  coreSeen: boolean;
}

/**
 * One row per viewer from every viewer's log. Peer ids are mapped to viewer ids through the
 * peer_ids each page announced; a peer id nobody announced shows as "?".
 */
export function diagnose(logs: readonly { id: string; log: DiagLog }[]): ViewerDiag[] {
  const byPeer = new Map<string, string>();
  for (const { id, log } of logs) for (const p of log.peerIds) byPeer.set(p, id);
  const who = (peer: string | undefined) => (peer !== undefined ? (byPeer.get(peer) ?? "?") : "?");

  // Who won each segment at the edge, and when.
  const winner = new Map<string, { id: string; t: number }>();
  for (const { id, log } of logs) {
    for (const f of log.fetches) {
      if (isClaim(f.url) && f.claim === "granted") {
        const k = segmentKey(f.url);
        const prev = winner.get(k);
        if (!prev || f.t < prev.t) winner.set(k, { id, t: f.t });
      }
    }
  }

  const rows: ViewerDiag[] = [];
  for (const { id, log } of logs) {
    const row: ViewerDiag = {
      id,
      claimsWon: 0,
      claimsDenied: 0,
      claimsFailed: 0,
      handovers: 0,
      http: { won: 0, join: 0, afterP2P: 0, noTryHeld: 0, noTry: 0 },
      wonRefetched: 0,
      p2pFrom: {},
      p2pLostFrom: {},
      p2pLostTypes: {},
      upKiBTo: {},
      roles: [],
      coreSeen: log.coreSeen,
    };
    const join = new Set(log.frags.slice(0, 2).map((f) => segmentKey(f.url)));
    // P2P attempts by segment, in time order: start, and how each ended.
    const p2pStarts = new Map<string, { t: number; peer: string | undefined }[]>();
    for (const c of log.core) {
      if (c.src !== "p2p") continue;
      const k = segmentKey(c.url);
      if (c.ev === "start") {
        const list = p2pStarts.get(k) ?? [];
        list.push({ t: c.t, peer: c.peer });
        p2pStarts.set(k, list);
        continue;
      }
      const open = (p2pStarts.get(k) ?? []).find((s) => s.peer === c.peer && s.t <= c.t);
      const ms = open ? c.t - open.t : NaN;
      if (c.ev === "loaded") (row.p2pFrom[who(c.peer)] ??= []).push(ms);
      else {
        (row.p2pLostFrom[who(c.peer)] ??= []).push(ms);
        const type = c.ev === "abort" ? "abort" : (c.type ?? "error");
        row.p2pLostTypes[type] = (row.p2pLostTypes[type] ?? 0) + 1;
      }
    }
    for (const f of log.fetches) {
      if (f.url.startsWith("blob:")) {
        row.handovers++;
        continue;
      }
      if (!isSegmentUrl(f.url)) continue;
      const k = segmentKey(f.url);
      if (isClaim(f.url)) {
        if (f.claim === "granted") row.claimsWon++;
        else if (f.claim === "denied") row.claimsDenied++;
        else row.claimsFailed++;
        continue;
      }
      if (f.error || f.status < 200 || f.status >= 300) continue;
      const tried = (p2pStarts.get(k) ?? []).some((s) => s.t <= f.t);
      const w = winner.get(k);
      const reason: HttpReason = w?.id === id ? "won" : join.has(k) ? "join" : tried ? "afterP2P" : w && w.t <= f.t ? "noTryHeld" : "noTry";
      row.http[reason]++;
    }
    // Count claim wins (their fetch is the claim itself) as HTTP "won" too.
    row.http.won += row.claimsWon;
    for (const [peer, bytes] of Object.entries(log.uploads)) row.upKiBTo[who(peer)] = (row.upKiBTo[who(peer)] ?? 0) + bytes / 1024;
    for (const r of log.roles) {
      const word = r.mode === "roles" ? `roles:${r.classes}` : r.mode;
      if (row.roles[row.roles.length - 1] !== word) row.roles.push(word);
    }
    rows.push(row);
  }
  // Segments a viewer won that others fetched over HTTP anyway.
  const httpBy = new Map<string, Set<string>>();
  for (const { id, log } of logs) {
    for (const f of log.fetches) {
      if (!isSegmentUrl(f.url) || isClaim(f.url) || f.error || f.status < 200 || f.status >= 300) continue;
      const k = segmentKey(f.url);
      const s = httpBy.get(k) ?? new Set<string>();
      s.add(id);
      httpBy.set(k, s);
    }
  }
  for (const [k, w] of winner) {
    const others = [...(httpBy.get(k) ?? [])].filter((x) => x !== w.id).length;
    const row = rows.find((r) => r.id === w.id);
    if (row) row.wonRefetched += others;
  }
  return rows;
}

/** Edge claims of one page as the bench's claim line prints them (granted/denied/handed over/failed). */
export function claimCounts(log: Pick<DiagLog, "fetches">): { granted: number; denied: number; handed: number; failed: number } {
  const out = { granted: 0, denied: 0, handed: 0, failed: 0 };
  for (const f of log.fetches) {
    if (f.url.startsWith("blob:")) out.handed++;
    else if (isClaim(f.url)) {
      if (f.claim === "granted") out.granted++;
      else if (f.claim === "denied") out.denied++;
      else out.failed++;
    }
  }
  return out;
}
