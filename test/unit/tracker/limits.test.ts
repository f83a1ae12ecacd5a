// One test per limit in worker/tracker/limits.ts: each is enforced where it says.
// (Frame size, SDP size, offers, numwant, scrape list and offer_id length are also
// in the protocol bad-frame table; lifetimes in the swarm tests; STATS_FLUSH_MS and
// the attachment budget in the workerd tests.)
import { describe, expect, it } from "vitest";
import { parse } from "../../../worker/tracker/protocol";
import { admit, handle } from "../../../worker/tracker/swarm";
import { addSocket, createState, peerCount, removeSocket, type Effect, type TrackerState } from "../../../worker/tracker/state";
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
