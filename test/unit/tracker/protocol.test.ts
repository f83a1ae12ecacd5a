// Protocol module: real captured frames parse, output round-trips into the exact
// shapes bittorrent-tracker's client reads, and every bad frame gets its exact reason.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { isBinaryString, parse, serialize, type OutMessage } from "../../../worker/tracker/protocol";
import { MAX_FRAME_CHARS, MAX_OFFERS_PER_ANNOUNCE, MAX_SCRAPE_HASHES, MAX_SDP_CHARS } from "../../../worker/tracker/limits";

interface Frame {
  dir: string;
  conn: number;
  client: string;
  text: string;
}
const fixture: { frames: Frame[] } = JSON.parse(readFileSync(resolve(import.meta.dirname, "../../fixtures/tracker/captured-frames.json"), "utf8"));
const fromClients = fixture.frames.filter((f) => f.dir === "client→server");

const H = "h".repeat(20);
const P = "p".repeat(20);
const Q = "q".repeat(20);
const O = "o".repeat(20);
const offer = { type: "offer", sdp: "v=0\r\n" };
const answer = { type: "answer", sdp: "v=0\r\n" };
const base = { action: "announce", info_hash: H, peer_id: P };

describe("parse: frames captured from real clients", () => {
  it("accepts every frame bittorrent-tracker, p2p-media-loader-core and its id scheme sent", () => {
    expect(new Set(fromClients.map((f) => f.client))).toEqual(new Set(["bt-a", "bt-b", "pm-a", "pm-b", "pmc-a", "pmc-b"]));
    expect(fromClients.length).toBeGreaterThan(10);
    for (const f of fromClients) {
      const r = parse(f.text);
      expect(r, f.text.slice(0, 200)).toMatchObject({ ok: true });
    }
  });

  it("reads p2p-media-loader-core's own announce as 5 offers with its -PM0203- peer id", () => {
    const f = fromClients.find((x) => x.client === "pmc-a" && x.text.includes('"offers"'));
    const r = parse(f!.text);
    if (!r.ok || r.msg.action !== "announce") throw new Error("expected an announce");
    expect(r.msg.peerId.startsWith("-PM0203-")).toBe(true);
    expect(r.msg.offers).toHaveLength(5);
    expect(r.msg.event).toBe("started");
    expect(r.msg.complete).toBe(false); // no `left`: incomplete, like bittorrent-tracker
  });

  it("reads a real answer frame as an answer with to_peer_id and offer_id", () => {
    const f = fromClients.find((x) => x.text.includes('"answer"'));
    const r = parse(f!.text);
    expect(r.ok && r.msg.action).toBe("answer");
  });

  it("reads left:0 as complete and the completed/stopped events", () => {
    const events = fromClients.map((f) => parse(f.text)).flatMap((r) => (r.ok && r.msg.action === "announce" ? [r.msg.event] : []));
    expect(events).toContain("completed");
    expect(events).toContain("stopped");
    const seeder = parse(fromClients[0]!.text);
    expect(seeder.ok && seeder.msg.action === "announce" && seeder.msg.complete).toBe(true);
  });
});

describe("parse: accepted variations", () => {
  it("folds paused, empty and a missing event into update", () => {
    for (const event of ["paused", "empty", "", undefined, null]) {
      const r = parse(JSON.stringify({ ...base, event }));
      expect(r.ok && r.msg.action === "announce" && r.msg.event).toBe("update");
    }
  });
  it("caps numwant at 82 instead of refusing it", () => {
    const r = parse(JSON.stringify({ ...base, numwant: 500 }));
    expect(r.ok && r.msg.action === "announce" && r.msg.numwant).toBe(82);
  });
  it("accepts scrape with one info_hash or an array, deduplicated", () => {
    expect(parse(JSON.stringify({ action: "scrape", info_hash: H }))).toEqual({ ok: true, msg: { action: "scrape", infoHashes: [H] } });
    expect(parse(JSON.stringify({ action: "scrape", info_hash: [H, Q, H] }))).toEqual({ ok: true, msg: { action: "scrape", infoHashes: [H, Q] } });
  });
  it("accepts binary-string ids with bytes 0x00–0xFF and a binary frame as UTF-8", () => {
    const bin = Array.from({ length: 20 }, (_, i) => String.fromCharCode(i * 13)).join("");
    const text = JSON.stringify({ ...base, info_hash: bin });
    expect(parse(text).ok).toBe(true);
    expect(parse(new TextEncoder().encode(text).buffer).ok).toBe(true);
  });
  it("relays only type and sdp of an offer, dropping extra fields", () => {
    const r = parse(JSON.stringify({ ...base, offers: [{ offer: { ...offer, evil: 1 }, offer_id: O }] }));
    expect(r.ok && r.msg.action === "announce" && r.msg.offers[0]!.offer).toEqual(offer);
  });
});

