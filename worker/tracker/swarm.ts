// Swarm logic of one tracker shard: where offers and answers go, who is abusing an
// identity, who is flooding. Pure: time and randomness are arguments, effects are
// returned (send / close / persist), nothing here touches a socket or storage. The
// state and its bookkeeping live in state.ts; the Durable Object executes effects.
import { refill } from "../token-bucket";
import type { AnnounceIn, AnswerIn, InMessage, OutMessage, ReportIn, ScrapeIn } from "./protocol";
import { applyReport } from "./roles";
import {
  EVICT_UNANSWERED_OFFERS,
  MAX_PEERS_PER_SOCKET_PER_SWARM,
  MAX_PEERS_PER_SWARM,
  MAX_PENDING_OFFERS_PER_SOCKET,
  MAX_SWARMS_PER_SOCKET,
  MSG_BURST,
  MSG_PER_S,
  OFFER_BURST,
  OFFER_LIFETIME_MS,
  OFFER_PER_S,
  PERSIST_SEEN_MS,
  TARGET_CANDIDATES,
  TARGET_DRAWS,
  WAKE_GRACE_MS,
} from "./limits";
import {
  addSocket,
  counts,
  evictable,
  getSwarm,
  groupOf,
  idleSockets,
  isLive,
  join,
  leave,
  peersIn,
  removeSocket,
  type Effect,
  type Member,
  type PendingOffer,
  type SocketId,
  type SocketState,
  type Swarm,
  type TrackerState,
} from "./state";

/** Applies one parsed frame from socket `from`; returns what to send, close and persist. */
export function handle(state: TrackerState, from: SocketId, msg: InMessage, now: number, rng: () => number): Effect[] {
  const s = addSocket(state, from);
  switch (msg.action) {
    case "announce":
      return announce(state, s, msg, now, rng);
    case "answer":
      return answer(state, s, msg, now);
    case "scrape":
      return scrape(state, s, msg);
    case "es_report":
      return report(state, s, msg, now);
    default: {
      const never: never = msg;
      return never;
    }
  }
}

/**
 * Call once per received frame, before parsing: takes one token from the socket's
 * message budget, or returns the failure + close 1008 for a socket over budget.
 */
export function admit(state: TrackerState, from: SocketId, now: number): Effect[] | null {
  if (!state.rateLimits) return null;
  const s = addSocket(state, from);
  const b = s.msgBudget;
  if (b.at === -Infinity) b.at = now;
  refill(b, now, MSG_BURST, MSG_PER_S);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return null;
  }
  state.counters.floodClosed++;
  const reason = "too many messages";
  return [
    { kind: "send", to: from, msg: { type: "failure", reason } },
    { kind: "close", to: from, code: 1008, reason },
  ];
}

/** A frame the parser refused: a failure reply, socket kept. */
export function refuse(state: TrackerState, from: SocketId, reason: string, action?: "announce" | "scrape", infoHash?: string): Effect[] {
  state.counters.failure++;
  const msg: OutMessage = { type: "failure", reason };
  if (action) msg.action = action;
  if (infoHash !== undefined) msg.infoHash = infoHash;
  return [{ kind: "send", to: from, msg }];
}

function abuse(state: TrackerState, s: SocketState, reason: string, infoHash: string): Effect[] {
  state.counters.abuseClosed++;
  return [
    { kind: "send", to: s.id, msg: { type: "failure", reason, action: "announce", infoHash } },
    { kind: "close", to: s.id, code: 1008, reason },
  ];
}

