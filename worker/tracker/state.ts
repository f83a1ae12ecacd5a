// Tracker state of one shard and its bookkeeping: sockets, swarms, memberships,
// counters, expiry sweep. Pure data and functions (time passed in), no protocol
// handling and no I/O; swarm.ts applies frames to this state.
import type { Bucket } from "../token-bucket";
import {
  EVICT_SILENT_MS,
  EVICT_UNANSWERED_MS,
  EVICT_UNANSWERED_OFFERS,
  MAX_PEERS_PER_SOCKET_PER_SWARM,
  MAX_PEERS_PER_SWARM,
  MAX_SWARMS_PER_SOCKET,
  MSG_BURST,
  OFFER_BURST,
  OFFER_LIFETIME_MS,
  PEER_LIFETIME_MS,
  SOCKET_IDLE_MS,
} from "./limits";
import { emptyPlan, type FetcherPlan, type StreamProfile } from "./fetchers";
import type { OutMessage, ReportIn } from "./protocol";

export type SocketId = number;

export interface Member {
  sock: SocketId;
  infoHash: string;
  peerId: string;
  complete: boolean;
  lastSeen: number;
  /** lastSeen as last written to the socket attachment (see PERSIST_SEEN_MS). */
  persistedSeen: number;
  /** Position in its swarm's `members` array (O(1) swap-remove). */
  idx: number;
  /** When it joined this swarm (after a wake: its last announce, all the shard kept). */
  joinedAt: number;
  /** Its latest es_report, when it speaks EdgeSwarm's extension (roles.ts). */
  report?: MemberReport;
  /** The classes last sent to it in an es_role frame, as "1,5"; undefined: none sent yet. */
  roleSent?: string;
  /** Offers relayed to it and answers it sent, since it joined or the last wake (in memory only;
   * see EVICT_UNANSWERED_OFFERS), and when the first of those offers was relayed. */
  offersIn: number;
  answers: number;
  firstOfferAt: number;
  /** Its socket's address group (SocketState.group), copied at join for pickTargets. */
  group: string | null;
}

/** The address group pickTargets draws by: the socket's address, or the socket itself when it has none (loopback, tests, labs). */
export const groupOf = (m: Member): string => m.group ?? `#${m.sock}`;

/** A member's latest es_report figures, and when they came. */
export type MemberReport = Omit<ReportIn, "action" | "infoHash" | "peerId"> & { at: number };

export interface Swarm {
  members: Member[];
  byPeer: Map<string, Member>;
  /** Members per address group (groupOf), so pickTargets can draw every address equally often. */
  groupSize: Map<string, number>;
  complete: number;
  /** Who fetches new segments over HTTP (roles.ts); in memory only, rebuilt from reports. */
  plan: FetcherPlan;
  plannedAt: number;
  /** The stream as the last plan saw it (the reporters' medians), for standing checks between plans. */
  stream?: StreamProfile;
}

/** An offer relayed to a socket and not yet answered: what an answer must match. */
export interface PendingOffer {
  infoHash: string;
  fromPeerId: string;
  toPeerId: string;
  expires: number;
}

export interface SocketState {
  id: SocketId;
  memberships: Member[];
  /** offer_id → record, insertion-ordered so the oldest is dropped first. */
  pending: Map<string, PendingOffer>;
  /** Until when unknown offer_ids may be genuine because a record was evicted for space. */
  lostOffersUntil: number;
  /** Token buckets (worker/token-bucket.ts); they start full, after a wake too (a fresh allowance is harmless). */
  msgBudget: Bucket;
  offerBudget: Bucket;
  /** Since when it holds no swarm (opened, or left its last one); null while it holds one. See SOCKET_IDLE_MS. */
  idleSince: number | null;
  /** The client address it came from (the MAX_SOCKETS_PER_IP key), so offers are spread over
   * addresses (pickTargets); null for loopback or no address: a group of its own. */
  group: string | null;
}

export const COUNTER_NAMES = [
  "announce",
  "started",
  "stopped",
  "completed",
  "scrape",
  "offerRelayed",
  "offerUnmatched",
  "answerRelayed",
  "answerDropped",
  "failure",
  "abuseClosed",
  "expired",
  "offerRateLimited",
  "floodClosed",
  "report",
  "offerMalformed",
  "evicted",
  "idleClosed",
] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];
export type Counters = Record<CounterName, number>;

export function emptyCounters(): Counters {
  return {
    announce: 0,
    started: 0,
    stopped: 0,
    completed: 0,
    scrape: 0,
    offerRelayed: 0,
    offerUnmatched: 0,
    answerRelayed: 0,
    answerDropped: 0,
    failure: 0,
    abuseClosed: 0,
    expired: 0,
    offerRateLimited: 0,
    floodClosed: 0,
    report: 0,
    offerMalformed: 0,
    evicted: 0,
    idleClosed: 0,
  };
}

