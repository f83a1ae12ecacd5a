// One test per limit in worker/tracker/limits.ts: each is enforced where it says.
// (Frame size, SDP size, offers, numwant, scrape list and offer_id length are also
// in the protocol bad-frame table; lifetimes in the swarm tests; STATS_FLUSH_MS and
// the attachment budget in the workerd tests.)
import { describe, expect, it } from "vitest";
import { parse } from "../../../worker/tracker/protocol";
import { admit, closeIdle, handle } from "../../../worker/tracker/swarm";
import { addSocket, createState, nextIdleClose, peerCount, removeSocket, type Effect, type TrackerState } from "../../../worker/tracker/state";
import { channelFromPath } from "../../../worker/tracker/routing";
import * as L from "../../../worker/tracker/limits";

const id = (tag: string) => tag.padEnd(20, "_").slice(0, 20);
const T0 = 5_000_000;
const st0 = (): TrackerState => createState(-10 * L.WAKE_GRACE_MS);
const announce = (st: TrackerState, sock: number, peer: string, hash: string, offers: { offer: { type: "offer"; sdp: string }; offerId: string }[] = []) => {
  addSocket(st, sock);
  return handle(st, sock, { action: "announce", infoHash: hash, peerId: peer, event: "started", numwant: 82, complete: false, offers }, T0, Math.random);
};
const failureOf = (e: Effect[]) => e.flatMap((x) => (x.kind === "send" && x.msg.type === "failure" ? [x.msg.reason] : []));