function announce(state: TrackerState, s: SocketState, msg: AnnounceIn, now: number, rng: () => number): Effect[] {
  state.counters.announce++;
  const { infoHash, peerId } = msg;
  let swarm = state.swarms.get(infoHash);
  let me = swarm?.byPeer.get(peerId);
  const out: Effect[] = [];

  if (me && me.sock !== s.id) {
    // Another socket holds this peer_id. If it went silent past the peer lifetime it
    // is not live any more (e.g. a reconnect racing the old socket's close): take over.
    if (isLive(me, now)) return abuse(state, s, "peer_id already in use by another connection", infoHash);
    leave(state, state.sockets.get(me.sock), me, now);
    out.push({ kind: "persist", to: me.sock });
    me = undefined;
    swarm = state.swarms.get(infoHash);
  }

  if (msg.event === "stopped") {
    state.counters.stopped++;
    if (me) {
      leave(state, s, me, now);
      out.push({ kind: "persist", to: s.id });
    }
    out.push({ kind: "send", to: s.id, msg: { type: "announce-reply", infoHash, ...counts(state.swarms.get(infoHash)) } });
    return out;
  }

  if (!me) {
    if (s.memberships.length >= MAX_SWARMS_PER_SOCKET) {
      return [...out, ...refuse(state, s.id, "too many swarms on one connection", "announce", infoHash)];
    }
    if (peersIn(s, infoHash) >= MAX_PEERS_PER_SOCKET_PER_SWARM) {
      return [...out, ...refuse(state, s.id, "too many peers of one swarm on one connection", "announce", infoHash)];
    }
    swarm = getSwarm(state, infoHash);
    if (swarm.members.length >= MAX_PEERS_PER_SWARM) {
      // Make room from a peer that stopped announcing or never answers before refusing
      // anyone: a viewer that announces and answers keeps its slot against any flood.
      const victim = evictable(swarm, now);
      if (!victim) return [...out, ...refuse(state, s.id, "swarm is full", "announce", infoHash)];
      leave(state, state.sockets.get(victim.sock), victim, now);
      state.counters.evicted++;
      out.push({ kind: "persist", to: victim.sock });
      swarm = getSwarm(state, infoHash);
    }
    me = join(swarm, s, infoHash, peerId, msg.complete || msg.event === "completed", now);
    if (msg.event === "started") state.counters.started++;
    if (me.complete && msg.event === "completed") state.counters.completed++;
    out.push({ kind: "persist", to: s.id });
  } else {
    me.lastSeen = now;
    if (!me.complete && (msg.complete || msg.event === "completed") && swarm) {
      me.complete = true;
      swarm.complete++;
      if (msg.event === "completed") state.counters.completed++;
      out.push({ kind: "persist", to: s.id });
    } else if (now - me.persistedSeen >= PERSIST_SEEN_MS) {
      // lastSeen must survive hibernation for expiry; a coarse copy is enough.
      out.push({ kind: "persist", to: s.id });
    }
  }
  const sw = swarm ?? getSwarm(state, infoHash);
  // Malformed offers were dropped by the parser, as bittorrent-tracker's server ignores
  // them; the rest of the announce is served and the client is not warned (its own tests
  // treat any warning as a failure).
  if (msg.droppedOffers) state.counters.offerMalformed += msg.droppedOffers;
  const reply: OutMessage = { type: "announce-reply", infoHash, ...counts(sw) };
  out.push({ kind: "send", to: s.id, msg: reply });

  let want = msg.event === "completed" ? 0 : Math.min(msg.offers.length, msg.numwant);
  if (want > 0 && state.rateLimits) {
    const b = s.offerBudget;
    if (b.at === -Infinity) b.at = now;
    refill(b, now, OFFER_BURST, OFFER_PER_S);
    const allowed = Math.min(want, Math.floor(b.tokens));
    if (allowed < want) {
      state.counters.offerRateLimited += want - allowed;
      reply.warning = "offer rate limit reached: some offers were not relayed";
      want = allowed;
    }
  }
  if (want > 0) {
    const targets = pickTargets(sw, peerId, want, now, rng);
    s.offerBudget.tokens -= targets.length;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      const o = msg.offers[i]!;
      const ts = state.sockets.get(t.sock);
      if (!ts) continue;
      rememberOffer(ts, o.offerId, { infoHash, fromPeerId: peerId, toPeerId: t.peerId, expires: now + OFFER_LIFETIME_MS }, now);
      if (t.offersIn++ === 0) t.firstOfferAt = now;
      out.push({ kind: "send", to: t.sock, msg: { type: "offer", infoHash, peerId, offerId: o.offerId, offer: o.offer } });
    }
    state.counters.offerRelayed += targets.length;
    state.counters.offerUnmatched += want - targets.length;
  }
  return out;
}

