// Tracker admission against the real Durable Object (issue 14, H1 / M2 / interop): peer_ids
// per swarm per socket, sockets per address, idle sockets, malformed offers. Each limit gets
// its bad input and its clear error, and an honest viewer beside it keeps pairing.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TrackerShard } from "../../../worker/tracker/index";
import { MAX_PEERS_PER_SOCKET_PER_SWARM, MAX_SOCKETS_PER_IP, SOCKET_IDLE_MS } from "../../../worker/tracker/limits";
import { announce, connect, id20, offers, SDP_ANSWER, SDP_OFFER, testEnv, type TestSocket } from "./ws-client";

describe("peer_ids per swarm per socket", () => {
  it("pairs two players of one stream on one socket with each other, both ways", async () => {
    const h = id20("h-page");
    const page = await connect("/announce/one-page");
    const p1 = id20("player1");
    const p2 = id20("player2");
    page.send(announce(h, p1, { event: "started" }));
    expect(await page.next()).toMatchObject({ incomplete: 1 });
    const [offer] = offers(1);
    page.send(announce(h, p2, { event: "started", offers: [offer] }));
    // Both frames reach the same socket: the reply to p2, and p1's copy of p2's offer.
    const frames = [await page.next(), await page.next()];
    expect(frames).toContainEqual(expect.objectContaining({ action: "announce", incomplete: 2, info_hash: h }));
    expect(frames).toContainEqual({ action: "announce", offer: SDP_OFFER, offer_id: offer!.offer_id, peer_id: p2, info_hash: h });
    page.send({ action: "announce", info_hash: h, peer_id: p1, to_peer_id: p2, offer_id: offer!.offer_id, answer: SDP_ANSWER });
    expect(await page.next()).toEqual({ action: "announce", answer: SDP_ANSWER, offer_id: offer!.offer_id, peer_id: p1, info_hash: h });
    page.close();
  });

  it(`refuses a third peer_id of one swarm on one socket with a failure frame, keeps the socket and its peers`, async () => {
    const h = id20("h-many");
    const greedy = await connect("/announce/many-ids");
    const honest = await connect("/announce/many-ids");
    for (let i = 0; i < MAX_PEERS_PER_SOCKET_PER_SWARM; i++) {
      greedy.send(announce(h, id20(`g${i}`), { event: "started" }));
      expect(await greedy.next()).toMatchObject({ action: "announce", incomplete: i + 1 });
    }
    const third = id20("g-third");
    greedy.send(announce(h, third, { event: "started" }));
    expect(await greedy.next()).toEqual({ "failure reason": "too many peers of one swarm on one connection", action: "announce", info_hash: h });
    // Another swarm on the same socket is still fine, and an honest peer still pairs.
    greedy.send(announce(id20("h-other"), third, { event: "started" }));
    expect(await greedy.next()).toMatchObject({ action: "announce", incomplete: 1 });
    honest.send(announce(h, id20("honest"), { event: "started", offers: offers(5) }));
    expect(await honest.next()).toMatchObject({ incomplete: MAX_PEERS_PER_SOCKET_PER_SWARM + 1 });
    const relayed = [await greedy.next(), await greedy.next()];
    expect(relayed.every((f) => f.offer !== undefined)).toBe(true);
    greedy.close();
    honest.close();
  });
});

describe("sockets per address per shard", () => {
  const upgrade = (channel: string, ip: string) =>
    exports.default.fetch(`https://tracker.test/announce/${channel}`, { headers: { upgrade: "websocket", "cf-connecting-ip": ip } });

  it(`gives the next upgrade from one address 429 { error }, and other addresses still join`, async () => {
    const ch = "per-ip";
    const flood: TestSocket[] = [];
    for (let i = 0; i < MAX_SOCKETS_PER_IP; i++) flood.push(await connect(`/announce/${ch}`, { "cf-connecting-ip": "203.0.113.7" }));
    const refused = await upgrade(ch, "203.0.113.7");
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ error: "too many tracker connections from this address" });
    // Another address in the same IPv6 /64 counts as the same client; a different one does not.
    // (A second later on the shard's clock: it admits JOIN_BURST joins at once, then 50/s.)
    await testEnv.TRACKER.getByName(ch).testAdvanceClock(1000);
    for (let i = 0; i < MAX_SOCKETS_PER_IP; i++) flood.push(await connect(`/announce/${ch}`, { "cf-connecting-ip": `2001:db8:1:2::${i + 1}` }));
    const sameNet = await upgrade(ch, "2001:db8:1:2:ffff::1");
    expect(sameNet.status).toBe(429);
    await sameNet.body?.cancel();

    const h = id20("h-ip");
    await testEnv.TRACKER.getByName(ch).testAdvanceClock(1000);
    const a = await connect(`/announce/${ch}`, { "cf-connecting-ip": "198.51.100.1" });
    const b = await connect(`/announce/${ch}`, { "cf-connecting-ip": "198.51.100.2" });
    a.send(announce(h, id20("a"), { event: "started" }));
    await a.next();
    b.send(announce(h, id20("b"), { event: "started", offers: offers(1) }));
    expect(await b.next()).toMatchObject({ incomplete: 2 });
    expect(await a.next()).toMatchObject({ offer: SDP_OFFER });

    // A closed socket frees its address's slot.
    const gone = flood[0]!;
    gone.close();
    await gone.closed;
    await expect
      .poll(async () => {
        const r = await upgrade(ch, "203.0.113.7");
        if (r.status === 101) r.webSocket?.accept();
        else await r.body?.cancel();
        return r.status;
      })
      .toBe(101);
    for (const s of [...flood, a, b]) s.close();
  });
});

