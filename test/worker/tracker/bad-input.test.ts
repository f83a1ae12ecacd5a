// Hostile input against the real Durable Object: every malformed frame gets its
// failure reason and the socket keeps working; identity abuse gets a failure frame
// then close 1008, and the victim's swarm is unharmed.

import { describe, expect, it } from "vitest";
import { announce, connect, id20, offers, SDP_ANSWER, SDP_OFFER, testEnv } from "./ws-client";
import { MAX_FRAME_CHARS, MAX_OFFERS_PER_ANNOUNCE, MSG_BURST, WAKE_GRACE_MS } from "../../../worker/tracker/limits";

const H = id20("h-bad");
const P = id20("p-bad");
const base = { action: "announce", info_hash: H, peer_id: P };

const bad: [string, string | ArrayBuffer, Record<string, unknown>][] = [
  ["not JSON", "{nope", { "failure reason": "invalid JSON" }],
  ["a JSON array", "[]", { "failure reason": "frame must be a JSON object" }],
  ["unknown action", JSON.stringify({ ...base, action: "connect" }), { "failure reason": "invalid action" }],
  ["oversized frame", "x".repeat(MAX_FRAME_CHARS + 1), { "failure reason": "frame too large" }],
  ["oversized binary frame", new ArrayBuffer(MAX_FRAME_CHARS + 1), { "failure reason": "frame too large" }],
  ["short info_hash", JSON.stringify({ ...base, info_hash: "x" }), { "failure reason": "invalid info_hash", action: "announce" }],
  ["numeric peer_id", JSON.stringify({ ...base, peer_id: 7 }), { "failure reason": "invalid peer_id", action: "announce", info_hash: H }],
  ["unknown event", JSON.stringify({ ...base, event: "x" }), { "failure reason": "invalid event", action: "announce", info_hash: H }],
  ["string numwant", JSON.stringify({ ...base, numwant: "9" }), { "failure reason": "invalid numwant", info_hash: H }],
  ["negative left", JSON.stringify({ ...base, left: -1 }), { "failure reason": "invalid left", info_hash: H }],
  ["offers not an array", JSON.stringify({ ...base, offers: "x" }), { "failure reason": "invalid offers", info_hash: H }],
  ["too many offers", JSON.stringify({ ...base, offers: offers(MAX_OFFERS_PER_ANNOUNCE + 1) }), { "failure reason": "too many offers", info_hash: H }],
  // A malformed offer inside an announce is no longer a bad frame: it is dropped and the
  // announce served (issue 14, interop); see admission.test.ts.
  ["answer without to_peer_id", JSON.stringify({ ...base, answer: SDP_ANSWER, offer_id: id20("o") }), { "failure reason": "invalid to_peer_id", info_hash: H }],
  [
    "answer with bad sdp",
    JSON.stringify({ ...base, answer: { type: "answer", sdp: 1 }, offer_id: id20("o"), to_peer_id: id20("q") }),
    { "failure reason": "invalid answer", info_hash: H },
  ],
  ["scrape without info_hash", JSON.stringify({ action: "scrape" }), { "failure reason": "invalid info_hash", action: "scrape" }],
];

describe("malformed frames", () => {
  it("answers each bad frame with its failure reason on one socket that stays usable", async () => {
    const s = await connect("/announce/bad-frames");
    for (const [name, raw, want] of bad) {
      s.sendRaw(raw);
      expect(await s.next(), name).toMatchObject(want);
    }
    s.send(announce(H, P, { event: "started" }));
    expect(await s.next()).toMatchObject({ action: "announce", info_hash: H, incomplete: 1 });
    s.close();
  });

  it("does not disturb another swarm's pairing while a socket sends garbage", async () => {
    const h = id20("h-calm");
    const a = await connect("/announce/calm");
    const b = await connect("/announce/calm");
    const noisy = await connect("/announce/calm");
    a.send(announce(h, id20("a"), { event: "started" }));
    await a.next();
    for (let i = 0; i < 20; i++) noisy.sendRaw("{{{" + i);
    b.send(announce(h, id20("b"), { event: "started", offers: offers(1) }));
    expect(await b.next()).toMatchObject({ incomplete: 2 });
    expect(await a.next()).toMatchObject({ offer: SDP_OFFER });
    for (let i = 0; i < 20; i++) expect(await noisy.next()).toEqual({ "failure reason": "invalid JSON" });
    a.close();
    b.close();
    noisy.close();
  });
});