function rememberOffer(ts: SocketState, offerId: string, rec: PendingOffer, now: number): void {
  ts.pending.delete(offerId); // re-insert at the end: newest last
  ts.pending.set(offerId, rec);
  if (ts.pending.size > MAX_PENDING_OFFERS_PER_SOCKET) {
    const oldest = ts.pending.keys().next();
    if (!oldest.done) ts.pending.delete(oldest.value);
    // A genuine answer to the forgotten offer must not look forged.
    ts.lostOffersUntil = now + OFFER_LIFETIME_MS;
  }
}

/**
 * Up to `want` distinct random live members other than peer `self`. A peer of the same
 * socket is a fair target: two players of one stream on one page share the socket, and
 * bittorrent-tracker's server relays between them too. Small swarms are shuffled whole. In
 * a big one each client address is drawn as often as any other, however many sockets it
 * holds: a member is kept with chance 1 / its address's member count (rejection sampling,
 * O(want × the biggest address's share) draws, capped by TARGET_DRAWS). The candidates are
 * then spread over addresses, peers that answer first (spreadTargets).
 */
export function pickTargets(swarm: Swarm, self: string, want: number, now: number, rng: () => number): Member[] {
  const n = swarm.members.length;
  const ok = (m: Member) => m.peerId !== self && isLive(m, now);
  if (n <= want * 4 + MAX_SWARMS_PER_SOCKET) {
    const pool = swarm.members.filter(ok);
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const tmp = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = tmp;
    }
    return spreadTargets(pool, want);
  }
  // Issue 14 H1: drawn by member, one address's 40 sockets × peer_ids would fill most
  // samples, and an honest partner would be offered only when the sample happened to hold it.
  const chosen = new Set<Member>();
  const cands: Member[] = [];
  for (let tries = 0; cands.length < want * TARGET_CANDIDATES && tries < want * TARGET_DRAWS; tries++) {
    const m = swarm.members[Math.floor(rng() * n)]!;
    if (chosen.has(m) || !ok(m)) continue;
    if (rng() * (swarm.groupSize.get(groupOf(m)) ?? 1) >= 1) continue;
    chosen.add(m);
    cands.push(m);
  }
  return spreadTargets(cands, want);
}

/**
 * `want` of the (randomly ordered) candidates, taken round-robin over client addresses: at
 * most one per address, then two, and so on, peers that answer offers before mute ones in
 * each round. Issue 14 H1: sockets from one address (20 × 2 peer_ids, within every cap)
 * otherwise took 9 of an honest viewer's 10 offers in a small swarm, and never answered
 * them. Now an honest peer behind another address is offered first; one address still fills
 * every slot when it is all there is (a LAN, an office behind one NAT).
 */
export function spreadTargets(cands: readonly Member[], want: number): Member[] {
  const ordered = [...cands.filter((m) => !isMute(m)), ...cands.filter(isMute)];
  const out: Member[] = [];
  const taken = new Map<string, number>();
  let rest = ordered;
  for (let round = 1; out.length < want && rest.length > 0; round++) {
    const later: Member[] = [];
    for (const m of rest) {
      const g = groupOf(m);
      const n = taken.get(g) ?? 0;
      if (out.length < want && n < round) {
        taken.set(g, n + 1);
        out.push(m);
      } else later.push(m);
    }
    rest = later;
  }
  return out;
}