describe("idle sockets", () => {
  it(`closes a socket that never announced within SOCKET_IDLE_MS on the alarm, keeps the announced one`, async () => {
    const ch = "idle-close";
    const lurker = await connect(`/announce/${ch}`);
    const viewer = await connect(`/announce/${ch}`);
    const h = id20("h-lurk");
    const [v, v2] = [id20("v"), id20("v2")];
    viewer.send(announce(h, v, { event: "started" }));
    await viewer.next();
    const stub = testEnv.TRACKER.getByName(ch);
    await stub.testAdvanceClock(SOCKET_IDLE_MS - 1000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await lurker.silent(100); // not yet
    await stub.testAdvanceClock(1000);
    viewer.send(announce(h, v2, { event: "started" })); // the viewer stays active
    await viewer.next();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await lurker.closed).toEqual({ code: 1000, reason: "idle: no announce" });
    expect((await stub.shardStats()).messages.idleClosed).toBe(1);
    viewer.send(announce(h, v, { offers: offers(1) }));
    expect(await viewer.next()).toMatchObject({ action: "announce", incomplete: 2 });
    expect(await viewer.next()).toMatchObject({ offer: SDP_OFFER, peer_id: v });
    viewer.close();
  });

  it("keeps the idle clock across hibernation: a fresh instance closes the socket from its attachment", async () => {
    const ch = "idle-hib";
    const lurker = await connect(`/announce/${ch}`);
    const stub = testEnv.TRACKER.getByName(ch);
    await runInDurableObject(stub, async (_old: TrackerShard, state) => {
      const woke = new TrackerShard(state, testEnv); // what workerd does after hibernation
      await woke.testAdvanceClock(SOCKET_IDLE_MS);
      await woke.alarm();
    });
    expect(await lurker.closed).toEqual({ code: 1000, reason: "idle: no announce" });
  });
});

describe("offers spread over addresses (H1)", () => {
  /** 20 sockets × 2 peer_ids of one address, all within the caps, in swarm `h` of channel `ch`. */
  async function squat(ch: string, h: string): Promise<TestSocket[]> {
    const socks: TestSocket[] = [];
    for (let i = 0; i < MAX_SOCKETS_PER_IP; i++) {
      const s = await connect(`/announce/${ch}`, { "cf-connecting-ip": "203.0.113.9" });
      for (let k = 0; k < MAX_PEERS_PER_SOCKET_PER_SWARM; k++) {
        s.send(announce(h, id20(`sq${i}-${k}`), { event: "started" }));
        expect(await s.next()).toMatchObject({ action: "announce" });
      }
      socks.push(s);
    }
    return socks;
  }

  /** An honest viewer announces 10 offers; resolves with whether its partner got one. */
  async function partnerGetsOffer(viewer: TestSocket, partner: TestSocket, h: string): Promise<boolean> {
    viewer.send(announce(h, id20("viewer"), { event: "started", numwant: 10, offers: offers(10) }));
    expect(await viewer.next()).toMatchObject({ action: "announce" });
    try {
      return (await partner.next(2000)).offer !== undefined;
    } catch {
      return false;
    }
  }

  it("relays an honest viewer's offer to its partner even with one address's 40 peers in the swarm", async () => {
    const ch = "squat-spread";
    const h = id20("h-squat");
    const socks = await squat(ch, h);
    const partner = await connect(`/announce/${ch}`);
    partner.send(announce(h, id20("partner"), { event: "started" }));
    expect(await partner.next()).toMatchObject({ incomplete: 41 });
    // Before: 10 of 41 picked at random, so the partner got an offer about one announce in four.
    const viewers: TestSocket[] = [];
    for (let k = 0; k < 5; k++) {
      viewers.push(await connect(`/announce/${ch}`));
      expect(await partnerGetsOffer(viewers[k]!, partner, h), `announce ${k}`).toBe(true);
    }
    for (const s of [...socks, ...viewers, partner]) s.close();
  });
});

describe("malformed offers", () => {
  it("drops a malformed offer and serves the rest of the announce, without a warning", async () => {
    const h = id20("h-offers");
    const ch = "bad-offer";
    const a = await connect(`/announce/${ch}`);
    const b = await connect(`/announce/${ch}`);
    a.send(announce(h, id20("a"), { event: "started" }));
    await a.next();
    const [good] = offers(1);
    b.send(announce(h, id20("b"), { event: "started", offers: [{ offer: "fake_offer", offer_id: "fake_offer_id" }, good] }));
    expect(await b.next()).toEqual({ action: "announce", interval: expect.any(Number), info_hash: h, complete: 0, incomplete: 2 });
    expect(await a.next()).toMatchObject({ offer: SDP_OFFER, offer_id: good!.offer_id });
    expect((await testEnv.TRACKER.getByName(ch).shardStats()).messages.offerMalformed).toBe(1);
    a.close();
    b.close();
  });
});