describe("identity abuse closes with 1008", () => {
  it("closes a socket that claims a peer_id held by another live socket, and keeps the owner", async () => {
    const h = id20("h-claim");
    const p = id20("victim");
    const owner = await connect("/announce/claim");
    const thief = await connect("/announce/claim");
    owner.send(announce(h, p, { event: "started" }));
    await owner.next();
    thief.send(announce(h, p, { event: "started" }));
    expect(await thief.next()).toEqual({ "failure reason": "peer_id already in use by another connection", action: "announce", info_hash: h });
    expect(await thief.closed).toEqual({ code: 1008, reason: "peer_id already in use by another connection" });
    owner.send({ action: "scrape", info_hash: h });
    expect((await owner.next()).files).toEqual({ [h]: { complete: 0, incomplete: 1, downloaded: 0 } });
    owner.close();
  });

  it("closes a socket that answers as a peer_id owned by another socket", async () => {
    const h = id20("h-forge");
    const a = await connect("/announce/forge");
    const b = await connect("/announce/forge");
    const pa = id20("a");
    a.send(announce(h, pa, { event: "started" }));
    await a.next();
    b.send(announce(h, id20("b"), { event: "started" }));
    await b.next();
    b.send({ action: "announce", info_hash: h, peer_id: pa, to_peer_id: pa, offer_id: id20("never"), answer: SDP_ANSWER });
    expect(await b.next()).toEqual({ "failure reason": "peer_id belongs to another connection", action: "announce", info_hash: h });
    expect((await b.closed).code).toBe(1008);
    await a.silent();
    a.close();
  });

  it("closes a socket that answers an offer it was never sent (once the post-wake grace is over)", async () => {
    const h = id20("h-never");
    const a = await connect("/announce/never");
    const b = await connect("/announce/never");
    const pa = id20("a");
    const pb = id20("b");
    a.send(announce(h, pa, { event: "started" }));
    await a.next();
    // Move the object's clock past the grace, then have both re-announce so they are live.
    await testEnv.TRACKER.getByName("never").testAdvanceClock(WAKE_GRACE_MS + 1);
    a.send(announce(h, pa));
    await a.next();
    b.send(announce(h, pb, { event: "started" }));
    await b.next();
    b.send({ action: "announce", info_hash: h, peer_id: pb, to_peer_id: pa, offer_id: id20("never"), answer: SDP_ANSWER });
    expect(await b.next()).toEqual({ "failure reason": "answer to an offer never relayed to this connection", action: "announce", info_hash: h });
    expect(await b.closed).toEqual({ code: 1008, reason: "answer to an offer never relayed to this connection" });
    await a.silent();
    a.close();
  });

  it("closes a socket that tries to stop someone else's peer", async () => {
    const h = id20("h-kick");
    const pa = id20("a");
    const a = await connect("/announce/kick");
    const b = await connect("/announce/kick");
    a.send(announce(h, pa, { event: "started" }));
    await a.next();
    b.send(announce(h, pa, { event: "stopped" }));
    expect(await b.next()).toMatchObject({ "failure reason": "peer_id already in use by another connection" });
    expect((await b.closed).code).toBe(1008);
    a.send({ action: "scrape", info_hash: h });
    expect((await a.next()).files).toEqual({ [h]: { complete: 0, incomplete: 1, downloaded: 0 } });
    a.close();
  });
});

describe("flooding", () => {
  it("closes a socket that sends past its message budget with 1008, and its neighbours keep pairing", async () => {
    const h = id20("h-flood");
    const calm = await connect("/announce/flood");
    const flood = await connect("/announce/flood");
    calm.send(announce(h, id20("calm"), { event: "started" }));
    await calm.next();
    for (let i = 0; i < MSG_BURST + 20; i++) flood.sendRaw(JSON.stringify({ action: "scrape", info_hash: h }));
    const closed = await flood.closed;
    expect(closed).toEqual({ code: 1008, reason: "too many messages" });
    const other = await connect("/announce/flood");
    other.send(announce(h, id20("other"), { event: "started", offers: offers(1) }));
    expect(await other.next()).toMatchObject({ incomplete: 2 });
    expect(await calm.next()).toMatchObject({ offer: SDP_OFFER });
    calm.close();
    other.close();
  });
});
