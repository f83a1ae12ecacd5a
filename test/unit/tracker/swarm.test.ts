// Swarm logic, pure: pairing, distinct random relay targets, numwant, counts, expiry,
// stop/complete, several swarms per socket, identity abuse, and a replay of real
// captured traffic that must route exactly as bittorrent-tracker's server did.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, serialize, type InMessage, type OutMessage } from "../../../worker/tracker/protocol";
import { handle, pickTargets } from "../../../worker/tracker/swarm";
import {
  addSocket,
  createState,
  membershipRecords,
  nextExpiry,
  peerCount,
  removeSocket,
  restoreSocket,
  sweep,
  type Effect,
  type TrackerState,
} from "../../../worker/tracker/state";
import { OFFER_LIFETIME_MS, PEER_LIFETIME_MS, WAKE_GRACE_MS } from "../../../worker/tracker/limits";

const id = (tag: string) => tag.padEnd(20, "_").slice(0, 20);
const H = id("hash1");
const H2 = id("hash2");
const sdpO = { type: "offer" as const, sdp: "o" };
const sdpA = { type: "answer" as const, sdp: "a" };

function ann(peer: string, extra: Partial<Extract<InMessage, { action: "announce" }>> = {}, hash = H): InMessage {
  return { action: "announce", infoHash: hash, peerId: peer, event: "started", numwant: 5, complete: false, offers: [], ...extra };
}
function offersN(n: number, tag = "off"): { offer: typeof sdpO; offerId: string }[] {
  return Array.from({ length: n }, (_, i) => ({ offer: sdpO, offerId: id(`${tag}${i}`) }));
}
function sends(effects: Effect[], to?: number): OutMessage[] {
  return effects.flatMap((e) => (e.kind === "send" && (to === undefined || e.to === to) ? [e.msg] : []));
}
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}
/** A state that woke long ago, so the post-wake grace for unknown answers is over. */
function fresh(): TrackerState {
  return createState(-10 * WAKE_GRACE_MS);
}
const rng = seeded(1);
const T0 = 1_000_000;

function join(st: TrackerState, sock: number, peer: string, hash = H, now = T0, group: string | null = null) {
  addSocket(st, sock, undefined, group);
  return handle(st, sock, ann(peer, {}, hash), now, rng);
}