describe("limits", () => {
  it("MAX_FRAME_CHARS: a frame one char over is refused before parsing, one at the limit is parsed", () => {
    const pad = (n: number) => `{"action":"scrape","info_hash":"${"h".repeat(20)}"${" ".repeat(n)}}`;
    const base = pad(0).length;
    expect(parse(pad(L.MAX_FRAME_CHARS - base)).ok).toBe(true);
    expect(parse(pad(L.MAX_FRAME_CHARS - base + 1))).toEqual({ ok: false, reason: "frame too large" });
  });

  it("MAX_OFFERS_PER_ANNOUNCE: exactly the cap is accepted", () => {
    const offers = Array.from({ length: L.MAX_OFFERS_PER_ANNOUNCE }, (_, i) => ({ offer: { type: "offer", sdp: "s" }, offer_id: id(`o${i}`) }));
    expect(parse(JSON.stringify({ action: "announce", info_hash: id("h"), peer_id: id("p"), offers })).ok).toBe(true);
  });

  it("MAX_SDP_CHARS: an SDP at the cap is accepted", () => {
    const offers = [{ offer: { type: "offer", sdp: "s".repeat(L.MAX_SDP_CHARS) }, offer_id: id("o") }];
    expect(parse(JSON.stringify({ action: "announce", info_hash: id("h"), peer_id: id("p"), offers })).ok).toBe(true);
  });

  it("MAX_NUMWANT: numwant above the cap is clamped to it", () => {
    const r = parse(JSON.stringify({ action: "announce", info_hash: id("h"), peer_id: id("p"), numwant: 10_000 }));
    expect(r.ok && r.msg.action === "announce" && r.msg.numwant).toBe(L.MAX_NUMWANT);
  });

  it("MAX_PEERS_PER_SWARM: the next peer gets 'swarm is full' and nobody is evicted", () => {
    const st = st0();
    for (let i = 0; i < L.MAX_PEERS_PER_SWARM; i++) announce(st, i, id(`p${i}`), id("h"));
    const e = announce(st, 99_999, id("late"), id("h"));
    expect(failureOf(e)).toEqual(["swarm is full"]);
    expect(e.some((x) => x.kind === "close")).toBe(false);
    expect(peerCount(st)).toBe(L.MAX_PEERS_PER_SWARM);
  });

  it("MAX_SWARMS_PER_SOCKET: one socket may join that many swarms, the next is refused, socket kept", () => {
    const st = st0();
    for (let i = 0; i < L.MAX_SWARMS_PER_SOCKET; i++) expect(failureOf(announce(st, 1, id("p"), id(`h${i}`)))).toEqual([]);
    const e = announce(st, 1, id("p"), id("one-too-many"));
    expect(failureOf(e)).toEqual(["too many swarms on one connection"]);
    expect(e.some((x) => x.kind === "close")).toBe(false);
  });

  it("MAX_PENDING_OFFERS_PER_SOCKET: the oldest relayed offer is forgotten first", () => {
    const st = st0();
    announce(st, 1, id("target"), id("h"));
    for (let i = 0; i <= L.MAX_PENDING_OFFERS_PER_SOCKET; i++) {
      // Each sender leaves after offering, so the target is always the only other peer.
      const e = announce(st, 100 + i, id(`s${i}`), id("h"), [{ offer: { type: "offer", sdp: "s" }, offerId: id(`off${i}`) }]);
      expect(e.some((x) => x.kind === "send" && x.to === 1 && x.msg.type === "offer")).toBe(true);
      removeSocket(st, 100 + i);
    }
    const pending = st.sockets.get(1)!.pending;
    expect(pending.size).toBe(L.MAX_PENDING_OFFERS_PER_SOCKET);
    expect(pending.has(id("off0"))).toBe(false);
    // An answer to the forgotten offer is not taken for a forgery: the offerer is
    // gone here, so it gets "offering peer is gone", not a 1008 close.
    const e = handle(
      st,
      1,
      { action: "answer", infoHash: id("h"), peerId: id("target"), toPeerId: id("s0"), offerId: id("off0"), answer: { type: "answer", sdp: "a" } },
      T0,
      Math.random,
    );
    expect(e.some((x) => x.kind === "close")).toBe(false);
    expect(failureOf(e)).toEqual(["offering peer is gone"]);
  });

  it("ANNOUNCE_INTERVAL_S, PEER_LIFETIME_MS, OFFER_LIFETIME_MS, WAKE_GRACE_MS: ordered so clients stay live and offers stay answerable", () => {
    // A peer survives one missed announce (plus jitter), and an offer outlives the
    // 50 s bittorrent-tracker client offer timeout.
    expect(L.PEER_LIFETIME_MS).toBeGreaterThanOrEqual(2 * L.ANNOUNCE_INTERVAL_S * 1000);
    expect(L.OFFER_LIFETIME_MS).toBeGreaterThan(50_000);
    expect(L.WAKE_GRACE_MS).toBeGreaterThanOrEqual(L.OFFER_LIFETIME_MS);
    expect(L.STATS_FLUSH_MS).toBeLessThan(10_000); // below workerd's idle-to-hibernate delay
  });

  it("CHANNEL_RE and DEFAULT_CHANNEL: channel names are [A-Za-z0-9_-]{1,64}, bare /announce is the default", () => {
    expect(channelFromPath("/announce")).toEqual({ ok: true, channel: L.DEFAULT_CHANNEL });
    expect(channelFromPath(`/announce/${"a".repeat(64)}`)).toEqual({ ok: true, channel: "a".repeat(64) });
    expect(channelFromPath(`/announce/${"a".repeat(65)}`).ok).toBe(false);
    expect(channelFromPath("/announce/a.b").ok).toBe(false);
    expect(channelFromPath("/announce/a/b").ok).toBe(false);
    expect(channelFromPath("/announce/%2e%2e").ok).toBe(false);
  });
});