export interface TrackerState {
  swarms: Map<string, Swarm>;
  sockets: Map<SocketId, SocketState>;
  /** When in-memory offer records started (last wake); see WAKE_GRACE_MS. */
  wokeAt: number;
  counters: Counters;
  /** Per-socket message/offer budgets (MSG_*, OFFER_*). Off only for synthetic load (TRACKER_RATE_LIMIT=off). */
  rateLimits: boolean;
  /** This shard's bucket in its channel region (role frames tell viewers, so they can come back). */
  bucket: number;
}

export type Effect =
  | { kind: "send"; to: SocketId; msg: OutMessage }
  /** 1008: abuse or flood; 1000: an idle socket closed by the alarm (SOCKET_IDLE_MS). */
  | { kind: "close"; to: SocketId; code: 1000 | 1008; reason: string }
  /** The socket's memberships changed: re-serialize its attachment. */
  | { kind: "persist"; to: SocketId };

/** Snapshot of one membership as kept in a socket attachment: [infoHash, peerId, complete, lastSeen]. */
export type MembershipRecord = [string, string, boolean, number];

export function createState(now: number, rateLimits = true): TrackerState {
  return { swarms: new Map(), sockets: new Map(), wokeAt: now, counters: emptyCounters(), rateLimits, bucket: 0 };
}

/** Registers a socket; `now` starts its idle time (default: the last wake). */
export function addSocket(state: TrackerState, id: SocketId, now = state.wokeAt, group: string | null = null): SocketState {
  let s = state.sockets.get(id);
  if (!s) {
    s = {
      id,
      memberships: [],
      pending: new Map(),
      lostOffersUntil: -Infinity,
      msgBudget: { tokens: MSG_BURST, at: -Infinity },
      offerBudget: { tokens: OFFER_BURST, at: -Infinity },
      idleSince: now,
      group,
    };
    state.sockets.set(id, s);
  }
  return s;
}

/** Re-creates a socket and its memberships from its attachment after a wake. Records
 * that conflict (peer_id already owned by another socket) or exceed limits are dropped.
 * `idleSince` is the stored start of its idle time, if it held no swarm when persisted. */
export function restoreSocket(state: TrackerState, id: SocketId, records: MembershipRecord[], idleSince?: number, group: string | null = null): void {
  const s = addSocket(state, id, idleSince, group);
  for (const [infoHash, peerId, complete, lastSeen] of records) {
    if (s.memberships.length >= MAX_SWARMS_PER_SOCKET) break;
    const swarm = getSwarm(state, infoHash);
    if (swarm.byPeer.has(peerId) || swarm.members.length >= MAX_PEERS_PER_SWARM) continue;
    if (peersIn(s, infoHash) >= MAX_PEERS_PER_SOCKET_PER_SWARM) continue;
    join(swarm, s, infoHash, peerId, complete, lastSeen);
  }
}

/** How many of the socket's peer_ids are in swarm `infoHash` (MAX_PEERS_PER_SOCKET_PER_SWARM). */
export function peersIn(s: SocketState, infoHash: string): number {
  let n = 0;
  for (const m of s.memberships) if (m.infoHash === infoHash) n++;
  return n;
}

/** The records to write into the socket's attachment; marks them as written. */
export function membershipRecords(s: SocketState): MembershipRecord[] {
  return s.memberships.map((m) => {
    m.persistedSeen = m.lastSeen;
    return [m.infoHash, m.peerId, m.complete, m.lastSeen];
  });
}

/** A socket closed: it leaves every swarm at once. */
export function removeSocket(state: TrackerState, id: SocketId): void {
  const s = state.sockets.get(id);
  if (!s) return;
  for (const m of s.memberships.slice()) leave(state, s, m, 0);
  state.sockets.delete(id);
}

export function getSwarm(state: TrackerState, infoHash: string): Swarm {
  let swarm = state.swarms.get(infoHash);
  if (!swarm) {
    swarm = { members: [], byPeer: new Map(), groupSize: new Map(), complete: 0, plan: emptyPlan(), plannedAt: -Infinity };
    state.swarms.set(infoHash, swarm);
  }
  return swarm;
}