/** Relayed EVICT_UNANSWERED_OFFERS or more offers and answered none (so far). */
const isMute = (m: Member) => m.answers === 0 && m.offersIn >= EVICT_UNANSWERED_OFFERS;

function answer(state: TrackerState, s: SocketState, msg: AnswerIn, now: number): Effect[] {
  const { infoHash, peerId, toPeerId, offerId } = msg;
  const swarm = state.swarms.get(infoHash);
  const mine = swarm?.byPeer.get(peerId);
  if (mine && mine.sock !== s.id) return abuse(state, s, "peer_id belongs to another connection", infoHash);

  const rec = s.pending.get(offerId);
  if (rec) {
    if (rec.infoHash !== infoHash || rec.fromPeerId !== toPeerId || rec.toPeerId !== peerId) {
      return abuse(state, s, "answer does not match the offer relayed", infoHash);
    }
    // A genuine answer, even a late one or one whose offerer left: this peer is not mute
    // (EVICT_UNANSWERED_OFFERS). An answer the tracker cannot match proves nothing.
    if (mine) mine.answers++;
    s.pending.delete(offerId);
    if (rec.expires <= now) {
      // Genuine but late: the offerer has given up on it. Not abuse.
      state.counters.answerDropped++;
      return refuse(state, s.id, "offer expired", "announce", infoHash);
    }
  } else {
    // Offer records live in memory only: after a wake, or after one was evicted for
    // space, an unknown offer_id may be genuine for one offer lifetime, so relay it
    // if the answerer is who it claims to be.
    const mayBeLost = now - state.wokeAt < WAKE_GRACE_MS || now < s.lostOffersUntil;
    if (!mayBeLost || !mine) return abuse(state, s, "answer to an offer never relayed to this connection", infoHash);
  }

  const target = swarm?.byPeer.get(toPeerId);
  const ts = target && state.sockets.get(target.sock);
  if (!target || !ts) {
    // The offerer left meanwhile: not abuse, just nobody to tell.
    state.counters.answerDropped++;
    return refuse(state, s.id, "offering peer is gone", "announce", infoHash);
  }
  state.counters.answerRelayed++;
  if (mine) mine.lastSeen = Math.max(mine.lastSeen, now);
  return [{ kind: "send", to: target.sock, msg: { type: "answer", infoHash, peerId, offerId, answer: msg.answer } }];
}

function report(state: TrackerState, s: SocketState, msg: ReportIn, now: number): Effect[] {
  state.counters.report++;
  const r = applyReport(state, s, msg, now);
  if (r.ok) return r.effects;
  if (r.reason === "not-owner") return abuse(state, s, "peer_id belongs to another connection", msg.infoHash);
  return refuse(state, s.id, "report for a swarm this peer has not announced in", "announce", msg.infoHash);
}

function scrape(state: TrackerState, s: SocketState, msg: ScrapeIn): Effect[] {
  state.counters.scrape++;
  const files = msg.infoHashes.map((infoHash) => {
    const c = counts(state.swarms.get(infoHash));
    // bittorrent-tracker reports downloaded = complete (a lower bound); so do we.
    return { infoHash, complete: c.complete, incomplete: c.incomplete, downloaded: c.complete };
  });
  return [{ kind: "send", to: s.id, msg: { type: "scrape-reply", files } }];
}

/**
 * Call from the alarm: closes every socket that has held no swarm for SOCKET_IDLE_MS
 * (1000: nothing abusive, it just never announced or stopped). Its slot in the shard and in
 * its address's MAX_SOCKETS_PER_IP goes to someone who will use it.
 */
export function closeIdle(state: TrackerState, now: number): Effect[] {
  const out: Effect[] = [];
  for (const id of idleSockets(state, now)) {
    removeSocket(state, id);
    state.counters.idleClosed++;
    out.push({ kind: "close", to: id, code: 1000, reason: "idle: no announce" });
  }
  return out;
}