describe("rate limits", () => {
  it("MSG_BURST / MSG_PER_S: a socket may send a burst, then is closed with 1008 until the bucket refills", () => {
    const st = st0();
    for (let i = 0; i < L.MSG_BURST; i++) expect(admit(st, 1, T0)).toBeNull();
    const over = admit(st, 1, T0);
    expect(over).toEqual([
      { kind: "send", to: 1, msg: { type: "failure", reason: "too many messages" } },
      { kind: "close", to: 1, code: 1008, reason: "too many messages" },
    ]);
    // Another socket is unaffected, and the first one's budget refills at MSG_PER_S.
    expect(admit(st, 2, T0)).toBeNull();
    expect(admit(st, 1, T0 + 1000 / L.MSG_PER_S)).toBeNull();
  });

  it("OFFER_BURST / OFFER_PER_S: offers past the budget are not relayed and the reply carries a warning", () => {
    const st = st0();
    for (let i = 0; i < 20; i++) announce(st, 100 + i, id(`peer${i}`), id("h"));
    let relayed = 0;
    let warned: string | undefined;
    for (let round = 0; round * 5 < L.OFFER_BURST + 5; round++) {
      const offers = Array.from({ length: 5 }, (_, k) => ({ offer: { type: "offer" as const, sdp: "s" }, offerId: id(`r${round}-${k}`) }));
      const e = announce(st, 1, id("sender"), id("h"), offers);
      relayed += e.filter((x) => x.kind === "send" && x.msg.type === "offer").length;
      for (const x of e) if (x.kind === "send" && x.msg.type === "announce-reply" && x.msg.warning) warned = x.msg.warning;
    }
    expect(relayed).toBe(L.OFFER_BURST);
    expect(warned).toBe("offer rate limit reached: some offers were not relayed");
    expect(st.counters.offerRateLimited).toBe(5);
  });

  it("can be switched off for synthetic load (TRACKER_RATE_LIMIT=off)", () => {
    const st = createState(0, false);
    for (let i = 0; i < L.MSG_BURST * 3; i++) expect(admit(st, 1, T0)).toBeNull();
  });
});

describe("attachment writes", () => {
  const persists = (e: Effect[]) => e.filter((x) => x.kind === "persist").length;
  const update = (st: TrackerState, now: number, complete = false) =>
    handle(st, 1, { action: "announce", infoHash: id("h"), peerId: id("p"), event: "update", numwant: 5, complete, offers: [] }, now, Math.random);

  it("PERSIST_SEEN_MS: a join persists, a re-announce within the window does not, one after it does", () => {
    const st = st0();
    expect(persists(announce(st, 1, id("p"), id("h")))).toBe(1);
    expect(persists(update(st, T0 + L.PERSIST_SEEN_MS - 1))).toBe(0);
    expect(persists(update(st, T0 + L.PERSIST_SEEN_MS))).toBe(1);
    expect(persists(update(st, T0 + L.PERSIST_SEEN_MS + 1, true))).toBe(1); // became complete
    // After a wake the stale copy still leaves two announce intervals of lifetime.
    expect(L.PEER_LIFETIME_MS - L.PERSIST_SEEN_MS).toBeGreaterThanOrEqual(2 * L.ANNOUNCE_INTERVAL_S * 1000);
  });
});