const long = "x".repeat(MAX_SDP_CHARS + 1);
const badFrames: [string, string | ArrayBuffer, string, Record<string, string>?][] = [
  ["not JSON", "{nope", "invalid JSON"],
  ["invalid UTF-8 binary frame", new Uint8Array([0xff, 0xfe, 0x7b]).buffer, "invalid JSON"],
  ["a JSON array", "[1,2]", "frame must be a JSON object"],
  ["JSON null", "null", "frame must be a JSON object"],
  ["a JSON string", '"announce"', "frame must be a JSON object"],
  ["no action", JSON.stringify({ info_hash: H }), "invalid action"],
  ["unknown action", JSON.stringify({ ...base, action: "connect" }), "invalid action"],
  ["oversized text frame", " ".repeat(MAX_FRAME_CHARS + 1), "frame too large"],
  ["oversized binary frame", new ArrayBuffer(MAX_FRAME_CHARS + 1), "frame too large"],
  ["info_hash too short", JSON.stringify({ ...base, info_hash: "abc" }), "invalid info_hash", { action: "announce" }],
  ["info_hash as number", JSON.stringify({ ...base, info_hash: 12 }), "invalid info_hash", { action: "announce" }],
  ["info_hash with a char above 0xFF", JSON.stringify({ ...base, info_hash: "Ā".padEnd(20, "a") }), "invalid info_hash", { action: "announce" }],
  ["peer_id 21 chars", JSON.stringify({ ...base, peer_id: "p".repeat(21) }), "invalid peer_id", { action: "announce", info_hash: H }],
  ["peer_id missing", JSON.stringify({ action: "announce", info_hash: H }), "invalid peer_id", { action: "announce", info_hash: H }],
  ["unknown event", JSON.stringify({ ...base, event: "bored" }), "invalid event", { action: "announce", info_hash: H }],
  ["numwant negative", JSON.stringify({ ...base, numwant: -1 }), "invalid numwant"],
  ["numwant string", JSON.stringify({ ...base, numwant: "5" }), "invalid numwant"],
  ["numwant fractional", JSON.stringify({ ...base, numwant: 1.5 }), "invalid numwant"],
  ["left negative", JSON.stringify({ ...base, left: -5 }), "invalid left"],
  ["left string", JSON.stringify({ ...base, left: "0" }), "invalid left"],
  ["uploaded string", JSON.stringify({ ...base, uploaded: "lots" }), "invalid uploaded"],
  ["downloaded negative", JSON.stringify({ ...base, downloaded: -1 }), "invalid downloaded"],
  ["offers not an array", JSON.stringify({ ...base, offers: {} }), "invalid offers"],
  [
    "too many offers",
    JSON.stringify({ ...base, offers: Array.from({ length: MAX_OFFERS_PER_ANNOUNCE + 1 }, (_, i) => ({ offer, offer_id: String(i).padEnd(20, "o") })) }),
    "too many offers",
  ],
  ["answer without to_peer_id", JSON.stringify({ ...base, answer, offer_id: O }), "invalid to_peer_id"],
  ["answer without offer_id", JSON.stringify({ ...base, answer, to_peer_id: Q }), "invalid offer_id"],
  ["answer not an object", JSON.stringify({ ...base, answer: "sdp", to_peer_id: Q, offer_id: O }), "invalid answer"],
  ["answer of type offer", JSON.stringify({ ...base, answer: offer, to_peer_id: Q, offer_id: O }), "invalid answer"],
  ["answer and offers together", JSON.stringify({ ...base, answer, to_peer_id: Q, offer_id: O, offers: [] }), "answer and offers in one frame"],
  ["scrape without info_hash", JSON.stringify({ action: "scrape" }), "invalid info_hash", { action: "scrape" }],
  ["scrape with an empty array", JSON.stringify({ action: "scrape", info_hash: [] }), "invalid info_hash", { action: "scrape" }],
  ["scrape with a bad hash in the array", JSON.stringify({ action: "scrape", info_hash: [H, "bad"] }), "invalid info_hash", { action: "scrape" }],
  [
    "scrape with too many hashes",
    JSON.stringify({ action: "scrape", info_hash: Array.from({ length: MAX_SCRAPE_HASHES + 1 }, (_, i) => String(i).padEnd(20, "h")) }),
    "too many info_hash",
    { action: "scrape" },
  ],
];