describe("announce", () => {
  it("replies with complete/incomplete counts and counts a left:0 peer as complete", () => {
    const st = fresh();
    expect(sends(join(st, 1, id("a")))).toEqual([{ type: "announce-reply", infoHash: H, complete: 0, incomplete: 1 }]);
    const e = handle(st, 2, ann(id("b"), { complete: true }), T0, rng);
    expect(sends(e, 2)).toEqual([{ type: "announce-reply", infoHash: H, complete: 1, incomplete: 1 }]);
  });

  it("relays each offer to a different peer, never back to the sender's socket", () => {
    const st = fresh();
    for (let i = 1; i <= 6; i++) join(st, i, id(`p${i}`));
    const e = handle(st, 1, ann(id("p1"), { event: "update", offers: offersN(5) }), T0, rng);
    const relays = e.filter((x) => x.kind === "send" && x.msg.type === "offer");
    const targets = relays.map((x) => x.to);
    expect(new Set(targets).size).toBe(5);
    expect(targets).not.toContain(1);
    const ids = relays.map((x) => (x.kind === "send" && x.msg.type === "offer" ? x.msg.offerId : ""));
    expect(new Set(ids).size).toBe(5);
  });

  it("relays min(offers, numwant, other peers) offers", () => {
    const st = fresh();
    for (let i = 1; i <= 4; i++) join(st, i, id(`p${i}`));
    const count = (numwant: number, n: number) =>
      sends(handle(st, 1, ann(id("p1"), { event: "update", numwant, offers: offersN(n, `n${numwant}-${n}`) }), T0, rng)).filter((m) => m.type === "offer")
        .length;
    expect(count(2, 5)).toBe(2);
    expect(count(5, 1)).toBe(1);
    expect(count(5, 5)).toBe(3); // only 3 other peers
    expect(count(0, 5)).toBe(0);
  });

  it("picks relay targets at random: over many draws every peer is chosen", () => {
    const st = fresh();
    for (let i = 1; i <= 200; i++) join(st, i, id(`p${i}`));
    const r = seeded(42);
    const hits = new Map<number, number>();
    for (let k = 0; k < 400; k++) {
      const sw = st.swarms.get(H)!;
      const picked = pickTargets(sw, id("p1"), 5, T0, r);
      expect(new Set(picked.map((m) => m.sock)).size).toBe(5);
      for (const m of picked) hits.set(m.sock, (hits.get(m.sock) ?? 0) + 1);
    }
    expect(hits.has(1)).toBe(false);
    expect(hits.size).toBeGreaterThan(190); // 2000 draws over 199 peers
  });

  it("spreads offers over addresses: one address's 40 peers cannot take every offer (issue 14 H1)", () => {
    // Two honest viewers (no address: loopback, each its own group) among 20 sockets × 2 peers of one address.
    // 5 offers (what the bittorrent-tracker client sends) take the sampling path in this 42-member swarm; 10 shuffle it whole.
    for (const [want, others] of [
      [10, 0],
      [5, 0],
      [5, 200],
    ] as const) {
      const st = fresh();
      join(st, 1, id("honest-a"));
      join(st, 2, id("honest-b"));
      for (let i = 0; i < 20; i++) for (const k of [0, 1]) join(st, 100 + i, id(`fake${i}-${k}`), H, T0, "203.0.113.66");
      // Other addresses' peers, one each.
      for (let i = 0; i < others; i++) join(st, 1000 + i, id(`other${i}`), H, T0, `198.51.100.${i}`);
      const sw = st.swarms.get(H)!;
      const r = seeded(7);
      let partnerOffered = 0;
      let squatOffered = 0;
      for (let k = 0; k < 200; k++) {
        const picked = pickTargets(sw, id("honest-a"), want, T0, r);
        // Every other address gets a slot; one address's extra peers may go unoffered in a big swarm.
        expect(picked.length).toBeGreaterThanOrEqual(Math.min(want, 2 + others));
        expect(picked.length).toBeLessThanOrEqual(want);
        squatOffered += picked.filter((m) => m.group === "203.0.113.66").length;
        if (picked.some((m) => m.peerId === id("honest-b"))) partnerOffered++;
      }
      const why = `want ${want}, others ${others}`;
      if (others === 0) {
        // The partner is in (nearly) every draw; drawn by member it was in ~1 in 4 (10 of 41).
        expect(partnerOffered, why).toBeGreaterThanOrEqual(want === 10 ? 200 : 198);
      } else {
        // One address among 202: drawn by address its share of offers is ~1/201, by member it was 40/241.
        expect(squatOffered / (200 * want), why).toBeLessThan(0.03);
        expect(partnerOffered, why).toBeGreaterThan(0);
      }
    }
  });

  it("keeps each swarm's members-per-address count through joins and leaves", () => {
    const st = fresh();
    for (let i = 0; i < 3; i++) join(st, 10 + i, id(`s${i}`), H, T0, "203.0.113.7");
    join(st, 20, id("solo"));
    const sw = st.swarms.get(H)!;
    expect(Object.fromEntries(sw.groupSize)).toEqual({ "203.0.113.7": 3, "#20": 1 });
    removeSocket(st, 10);
    removeSocket(st, 20);
    expect(Object.fromEntries(sw.groupSize)).toEqual({ "203.0.113.7": 2 });
  });

  it("offers peers that answer before peers that took offers and answered none", () => {
    const st = fresh();
    for (let i = 1; i <= 8; i++) join(st, i, id(`p${i}`));
    const sw = st.swarms.get(H)!;
    for (const m of sw.members) if (m.sock >= 5) m.offersIn = 3; // p5..p8 mute so far
    sw.byPeer.get(id("p6"))!.answers = 1; // p6 answered one: not mute
    const r = seeded(3);
    for (let k = 0; k < 50; k++) {
      const socks = pickTargets(sw, id("p1"), 4, T0, r).map((m) => m.sock);
      expect(socks.sort()).toEqual([2, 3, 4, 6]);
    }
  });

  it("keeps a socket's address group through a wake (restoreSocket), so its peers stay grouped", () => {
    const st = fresh();
    restoreSocket(st, 9, [[H, id("woke"), false, T0]], undefined, "ip:203.0.113.9");
    expect(st.swarms.get(H)!.byPeer.get(id("woke"))!.group).toBe("ip:203.0.113.9");
  });

  it("still fills every slot from one address when it is the only one (a LAN, one NAT)", () => {
    const st = fresh();
    for (let i = 1; i <= 12; i++) join(st, i, id(`p${i}`), H, T0, "10.0.0.1");
    expect(pickTargets(st.swarms.get(H)!, id("p1"), 10, T0, seeded(5))).toHaveLength(10);
  });

  it("keeps counts right through completed, a repeated started and stopped", () => {
    const st = fresh();
    join(st, 1, id("a"));
    join(st, 2, id("b"));
    let e = handle(st, 2, ann(id("b"), { event: "completed" }), T0, rng);
    expect(sends(e, 2)[0]).toMatchObject({ complete: 1, incomplete: 1 });
    e = handle(st, 2, ann(id("b"), { event: "started" }), T0, rng); // already in: an update
    expect(sends(e, 2)[0]).toMatchObject({ complete: 1, incomplete: 1 });
    e = handle(st, 1, ann(id("a"), { event: "stopped" }), T0, rng);
    expect(sends(e, 1)[0]).toMatchObject({ complete: 1, incomplete: 0 });
    expect(st.counters.stopped).toBe(1);
    expect(st.counters.completed).toBe(1);
  });

  it("does not relay offers sent with a completed event", () => {
    const st = fresh();
    join(st, 1, id("a"));
    join(st, 2, id("b"));
    const e = handle(st, 2, ann(id("b"), { event: "completed", offers: offersN(2) }), T0, rng);
    expect(sends(e).filter((m) => m.type === "offer")).toHaveLength(0);
  });
});