export function join(swarm: Swarm, s: SocketState, infoHash: string, peerId: string, complete: boolean, now: number): Member {
  const m: Member = {
    sock: s.id,
    infoHash,
    peerId,
    complete,
    lastSeen: now,
    persistedSeen: now,
    idx: swarm.members.length,
    joinedAt: now,
    offersIn: 0,
    answers: 0,
    firstOfferAt: 0,
    group: s.group,
  };
  swarm.members.push(m);
  s.idleSince = null;
  swarm.byPeer.set(peerId, m);
  const g = groupOf(m);
  swarm.groupSize.set(g, (swarm.groupSize.get(g) ?? 0) + 1);
  if (complete) swarm.complete++;
  s.memberships.push(m);
  return m;
}

/** Takes `m` out of its swarm and its socket; a socket left with no swarm is idle from `now`. */
export function leave(state: TrackerState, s: SocketState | undefined, m: Member, now: number): void {
  const swarm = state.swarms.get(m.infoHash);
  if (swarm && swarm.byPeer.get(m.peerId) === m) {
    const last = swarm.members.pop();
    if (last && last !== m) {
      swarm.members[m.idx] = last;
      last.idx = m.idx;
    }
    swarm.byPeer.delete(m.peerId);
    const g = groupOf(m);
    const left = (swarm.groupSize.get(g) ?? 1) - 1;
    if (left > 0) swarm.groupSize.set(g, left);
    else swarm.groupSize.delete(g);
    if (m.complete) swarm.complete--;
    if (swarm.members.length === 0) state.swarms.delete(m.infoHash);
  }
  if (s) {
    const i = s.memberships.indexOf(m);
    if (i >= 0) s.memberships.splice(i, 1);
    if (s.memberships.length === 0) s.idleSince ??= now;
  }
}

export function counts(swarm: Swarm | undefined): { complete: number; incomplete: number } {
  if (!swarm) return { complete: 0, incomplete: 0 };
  return { complete: swarm.complete, incomplete: swarm.members.length - swarm.complete };
}

export function isLive(m: Member, now: number): boolean {
  return now - m.lastSeen < PEER_LIFETIME_MS;
}

/** Drops peers silent past PEER_LIFETIME_MS and expired offer records. Returns sockets to persist. */
export function sweep(state: TrackerState, now: number): SocketId[] {
  const touched: SocketId[] = [];
  for (const s of state.sockets.values()) {
    let changed = false;
    for (const m of s.memberships.slice()) {
      if (!isLive(m, now)) {
        leave(state, s, m, now);
        state.counters.expired++;
        changed = true;
      }
    }
    if (changed) touched.push(s.id);
    // Expired records stay one more lifetime as tombstones, so a late answer is told
    // "offer expired" instead of being taken for a forged one.
    for (const [id, rec] of s.pending) if (rec.expires + OFFER_LIFETIME_MS <= now) s.pending.delete(id);
  }
  return touched;
}

/** When the next peer would expire (for the alarm), or null when no peers remain. */
export function nextExpiry(state: TrackerState): number | null {
  let min = Infinity;
  for (const s of state.sockets.values()) for (const m of s.memberships) min = Math.min(min, m.lastSeen + PEER_LIFETIME_MS);
  return min === Infinity ? null : min;
}

export function peerCount(state: TrackerState): number {
  let n = 0;
  for (const sw of state.swarms.values()) n += sw.members.length;
  return n;
}

/**
 * The member a full swarm gives up for a newcomer, or null when every member is worth its
 * slot: the longest silent past EVICT_SILENT_MS, else one relayed EVICT_UNANSWERED_OFFERS
 * or more without answering any (the first EVICT_UNANSWERED_MS ago). O(members), paid only
 * when a swarm is full.
 */
export function evictable(swarm: Swarm, now: number): Member | null {
  let silent: Member | null = null;
  let mute: Member | null = null;
  for (const m of swarm.members) {
    if (now - m.lastSeen >= EVICT_SILENT_MS) {
      if (!silent || m.lastSeen < silent.lastSeen) silent = m;
    } else if (!mute && m.answers === 0 && m.offersIn >= EVICT_UNANSWERED_OFFERS && now - m.firstOfferAt >= EVICT_UNANSWERED_MS) {
      mute = m;
    }
  }
  return silent ?? mute;
}

/** When the first idle socket passes SOCKET_IDLE_MS (for the alarm), or null when none is idle. */
export function nextIdleClose(state: TrackerState): number | null {
  let min = Infinity;
  for (const s of state.sockets.values()) if (s.idleSince !== null) min = Math.min(min, s.idleSince + SOCKET_IDLE_MS);
  return min === Infinity ? null : min;
}

/** Sockets idle for SOCKET_IDLE_MS or longer at `now`. */
export function idleSockets(state: TrackerState, now: number): SocketId[] {
  const out: SocketId[] = [];
  for (const s of state.sockets.values()) if (s.idleSince !== null && now - s.idleSince >= SOCKET_IDLE_MS) out.push(s.id);
  return out;
}