describe("parse: bad frames and the exact failure reason each gets", () => {
  it.each(badFrames)("%s → %s", (_name, raw, reason, extra) => {
    const r = parse(raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe(reason);
    const wire = JSON.parse(serialize({ type: "failure", reason: r.reason, action: r.action, infoHash: r.infoHash }));
    expect(wire["failure reason"]).toBe(reason);
    if (extra) expect(wire).toMatchObject(extra);
  });
});

// Issue 14 (interop): these were refused whole; bittorrent-tracker's server ignores a bad
// offer, so now only the offer is dropped and the rest of the announce stands.
const O2 = Q;
const malformedOffers: [string, unknown][] = [
  ["a null entry", null],
  ["an offer_id too short", { offer, offer_id: "short" }],
  ["a repeated offer_id", { offer, offer_id: O }],
  ["an offer missing its sdp", { offer: { type: "offer" }, offer_id: O2 }],
  ["an offer of type answer", { offer: answer, offer_id: O2 }],
  ["an offer whose sdp is too long", { offer: { type: "offer", sdp: long }, offer_id: O2 }],
  ["bittorrent-tracker's test placeholder", { offer: "fake_offer", offer_id: "fake_offer_id" }],
];

describe("parse: a malformed offer is dropped, the rest of the announce is kept", () => {
  it.each(malformedOffers)("%s", (_name, bad) => {
    const r = parse(JSON.stringify({ ...base, numwant: 5, offers: [{ offer, offer_id: O }, bad] }));
    expect(r.ok).toBe(true);
    if (!r.ok || r.msg.action !== "announce") return;
    expect(r.msg.offers).toEqual([{ offer, offerId: O }]);
    expect(r.msg.droppedOffers).toBe(1);
    expect(r.msg).toMatchObject({ infoHash: H, peerId: P, numwant: 5 });
  });

  it("keeps an announce whose every offer is malformed, with no offers", () => {
    const r = parse(JSON.stringify({ ...base, offers: [{ offer: "fake_offer", offer_id: "fake_offer_id" }] }));
    expect(r.ok && r.msg.action === "announce" && [r.msg.offers, r.msg.droppedOffers]).toEqual([[], 1]);
  });

  it("marks nothing dropped when every offer is well formed", () => {
    const r = parse(JSON.stringify({ ...base, offers: [{ offer, offer_id: O }] }));
    expect(r.ok && r.msg.action === "announce" && "droppedOffers" in r.msg).toBe(false);
  });
});

describe("serialize: the shapes bittorrent-tracker's server sends", () => {
  const cases: [OutMessage, Record<string, unknown>][] = [
    [
      { type: "announce-reply", infoHash: H, complete: 1, incomplete: 2 },
      { action: "announce", interval: 60, info_hash: H, complete: 1, incomplete: 2 },
    ],
    [
      { type: "offer", infoHash: H, peerId: P, offerId: O, offer: { type: "offer", sdp: "s" } },
      { action: "announce", offer: { type: "offer", sdp: "s" }, offer_id: O, peer_id: P, info_hash: H },
    ],
    [
      { type: "answer", infoHash: H, peerId: P, offerId: O, answer: { type: "answer", sdp: "s" } },
      { action: "announce", answer: { type: "answer", sdp: "s" }, offer_id: O, peer_id: P, info_hash: H },
    ],
    [
      { type: "scrape-reply", files: [{ infoHash: H, complete: 1, incomplete: 0, downloaded: 1 }] },
      { action: "scrape", files: { [H]: { complete: 1, incomplete: 0, downloaded: 1 } }, flags: { min_request_interval: 60 } },
    ],
    [
      { type: "announce-reply", infoHash: H, complete: 0, incomplete: 1, warning: "w" },
      { action: "announce", interval: 60, info_hash: H, complete: 0, incomplete: 1, "warning message": "w" },
    ],
    [{ type: "failure", reason: "r" }, { "failure reason": "r" }],
    [
      { type: "failure", reason: "r", action: "announce", infoHash: H },
      { "failure reason": "r", action: "announce", info_hash: H },
    ],
  ];
  it.each(cases)("serializes %j", (msg, wire) => {
    expect(JSON.parse(serialize(msg))).toEqual(wire);
  });

  it("round-trips binary-string ids with control and high bytes unchanged", () => {
    const bin = Array.from({ length: 20 }, (_, i) => String.fromCharCode((i * 37) % 256)).join("");
    const text = serialize({ type: "offer", infoHash: bin, peerId: bin, offerId: bin, offer: { type: "offer", sdp: "s" } });
    const back = JSON.parse(text);
    expect(back.info_hash).toBe(bin);
    expect(isBinaryString(back.peer_id, 20)).toBe(true);
  });

  it("serializes frames that parse back: an answer frame a client would send", () => {
    const r = parse(JSON.stringify({ ...base, to_peer_id: Q, offer_id: O, answer }));
    expect(r).toEqual({ ok: true, msg: { action: "answer", infoHash: H, peerId: P, toPeerId: Q, offerId: O, answer } });
  });
});