describe("answer", () => {
  function paired() {
    const st = fresh();
    join(st, 1, id("a"));
    const offer = offersN(1, "x")[0]!;
    const e = handle(st, 2, ann(id("b"), { offers: [offer] }), T0, rng);
    expect(sends(e, 1)).toEqual([{ type: "offer", infoHash: H, peerId: id("b"), offerId: offer.offerId, offer: sdpO }]);
    return { st, offerId: offer.offerId };
  }
  const answerMsg = (offerId: string, peer = id("a"), to = id("b"), hash = H): InMessage => ({
    action: "answer",
    infoHash: hash,
    peerId: peer,
    toPeerId: to,
    offerId,
    answer: sdpA,
  });

  it("relays the answer to to_peer_id only, nothing back to the answerer", () => {
    const { st, offerId } = paired();
    const e = handle(st, 1, answerMsg(offerId), T0 + 10, rng);
    expect(e).toEqual([{ kind: "send", to: 2, msg: { type: "answer", infoHash: H, peerId: id("a"), offerId, answer: sdpA } }]);
  });

  it("closes with 1008 on a second answer to the same offer", () => {
    const { st, offerId } = paired();
    handle(st, 1, answerMsg(offerId), T0, rng);
    const e = handle(st, 1, answerMsg(offerId), T0, rng);
    expect(e.at(-1)).toEqual({ kind: "close", to: 1, code: 1008, reason: "answer to an offer never relayed to this connection" });
  });

  it("closes with 1008 when a socket answers an offer relayed to someone else", () => {
    const { st, offerId } = paired();
    join(st, 3, id("c"));
    const e = handle(st, 3, answerMsg(offerId, id("c")), T0, rng);
    expect(sends(e, 3)[0]).toMatchObject({ type: "failure", reason: "answer to an offer never relayed to this connection" });
    expect(e.at(-1)).toMatchObject({ kind: "close", code: 1008 });
    expect(sends(e, 2)).toEqual([]);
  });

  it("closes with 1008 when the answer names a different target than the offerer", () => {
    const { st, offerId } = paired();
    join(st, 3, id("c"));
    const e = handle(st, 1, answerMsg(offerId, id("a"), id("c")), T0, rng);
    expect(e.at(-1)).toMatchObject({ kind: "close", code: 1008, reason: "answer does not match the offer relayed" });
  });

  it("closes with 1008 when the answer claims a peer_id owned by another socket", () => {
    const { st, offerId } = paired();
    const e = handle(st, 1, answerMsg(offerId, id("b"), id("b")), T0, rng);
    expect(e.at(-1)).toMatchObject({ kind: "close", code: 1008, reason: "peer_id belongs to another connection" });
  });

  it("tells a late answer 'offer expired' without closing, and forgets the offer after a second lifetime", () => {
    const { st, offerId } = paired();
    const e = handle(st, 1, answerMsg(offerId), T0 + OFFER_LIFETIME_MS + 1, rng);
    expect(e).toEqual([{ kind: "send", to: 1, msg: { type: "failure", reason: "offer expired", action: "announce", infoHash: H } }]);
    const again = paired();
    sweep(again.st, T0 + 2 * OFFER_LIFETIME_MS - 1);
    expect(again.st.sockets.get(1)!.pending.has(again.offerId)).toBe(true); // tombstone kept
    sweep(again.st, T0 + 2 * OFFER_LIFETIME_MS);
    expect(again.st.sockets.get(1)!.pending.has(again.offerId)).toBe(false);
  });

  it("answers 'offering peer is gone' without closing when the offerer left", () => {
    const { st, offerId } = paired();
    removeSocket(st, 2);
    const e = handle(st, 1, answerMsg(offerId), T0, rng);
    expect(e).toEqual([{ kind: "send", to: 1, msg: { type: "failure", reason: "offering peer is gone", action: "announce", infoHash: H } }]);
  });

  it("relays an unknown offer's answer right after a wake when the answerer owns its peer_id", () => {
    const st = createState(T0); // just woke: offer records were lost
    join(st, 1, id("a"));
    join(st, 2, id("b"));
    const e = handle(st, 1, answerMsg(id("lost-offer")), T0 + 1000, rng);
    expect(sends(e, 2)).toHaveLength(1);
    const late = handle(st, 1, answerMsg(id("lost-offer2")), T0 + WAKE_GRACE_MS + 1, rng);
    expect(late.at(-1)).toMatchObject({ kind: "close", code: 1008 });
  });
});

