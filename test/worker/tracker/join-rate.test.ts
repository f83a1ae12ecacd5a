// The join rate of one shard, in workerd: a burst of upgrades beyond MAX_JOINS_PER_S_PER_SHARD
// gets the "shard full" answer (503 + FULL_HEADER, with the demand it saw) for the excess while
// the sockets it took keep pairing, and the Worker's connect path grows the region and lands
// the excess on other buckets of the channel.
import { exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { directory } from "../../../worker/tracker/directory";
import { JOIN_BURST, MAX_JOINS_PER_S_PER_SHARD } from "../../../worker/tracker/limits";
import { bucketShardName, CHANNEL_HEADER, FULL_HEADER, JOIN_DEMAND_HEADER, SHARD_HEADER } from "../../../worker/tracker/routing";
import { announce, id20, SDP_ANSWER, SDP_OFFER, testEnv } from "./ws-client";

/** Frames a raw accepted socket received, parsed. */
function frames(ws: WebSocket): Record<string, unknown>[] {
  const got: Record<string, unknown>[] = [];
  ws.addEventListener("message", (ev) =>
    got.push(JSON.parse(typeof ev.data === "string" ? ev.data : new TextDecoder().decode(ev.data as ArrayBuffer)) as Record<string, unknown>),
  );
  return got;
}

/** At most this many of a burst that took `ms` fit the shard's token bucket (one spare for timer rounding). */
const admissible = (ms: number) => JOIN_BURST + Math.ceil((MAX_JOINS_PER_S_PER_SHARD * ms) / 1000) + 1;

describe("a shard's join rate", () => {
  it("answers a burst beyond the rate with 'shard full' for the excess, and the sockets it took keep pairing", async () => {
    const name = "jr-burst";
    const stub = testEnv.TRACKER.getByName(name);
    const burst = JOIN_BURST + 60;
    const t0 = Date.now();
    const res = await Promise.all(
      Array.from({ length: burst }, (_, i) =>
        stub.fetch(
          new Request("https://tracker.test/announce/jr-burst", {
            // Distinct addresses, as Cloudflare's edge sets them (loopback is not rate-limited, like the address cap).
            headers: { upgrade: "websocket", [SHARD_HEADER]: name, [CHANNEL_HEADER]: name, "cf-connecting-ip": `198.51.100.${i + 1}` },
          }),
        ),
      ),
    );
    const ms = Date.now() - t0;
    const taken = res.filter((r) => r.status === 101);
    const refused = res.filter((r) => r.status !== 101);
    expect(taken.length).toBeGreaterThanOrEqual(JOIN_BURST);
    expect(taken.length).toBeLessThanOrEqual(admissible(ms));
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.status).toBe(503);
      expect(r.headers.get(FULL_HEADER)).toBe("1");
      // The demand it states is what it was asked for: the whole burst within a window.
      expect(Number(r.headers.get(JOIN_DEMAND_HEADER))).toBeGreaterThan(MAX_JOINS_PER_S_PER_SHARD);
      expect(await r.json()).toEqual({ error: "tracker shard busy" });
    }
    const sockets = taken.map((r) => r.webSocket!);
    for (const ws of sockets) ws.accept();
    expect((await stub.shardStats()).sockets).toBe(taken.length);

    // The first two sockets it took pair as ever: an offer relayed, its answer back.
    const [a, b] = [sockets[0]!, sockets[1]!];
    const [fa, fb] = [frames(a), frames(b)];
    const h = id20("h-jr-burst");
    const [pa, pb] = [id20("a"), id20("b")];
    a.send(JSON.stringify(announce(h, pa, { event: "started" })));
    await vi.waitFor(() => expect(fa.length).toBe(1));
    const offerId = id20("o-jr");
    b.send(
      JSON.stringify(
        announce(h, pb, {
          event: "started",
          offers: [{ offer: SDP_OFFER, offer_id: offerId }],
        }),
      ),
    );
    await vi.waitFor(() => expect(fa.some((f) => f.offer !== undefined)).toBe(true));
    a.send(JSON.stringify({ action: "announce", info_hash: h, peer_id: pa, to_peer_id: pb, offer_id: offerId, answer: SDP_ANSWER }));
    await vi.waitFor(() =>
      expect(
        fb.filter((f) => f.answer !== undefined),
        JSON.stringify({ fa, fb }),
      ).toHaveLength(1),
    );
    for (const ws of sockets) ws.close(1000);
  });

  it("lands a crowd's excess on other buckets through the Worker, growing the region for the demand", async () => {
    const ch = "jr-crowd";
    const crowd = JOIN_BURST + 60;
    const t0 = Date.now();
    const res = await Promise.all(
      Array.from({ length: crowd }, (_, i) =>
        exports.default.fetch(`https://tracker.test/announce/${ch}`, { headers: { upgrade: "websocket", "cf-connecting-ip": `192.0.2.${i + 1}` } }),
      ),
    );
    const ms = Date.now() - t0;
    // Every viewer got a socket: the Worker retried each refusal on another bucket.
    expect(res.map((r) => r.status)).toEqual(res.map(() => 101));
    for (const r of res) r.webSocket!.accept();
    const buckets = await directory(testEnv, ch).buckets();
    expect(buckets).toBeGreaterThan(1);
    const perBucket = await Promise.all(
      Array.from({ length: buckets }, async (_, b) => (await testEnv.TRACKER.getByName(bucketShardName(ch, b)).shardStats()).sockets),
    );
    expect(perBucket.reduce((x, y) => x + y, 0)).toBe(crowd);
    // Bucket 0 (where every isolate's first count of one sent them) took no more than its rate...
    expect(perBucket[0]).toBeLessThanOrEqual(admissible(ms));
    // ...and no bucket did.
    for (const n of perBucket) expect(n).toBeLessThanOrEqual(admissible(ms));
    for (const r of res) r.webSocket!.close(1000);
  });
});
