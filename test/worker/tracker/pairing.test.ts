// The real TrackerShard in workerd, reached through the Worker: announce replies,
// offers relayed to distinct peers, answers relayed back, scrape, several swarms
// on one socket, a socket closing mid-exchange, stop.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { announce, connect, id20, offers, SDP_ANSWER, untilListed, untilPeers } from "./ws-client";

describe("tracker pairing through the Durable Object", () => {
  it("replies to an announce with interval and counts, relays the offer and relays the answer back", async () => {
    const hash = id20("h-pair");
    const a = await connect("/announce/pair1");
    const b = await connect("/announce/pair1");
    const pa = id20("pa");
    const pb = id20("pb");
    a.send(announce(hash, pa, { event: "started" }));
    expect(await a.next()).toEqual({ action: "announce", interval: 60, info_hash: hash, complete: 0, incomplete: 1 });

    const [offer] = offers(1);
    b.send(announce(hash, pb, { event: "started", offers: [offer] }));
    expect(await b.next()).toMatchObject({ action: "announce", info_hash: hash, incomplete: 2 });
    const relayed = await a.next();
    expect(relayed).toEqual({ action: "announce", offer: offer!.offer, offer_id: offer!.offer_id, peer_id: pb, info_hash: hash });

    a.send({ action: "announce", info_hash: hash, peer_id: pa, to_peer_id: pb, offer_id: offer!.offer_id, answer: SDP_ANSWER });
    expect(await b.next()).toEqual({ action: "announce", answer: SDP_ANSWER, offer_id: offer!.offer_id, peer_id: pa, info_hash: hash });
    await a.silent(); // nothing back to the answerer
    a.close();
    b.close();
  });

  it("relays 5 offers to 5 different peers", async () => {
    const hash = id20("h-five");
    const peers = await Promise.all(Array.from({ length: 6 }, () => connect("/announce/five")));
    for (const [i, p] of peers.slice(1).entries()) {
      p.send(announce(hash, id20(`p${i}`), { event: "started" }));
      await p.next();
    }
    const sender = peers[0]!;
    const os = offers(5);
    sender.send(announce(hash, id20("sender"), { event: "started", offers: os }));
    expect(await sender.next()).toMatchObject({ incomplete: 6 });
    const got = await Promise.all(peers.slice(1).map((p) => p.next()));
    expect(new Set(got.map((g) => g.offer_id)).size).toBe(5);
    for (const p of peers) p.close();
  });

  it("does not send an offer to peers of another channel", async () => {
    const hash = id20("h-chan");
    const a = await connect("/announce/chan-a");
    const b = await connect("/announce/chan-b");
    a.send(announce(hash, id20("a"), { event: "started" }));
    await a.next();
    b.send(announce(hash, id20("b"), { event: "started", offers: offers(1) }));
    expect(await b.next()).toMatchObject({ incomplete: 1 });
    await a.silent();
    a.close();
    b.close();
  });

  it("answers scrape for one info_hash and for an array, unknown hashes as zeros", async () => {
    const hash = id20("h-scrape");
    const other = id20("h-none");
    const a = await connect("/announce/scrape");
    a.send(announce(hash, id20("seed"), { event: "started", left: 0 }));
    await a.next();
    a.send({ action: "scrape", info_hash: hash });
    expect(await a.next()).toEqual({ action: "scrape", files: { [hash]: { complete: 1, incomplete: 0, downloaded: 1 } }, flags: { min_request_interval: 60 } });
    a.send({ action: "scrape", info_hash: [hash, other] });
    expect((await a.next()).files).toEqual({ [hash]: { complete: 1, incomplete: 0, downloaded: 1 }, [other]: { complete: 0, incomplete: 0, downloaded: 0 } });
    a.close();
  });

  it("carries several swarms on one socket and leaves them all when it closes", async () => {
    const h1 = id20("h-multi1");
    const h2 = id20("h-multi2");
    const a = await connect("/announce/multi");
    a.send(announce(h1, id20("a1"), { event: "started" }));
    a.send(announce(h2, id20("a2"), { event: "started" }));
    await a.next();
    await a.next();
    const b = await connect("/announce/multi");
    b.send(announce(h2, id20("b2"), { event: "started", offers: offers(1) }));
    expect(await b.next()).toMatchObject({ info_hash: h2, incomplete: 2 });
    expect(await a.next()).toMatchObject({ info_hash: h2, peer_id: expect.any(String) });
    a.close();
    await a.closed;
    // Once the object has run webSocketClose (only b's peer left), both swarms must be empty of a.
    await untilPeers("multi", 1);
    b.send({ action: "scrape", info_hash: [h1, h2] });
    expect((await b.next()).files).toEqual({
      [h1]: { complete: 0, incomplete: 0, downloaded: 0 },
      [h2]: { complete: 0, incomplete: 1, downloaded: 0 },
    });
    b.close();
  });

  it("tells the answerer 'offering peer is gone' when the offerer closed mid-exchange, and keeps the socket", async () => {
    const hash = id20("h-gone");
    const a = await connect("/announce/gone");
    const b = await connect("/announce/gone");
    const pa = id20("pa");
    const pb = id20("pb");
    a.send(announce(hash, pa, { event: "started" }));
    await a.next();
    const [offer] = offers(1);
    b.send(announce(hash, pb, { event: "started", offers: [offer] }));
    await b.next();
    await a.next();
    b.close();
    await b.closed;
    await untilPeers("gone", 1);
    a.send({ action: "announce", info_hash: hash, peer_id: pa, to_peer_id: pb, offer_id: offer!.offer_id, answer: SDP_ANSWER });
    expect(await a.next()).toEqual({ "failure reason": "offering peer is gone", action: "announce", info_hash: hash });
    a.send({ action: "scrape", info_hash: hash });
    expect(await a.next()).toMatchObject({ action: "scrape" });
    a.close();
  });

  it("removes a peer on stopped and replies with the new counts", async () => {
    const hash = id20("h-stop");
    const a = await connect("/announce/stop");
    const b = await connect("/announce/stop");
    const pb = id20("b");
    a.send(announce(hash, id20("a"), { event: "started" }));
    await a.next();
    b.send(announce(hash, pb, { event: "started" }));
    expect(await b.next()).toMatchObject({ incomplete: 2 });
    b.send(announce(hash, pb, { event: "stopped" }));
    expect(await b.next()).toMatchObject({ action: "announce", complete: 0, incomplete: 1 });
    a.close();
    b.close();
  });

  it("refuses plain HTTP on /announce with 426 and a bad channel with 400", async () => {
    const plain = await exports.default.fetch("https://tracker.test/announce/x");
    expect(plain.status).toBe(426);
    expect(await plain.json()).toEqual({ error: expect.stringContaining("WebSocket") });
    const bad = await exports.default.fetch("https://tracker.test/announce/no.dots", { headers: { upgrade: "websocket" } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "invalid channel: use [A-Za-z0-9_-]{1,64}" });
    const post = await exports.default.fetch("https://tracker.test/announce", { method: "POST" });
    expect(post.status).toBe(405);
  });
});

describe("routing headers", () => {
  it("ignores a client's own x-edgeswarm-shard / x-edgeswarm-channel headers", async () => {
    const res = await exports.default.fetch("https://tracker.test/announce/honest", {
      headers: { upgrade: "websocket", "x-edgeswarm-shard": "victim", "x-edgeswarm-channel": "victim" },
    });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    await untilListed("honest"); // registration runs after the upgrade
    const stats = await (
      await exports.default.fetch("https://tracker.test/api/tracker/stats?channel=honest")
    ).json<{ perShard: { shard: string; channel: string }[] }>();
    expect(stats.perShard).toEqual([expect.objectContaining({ shard: "honest", channel: "honest" })]);
    ws.close(1000, "bye");
  });
});