describe("identity", () => {
  it("closes with 1008 a socket that announces a peer_id live on another socket", () => {
    const st = fresh();
    join(st, 1, id("a"));
    const e = join(st, 2, id("a"));
    expect(e).toEqual([
      { kind: "send", to: 2, msg: { type: "failure", reason: "peer_id already in use by another connection", action: "announce", infoHash: H } },
      { kind: "close", to: 2, code: 1008, reason: "peer_id already in use by another connection" },
    ]);
    expect(st.swarms.get(H)!.byPeer.get(id("a"))!.sock).toBe(1);
  });

  it("lets a socket stop only its own peer: stopping someone else's is abuse", () => {
    const st = fresh();
    join(st, 1, id("a"));
    const e = handle(st, 2, ann(id("a"), { event: "stopped" }), T0, rng);
    expect(e.at(-1)).toMatchObject({ kind: "close", code: 1008 });
    expect(peerCount(st)).toBe(1);
  });

  it("lets a new socket take over a peer_id whose owner went silent past the peer lifetime", () => {
    const st = fresh();
    join(st, 1, id("a"));
    const e = join(st, 2, id("a"), H, T0 + PEER_LIFETIME_MS);
    expect(sends(e, 2)[0]).toMatchObject({ type: "announce-reply", incomplete: 1 });
    expect(st.swarms.get(H)!.byPeer.get(id("a"))!.sock).toBe(2);
  });

  it("keeps the same peer_id apart in different swarms", () => {
    const st = fresh();
    join(st, 1, id("a"), H);
    const e = join(st, 2, id("a"), H2);
    expect(sends(e, 2)[0]).toMatchObject({ type: "announce-reply", infoHash: H2 });
  });
});

describe("several swarms on one socket", () => {
  it("serves each swarm separately and leaves them all when the socket closes", () => {
    const st = fresh();
    join(st, 1, id("a0"), H);
    join(st, 1, id("a1"), H2);
    join(st, 2, id("b0"), H);
    const e = handle(st, 2, ann(id("b1"), { offers: offersN(1) }, H2), T0, rng);
    expect(sends(e, 1)).toEqual([expect.objectContaining({ type: "offer", infoHash: H2, peerId: id("b1") })]);
    removeSocket(st, 1);
    expect(st.swarms.get(H)!.members.map((m) => m.peerId)).toEqual([id("b0")]);
    expect(st.swarms.get(H2)!.members.map((m) => m.peerId)).toEqual([id("b1")]);
    removeSocket(st, 2);
    expect(st.swarms.size).toBe(0);
  });
});

