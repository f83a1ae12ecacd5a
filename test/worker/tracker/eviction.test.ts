// Swarm state across the two ways a Durable Object loses its memory:
// - hibernation: sockets stay open, the object is rebuilt. Simulated exactly by
//   constructing a fresh TrackerShard on the same live state: it must rebuild the
//   swarms from ctx.getWebSockets() + attachments and pair through them.
// - eviction (abortAllDurableObjects): workerd drops the sockets too (code 1006),
//   clients reconnect and must pair again; stored counters and outage mode survive.
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TrackerShard } from "../../../worker/tracker/index";
import { MAX_SWARMS_PER_SOCKET } from "../../../worker/tracker/limits";
import { announce, connect, id20, offers, SDP_ANSWER, testEnv } from "./ws-client";

describe("tracker across hibernation", () => {
  it("rebuilds swarms from socket attachments in a fresh instance and relays through them", async () => {
    const hash = id20("h-hib");
    const a = await connect("/announce/hib");
    const b = await connect("/announce/hib");
    const pa = id20("pa");
    const pb = id20("pb");
    a.send(announce(hash, pa, { event: "started" }));
    await a.next();
    b.send(announce(hash, pb, { event: "started", left: 0 }));
    await b.next();

    const stub = testEnv.TRACKER.getByName("hib");
    await runInDurableObject(stub, async (_old: TrackerShard, state) => {
      const woke = new TrackerShard(state, testEnv); // what workerd does after hibernation
      const stats = await woke.shardStats();
      expect(stats).toMatchObject({ swarms: 1, peers: 2, sockets: 2 });
      const sockets = state.getWebSockets();
      const wsB = sockets.find((ws) => (ws.deserializeAttachment() as { m: [string, string][] }).m.some((r) => r[1] === pb));
      expect(wsB).toBeDefined();
      const [offer] = offers(1);
      await woke.webSocketMessage(wsB!, JSON.stringify(announce(hash, pb, { offers: [offer] })));
    });
    expect(await b.next()).toMatchObject({ action: "announce", complete: 1, incomplete: 1 });
    const relayed = await a.next();
    expect(relayed).toMatchObject({ peer_id: pb, info_hash: hash });
    a.close();
    b.close();
  });

  it("keeps all of a socket's swarms in its attachment at the per-socket cap, even with worst-case binary ids", async () => {
    const s = await connect("/announce/attach");
    const hi = (i: number) => Array.from({ length: 20 }, (_, k) => String.fromCharCode(0x80 + ((i * 31 + k) % 0x80))).join("");
    for (let i = 0; i < MAX_SWARMS_PER_SOCKET; i++) {
      s.send(announce(hi(i), hi(i + 100), { event: "started", left: 0 }));
      expect(await s.next()).toMatchObject({ action: "announce" });
    }
    await runInDurableObject(testEnv.TRACKER.getByName("attach"), async (_i: TrackerShard, state) => {
      const [ws] = state.getWebSockets();
      const att = ws!.deserializeAttachment() as { v: number; m: unknown[] };
      expect(att.v).toBe(1);
      expect(att.m).toHaveLength(MAX_SWARMS_PER_SOCKET);
    });
    s.close();
  });
});

describe("tracker after eviction", () => {
  it("drops the sockets, and peers that reconnect pair again", async () => {
    const hash = id20("h-evict");
    const pa = id20("pa");
    const pb = id20("pb");
    const a = await connect("/announce/evict1");
    a.send(announce(hash, pa, { event: "started" }));
    expect(await a.next()).toMatchObject({ action: "announce", incomplete: 1 });

    await abortAllDurableObjects();
    expect((await a.closed).code).toBe(1006);

    // What bittorrent-tracker's client does after a close: reconnect, announce again.
    const a2 = await connect("/announce/evict1");
    a2.send(announce(hash, pa, { event: "started" }));
    expect(await a2.next()).toMatchObject({ incomplete: 1 });
    const b = await connect("/announce/evict1");
    const [offer] = offers(1);
    b.send(announce(hash, pb, { event: "started", offers: [offer] }));
    expect(await b.next()).toMatchObject({ incomplete: 2 });
    expect(await a2.next()).toMatchObject({ offer_id: offer!.offer_id, peer_id: pb });
    // Right after a wake the offer record may be gone; the answer still gets through.
    a2.send({ action: "announce", info_hash: hash, peer_id: pa, to_peer_id: pb, offer_id: offer!.offer_id, answer: SDP_ANSWER });
    expect(await b.next()).toMatchObject({ answer: SDP_ANSWER, peer_id: pa });
    a2.close();
    b.close();
  });

  it("keeps message counters flushed by the alarm across an eviction", async () => {
    const hash = id20("h-count");
    const s = await connect("/announce/counted");
    s.send(announce(hash, id20("p"), { event: "started" }));
    await s.next();
    s.send({ action: "scrape", info_hash: hash });
    await s.next();
    const stub = testEnv.TRACKER.getByName("counted");
    expect(await runDurableObjectAlarm(stub)).toBe(true); // the STATS_FLUSH_MS flush
    await abortAllDurableObjects();
    const stats = await testEnv.TRACKER.getByName("counted").shardStats(); // old stubs die with the object
    expect(stats.messages).toMatchObject({ announce: 1, started: 1, scrape: 1 });
    expect(stats).toMatchObject({ peers: 0, sockets: 0 });
  });
});
