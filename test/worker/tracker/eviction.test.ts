// Swarm state survives eviction of the Durable Object: membership lives in the
// sockets' attachments, so after abortAllDurableObjects() the rebuilt object still
// relays a newcomer's offer to the peers that joined before.
import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { announce, connect, id20, offers, SDP_ANSWER } from "./ws-client";

describe("tracker after eviction", () => {
  it("pairs a newcomer with peers that joined before the object was evicted", async () => {
    const hash = id20("h-evict");
    const a = await connect("/announce/evict1");
    const pa = id20("pa");
    a.send(announce(hash, pa, { event: "started" }));
    expect(await a.next()).toMatchObject({ action: "announce", incomplete: 1 });

    await abortAllDurableObjects();
    const after = await Promise.race([a.closed.then((c) => `closed ${c.code}`), new Promise((r) => setTimeout(() => r("open"), 300))]);
    console.log("socket after abort:", after);

    const b = await connect("/announce/evict1");
    const pb = id20("pb");
    const [offer] = offers(1);
    b.send(announce(hash, pb, { event: "started", offers: [offer] }));
    const reply = await b.next();
    console.log("reply after abort", reply);
    if (after === "open") {
      expect(reply).toMatchObject({ action: "announce", incomplete: 2 });
      expect(await a.next()).toMatchObject({ offer_id: offer!.offer_id, peer_id: pb });
      a.send({ action: "announce", info_hash: hash, peer_id: pa, to_peer_id: pb, offer_id: offer!.offer_id, answer: SDP_ANSWER });
      expect(await b.next()).toMatchObject({ answer: SDP_ANSWER, peer_id: pa });
    }
  });
});