// Issue 14 (H1, M2): one client must not be able to take over a swarm or a shard.
describe("admission", () => {
  const sdp = { type: "offer" as const, sdp: "s" };
  const at = (st: TrackerState, sock: number, peer: string, now: number, offers: { offer: typeof sdp; offerId: string }[] = [], hash = id("h")) => {
    addSocket(st, sock, now);
    return handle(st, sock, { action: "announce", infoHash: hash, peerId: peer, event: "started", numwant: 82, complete: false, offers }, now, Math.random);
  };
  const offerTo = (e: Effect[]) => e.flatMap((x) => (x.kind === "send" && x.msg.type === "offer" ? [x.to] : []));
  const fill = (st: TrackerState, from: number, now: number) => {
    for (let i = from; peerCount(st) < L.MAX_PEERS_PER_SWARM; i++) at(st, 1000 + i, id(`f${i}`), now);
  };

  it("MAX_PEERS_PER_SOCKET_PER_SWARM: two peers of one socket pair with each other, a third gets a failure, socket kept", () => {
    const st = st0();
    expect(failureOf(at(st, 1, id("p0"), T0))).toEqual([]);
    const e = at(st, 1, id("p1"), T0, [{ offer: sdp, offerId: id("o1") }]);
    // p1's offer goes to p0 on the same socket, and p0's answer comes back to it.
    expect(offerTo(e)).toEqual([1]);
    const back = handle(
      st,
      1,
      { action: "answer", infoHash: id("h"), peerId: id("p0"), toPeerId: id("p1"), offerId: id("o1"), answer: { type: "answer", sdp: "a" } },
      T0,
      Math.random,
    );
    expect(back).toEqual([
      { kind: "send", to: 1, msg: { type: "answer", infoHash: id("h"), peerId: id("p0"), offerId: id("o1"), answer: { type: "answer", sdp: "a" } } },
    ]);
    expect(L.MAX_PEERS_PER_SOCKET_PER_SWARM).toBe(2);
    const third = at(st, 1, id("p2"), T0);
    expect(failureOf(third)).toEqual(["too many peers of one swarm on one connection"]);
    expect(third.some((x) => x.kind === "close")).toBe(false);
    expect(failureOf(at(st, 1, id("p2"), T0, [], id("other")))).toEqual([]); // another swarm is fine
    expect(st.swarms.get(id("h"))!.members).toHaveLength(2);
  });

  it("EVICT_SILENT_MS: a full swarm gives a newcomer the slot of a peer silent that long, and only such a slot", () => {
    const st = st0();
    at(st, 1, id("quiet"), T0);
    fill(st, 0, T0);
    const later = T0 + L.EVICT_SILENT_MS;
    // Everyone but the quiet one re-announced just before.
    for (const m of st.swarms.get(id("h"))!.members.slice()) {
      if (m.sock !== 1)
        handle(
          st,
          m.sock,
          { action: "announce", infoHash: id("h"), peerId: m.peerId, event: "update", numwant: 0, complete: false, offers: [] },
          later - 1,
          Math.random,
        );
    }
    const e = at(st, 2, id("newcomer"), later);
    expect(failureOf(e)).toEqual([]);
    expect(e).toContainEqual({ kind: "persist", to: 1 }); // the evicted peer's socket forgets it
    const swarm = st.swarms.get(id("h"))!;
    expect(swarm.byPeer.has(id("quiet"))).toBe(false);
    expect(swarm.byPeer.has(id("newcomer"))).toBe(true);
    expect(swarm.members).toHaveLength(L.MAX_PEERS_PER_SWARM);
    expect(st.counters.evicted).toBe(1);
    // Nobody else is silent: the next newcomer is refused, and nobody honest lost a slot.
    expect(failureOf(at(st, 3, id("late"), later))).toEqual(["swarm is full"]);
    expect(st.counters.evicted).toBe(1);
    expect(L.EVICT_SILENT_MS).toBeGreaterThan(L.ANNOUNCE_INTERVAL_S * 1000);
    expect(L.EVICT_SILENT_MS).toBeLessThan(L.PEER_LIFETIME_MS);
  });

  it("EVICT_UNANSWERED_OFFERS / EVICT_UNANSWERED_MS: a full swarm evicts a peer that never answers its offers, never one that answers", () => {
    const build = (answerOne: boolean) => {
      const st = st0();
      at(st, 1, id("mute"), T0);
      at(st, 2, id("offerer"), T0);
      for (let k = 0; k < L.EVICT_UNANSWERED_OFFERS; k++) {
        expect(offerTo(at(st, 2, id("offerer"), T0, [{ offer: sdp, offerId: id(`o${k}`) }]))).toEqual([1]);
      }
      if (answerOne) {
        const ans = {
          action: "answer" as const,
          infoHash: id("h"),
          peerId: id("mute"),
          toPeerId: id("offerer"),
          offerId: id("o0"),
          answer: { type: "answer" as const, sdp: "a" },
        };
        expect(handle(st, 1, ans, T0 + 1000, Math.random)[0]).toMatchObject({ kind: "send", to: 2 });
      }
      fill(st, 0, T0);
      return st;
    };
    const st = build(false);
    expect(failureOf(at(st, 3, id("too-soon"), T0 + L.EVICT_UNANSWERED_MS - 1))).toEqual(["swarm is full"]);
    expect(failureOf(at(st, 3, id("newcomer"), T0 + L.EVICT_UNANSWERED_MS))).toEqual([]);
    expect(st.swarms.get(id("h"))!.byPeer.has(id("mute"))).toBe(false);
    expect(st.swarms.get(id("h"))!.byPeer.has(id("offerer"))).toBe(true);

    const kept = build(true);
    expect(failureOf(at(kept, 3, id("newcomer"), T0 + L.EVICT_UNANSWERED_MS))).toEqual(["swarm is full"]);
    expect(kept.swarms.get(id("h"))!.byPeer.has(id("mute"))).toBe(true);
    expect(kept.counters.evicted).toBe(0);
  });

  it("SOCKET_IDLE_MS: a socket that never announces is closed (1000) after that long, one that announced is not", () => {
    const st = st0();
    addSocket(st, 1, T0);
    at(st, 2, id("viewer"), T0);
    expect(nextIdleClose(st)).toBe(T0 + L.SOCKET_IDLE_MS);
    expect(closeIdle(st, T0 + L.SOCKET_IDLE_MS - 1)).toEqual([]);
    expect(closeIdle(st, T0 + L.SOCKET_IDLE_MS)).toEqual([{ kind: "close", to: 1, code: 1000, reason: "idle: no announce" }]);
    expect(st.sockets.has(1)).toBe(false);
    expect(st.counters.idleClosed).toBe(1);
    expect(nextIdleClose(st)).toBeNull();
    // A socket whose last swarm is gone (stopped) is idle from then on.
    const t1 = T0 + 5000;
    handle(st, 2, { action: "announce", infoHash: id("h"), peerId: id("viewer"), event: "stopped", numwant: 0, complete: false, offers: [] }, t1, Math.random);
    expect(nextIdleClose(st)).toBe(t1 + L.SOCKET_IDLE_MS);
    expect(closeIdle(st, t1 + L.SOCKET_IDLE_MS).map((x) => x.to)).toEqual([2]);
    expect(L.SOCKET_IDLE_MS).toBeLessThan(L.ANNOUNCE_INTERVAL_S * 1000);
  });

  it("MAX_SOCKETS_PER_IP: a household fits, a flood from one address does not (enforced per upgrade, see the workerd test)", () => {
    expect(L.MAX_SOCKETS_PER_IP).toBeGreaterThanOrEqual(10);
    expect(L.MAX_SOCKETS_PER_IP * L.MAX_PEERS_PER_SOCKET_PER_SWARM).toBeLessThan(L.MAX_PEERS_PER_SWARM / 100);
  });

  it("TARGET_CANDIDATES and TARGET_DRAWS: a big swarm's draws find the one honest partner beside an address filled to its caps (swarm.test.ts)", () => {
    expect(L.TARGET_CANDIDATES).toBeGreaterThanOrEqual(2);
    // One address at its caps, the partner, and the announcer (not drawn): the partner is missed
    // only if none of a 5-offer announce's draws lands on it.
    const squat = L.MAX_SOCKETS_PER_IP * L.MAX_PEERS_PER_SOCKET_PER_SWARM;
    const missed = Math.pow(1 - 1 / (squat + 2), 5 * L.TARGET_DRAWS);
    expect(missed).toBeLessThan(1e-3);
    // The draws stay bounded per announce.
    expect(L.MAX_OFFERS_PER_ANNOUNCE * L.TARGET_DRAWS).toBeLessThanOrEqual(1000);
  });
});