describe("expiry", () => {
  it("sweeps peers silent past the peer lifetime, keeps ones that re-announced", () => {
    const st = fresh();
    join(st, 1, id("a"));
    join(st, 2, id("b"));
    handle(st, 2, ann(id("b"), { event: "update" }), T0 + PEER_LIFETIME_MS - 1000, rng);
    expect(nextExpiry(st)).toBe(T0 + PEER_LIFETIME_MS);
    expect(sweep(st, T0 + PEER_LIFETIME_MS)).toEqual([1]);
    expect(st.swarms.get(H)!.members.map((m) => m.peerId)).toEqual([id("b")]);
    expect(st.counters.expired).toBe(1);
    expect(nextExpiry(st)).toBe(T0 + 2 * PEER_LIFETIME_MS - 1000);
  });

  it("never relays an offer to a peer past its lifetime, even before the sweep", () => {
    const st = fresh();
    join(st, 1, id("a"));
    const e = join(st, 2, id("b"), H, T0 + PEER_LIFETIME_MS);
    const e2 = handle(st, 2, ann(id("b"), { event: "update", offers: offersN(1) }), T0 + PEER_LIFETIME_MS, rng);
    expect(sends(e2).filter((m) => m.type === "offer")).toEqual([]);
    expect(sends(e, 2)[0]).toMatchObject({ type: "announce-reply" });
  });

  it("reports no expiry when no peers remain", () => {
    const st = fresh();
    join(st, 1, id("a"));
    removeSocket(st, 1);
    expect(nextExpiry(st)).toBeNull();
  });
});

describe("restore after a wake", () => {
  it("rebuilds swarms from attachment records and pairs with them", () => {
    const st = fresh();
    join(st, 1, id("a"), H);
    join(st, 1, id("a2"), H2);
    handle(st, 1, ann(id("a2"), { event: "completed" }, H2), T0, rng);
    const rec = membershipRecords(st.sockets.get(1)!);
    const woke = createState(T0 + 5);
    restoreSocket(woke, 1, rec);
    expect(woke.swarms.get(H2)!.complete).toBe(1);
    const e = handle(woke, 2, ann(id("b"), { offers: offersN(1) }), T0 + 10, rng);
    expect(sends(e, 1)).toHaveLength(1);
  });

  it("restores at most MAX_PEERS_PER_SOCKET_PER_SWARM peers of one swarm per socket, and the idle time of an empty one", () => {
    const st = fresh();
    restoreSocket(st, 1, [
      [H, id("a"), false, T0],
      [H, id("b"), false, T0],
      [H, id("c"), false, T0],
    ]);
    expect(st.sockets.get(1)!.memberships.map((m) => m.peerId)).toEqual([id("a"), id("b")]);
    expect(st.sockets.get(1)!.idleSince).toBeNull();
    restoreSocket(st, 2, [], T0 - 7);
    expect(st.sockets.get(2)!.idleSince).toBe(T0 - 7);
  });

  it("drops a restored record whose peer_id another socket already holds", () => {
    const st = fresh();
    restoreSocket(st, 1, [[H, id("a"), false, T0]]);
    restoreSocket(st, 2, [[H, id("a"), false, T0]]);
    expect(st.swarms.get(H)!.byPeer.get(id("a"))!.sock).toBe(1);
    expect(st.sockets.get(2)!.memberships).toEqual([]);
  });
});

describe("replay of real captured traffic", () => {
  interface Frame {
    dir: string;
    conn: number;
    text: string;
  }
  const { frames }: { frames: Frame[] } = JSON.parse(readFileSync(resolve(import.meta.dirname, "../../fixtures/tracker/captured-frames.json"), "utf8"));
  const norm = (text: string) => {
    const o = JSON.parse(text);
    delete o.interval; // ours 120 = bittorrent-tracker's ws default; flags differ by config
    delete o.flags;
    return JSON.stringify(o, Object.keys(o).sort());
  };

  it("produces the same frames, to the same connections, as bittorrent-tracker's server", () => {
    const st = fresh();
    const got: string[] = [];
    let t = T0;
    for (const f of frames) {
      if (f.dir !== "client→server") continue;
      addSocket(st, f.conn);
      const r = parse(f.text);
      if (!r.ok) throw new Error(r.reason);
      for (const e of handle(st, f.conn, r.msg, (t += 10), Math.random)) {
        if (e.kind === "send") got.push(`${e.to} ${norm(serialize(e.msg))}`);
        if (e.kind === "close") throw new Error(`unexpected close: ${e.reason}`);
      }
    }
    const want = frames.filter((f) => f.dir === "server→client").map((f) => `${f.conn} ${norm(f.text)}`);
    expect(got.sort()).toEqual(want.sort());
  });
});
