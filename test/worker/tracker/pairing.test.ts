// The real TrackerShard in workerd, reached through the Worker: announce replies,
// offers relayed to distinct peers, answers relayed back, scrape, several swarms
// on one socket, a socket closing mid-exchange.
import { describe, expect, it } from "vitest";
import { announce, connect, id20, offers, SDP_ANSWER } from "./ws-client";

describe("tracker pairing through the Durable Object", () => {
  it("replies to an announce with interval and counts, relays the offer and relays the answer back", async () => {
    const hash = id20("h-pair");
    const a = await connect("/announce/pair1");
    const b = await connect("/announce/pair1");
    const pa = id20("pa");
    const pb = id20("pb");
    a.send(announce(hash, pa, { event: "started" }));
    expect(await a.next()).toEqual({ action: "announce", interval: 120, info_hash: hash, complete: 0, incomplete: 1 });

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
});