describe("the capacity of one shard (issue 13)", () => {
  it("MAX_JOINS_PER_S_PER_SHARD and JOIN_BURST: a shard's busiest second of joins fits SHARD_REQUESTS_PER_S", () => {
    expect((L.JOIN_BURST + L.MAX_JOINS_PER_S_PER_SHARD) * L.REQUESTS_PER_JOIN).toBeLessThanOrEqual(L.SHARD_REQUESTS_PER_S);
    // The directory sizes a region for no more than what a shard admits, so a region sized right refuses only a random second's excess.
    expect(L.MAX_JOINS_PER_SHARD_S).toBeLessThanOrEqual(L.MAX_JOINS_PER_S_PER_SHARD);
  });

  it("SHARD_REQUESTS_PER_S stays under an object's ~1,000/s soft limit, with room for a shard's steady traffic", () => {
    expect(L.SHARD_REQUESTS_PER_S).toBeLessThanOrEqual(1000 / 2);
  });

  it("REQUESTS_PER_JOIN counts the upgrade, the announce and one answer per offer bittorrent-tracker's client sends", () => {
    expect(L.REQUESTS_PER_JOIN).toBe(1 + 1 + 5);
  });

  it("JOIN_DEMAND_WINDOW_MS is longer than the shortest period a demand is measured over", () => {
    expect(L.JOIN_DEMAND_WINDOW_MS).toBeGreaterThan(L.MIN_JOIN_PERIOD_MS);
  });
});
