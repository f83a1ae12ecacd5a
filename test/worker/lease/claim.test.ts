// The edge lease through the real Worker: the first `?es_claim=<channel>` request for a
// segment is served, later ones in the same swarm get a body-less 204, and requests
// that need the bytes now (no parameter) are always served. Only segments the origin
// has are leased, and one viewer (address) holds a bounded number of leases. Only viewers the
// tracker has seen (an address with a tracker socket in the channel's region) win claims: tests
// about the lease itself tell the lease object so over its witness RPC (what a TrackerShard
// calls); "known viewers" below goes through a real tracker WebSocket.
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { SegmentLeases } from "../../../worker/lease/durable-object";
import { shardName } from "../../../worker/tracker/routing";
import { MAX_LEASES_PER_VIEWER } from "../../../worker/lease/limits";
import { get, ingest, mediaPlaylist, segmentBytes, sha256, testEnv } from "../origin/helpers";
import { announce, connect, id20 } from "../tracker/ws-client";
import { addressKey } from "../../../worker/access/address";

/**
 * The tracker of `channel` has seen these addresses (access/address.ts keys; a request
 * without CF-Connecting-IP is "unknown", as the test requests here are).
 */
async function known(channel: string, ...addrs: string[]): Promise<void> {
  await testEnv.LEASES.getByName(shardName(channel, "channel", undefined)).witness(addrs.length > 0 ? addrs : ["unknown"]);
}

async function publish(stream: string): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = segmentBytes(stream, 4000);
  expect((await ingest(`vod/${stream}/low/s0.ts`, bytes)).status).toBe(201);
  expect((await ingest(`vod/${stream}/low/index.m3u8`, mediaPlaylist(["s0.ts"], { end: true }))).status).toBe(201);
  return bytes;
}

describe("segment claims", () => {
  it("serves the first claim with the segment's bytes and refuses the second with a body-less 204 marked denied", async () => {
    const bytes = await publish("lease-a");
    await known("lease-a");
    const first = await get("/streams/lease-a/low/s0.ts?es_claim=lease-a");
    expect(first.status).toBe(200);
    expect(first.headers.get("x-edgeswarm-claim")).toBe("granted");
    expect(await sha256(await first.arrayBuffer())).toBe(await sha256(bytes));

    const second = await get("/streams/lease-a/low/s0.ts?es_claim=lease-a");
    expect(second.status).toBe(204);
    expect(second.headers.get("x-edgeswarm-claim")).toBe("denied");
    expect((await second.arrayBuffer()).byteLength).toBe(0);
  });

  it("always serves a request without a claim, even while the segment is claimed", async () => {
    const bytes = await publish("lease-b");
    await known("lease-b");
    expect((await get("/streams/lease-b/low/s0.ts?es_claim=lease-b")).status).toBe(200);
    const urgent = await get("/streams/lease-b/low/s0.ts");
    expect(urgent.status).toBe(200);
    expect(new Uint8Array(await urgent.arrayBuffer())).toEqual(bytes);
  });

  it("leases by path: the same segment with another viewer's token in the query is refused", async () => {
    await publish("lease-t");
    await known("lease-t");
    expect((await get("/streams/lease-t/low/s0.ts?token=viewer1&es_claim=lease-t")).status).toBe(200);
    const other = await get("/streams/lease-t/low/s0.ts?token=viewer2&es_claim=lease-t");
    expect(other.status).toBe(204);
    expect(other.headers.get("x-edgeswarm-claim")).toBe("denied");
  });

  it("keeps swarms apart: a claim in one channel does not refuse another channel", async () => {
    await publish("lease-c");
    await known("one");
    await known("two");
    await (await get("/streams/lease-c/low/s0.ts?es_claim=one")).arrayBuffer();
    const other = await get("/streams/lease-c/low/s0.ts?es_claim=two");
    expect(other.status).toBe(200);
    await other.arrayBuffer();
  });

  it("never leases playlists: a claimed playlist request is always served", async () => {
    await publish("lease-d");
    await known("lease-d");
    for (let i = 0; i < 2; i++) {
      const r = await get("/streams/lease-d/low/index.m3u8?es_claim=lease-d");
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
  });

  it("rejects a claim on a path longer than a lease key may be with 414 { error }, and the segment is still served without one", async () => {
    const bytes = await publish("lease-f");
    await known("lease-f");
    const long = `/streams/lease-f/low/${"x".repeat(600)}.ts?es_claim=lease-f`;
    const r = await get(long);
    expect(r.status).toBe(414);
    expect(((await r.json()) as { error: string }).error).toMatch(/too long/);
    const plain = await get("/streams/lease-f/low/s0.ts");
    expect(new Uint8Array(await plain.arrayBuffer())).toEqual(bytes);
  });

  it("rejects a malformed channel with 400 { error }", async () => {
    await publish("lease-e");
    await known("lease-e");
    const r = await get("/streams/lease-e/low/s0.ts?es_claim=" + encodeURIComponent("../x"));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/es_claim/);
  });

  it("answers a claim for a segment the origin does not have with its 404, unmarked, and records no lease", async () => {
    const bytes = await publish("lease-g");
    await known("lease-g");
    for (let i = 0; i < 2; i++) {
      const missing = await get("/streams/lease-g/low/s9.ts?es_claim=lease-g");
      expect(missing.status).toBe(404);
      expect(missing.headers.get("x-edgeswarm-claim")).toBeNull();
      expect(((await missing.json()) as { error: string }).error).toBeTruthy();
    }
    // Once the segment exists, the first claim for it wins: the 404s held nothing.
    expect((await ingest("vod/lease-g2/low/s9.ts", bytes)).status).toBe(201);
    const later = await get("/streams/lease-g2/low/s9.ts?es_claim=lease-g");
    expect(later.status).toBe(200);
    expect(later.headers.get("x-edgeswarm-claim")).toBe("granted");
    await later.arrayBuffer();
  });

  it("does not let claims for invented segment names evict a real lease", async () => {
    await publish("lease-h");
    await known("lease-h");
    // Known viewers, so each invented key reaches the origin (an unknown one is denied before it).
    await known("lease-h", ...Array.from({ length: 250 }, (_, i) => `198.51.100.${i}`));
    const won = await get("/streams/lease-h/low/s0.ts?es_claim=lease-h");
    expect(won.headers.get("x-edgeswarm-claim")).toBe("granted");
    await won.arrayBuffer();
    // Before, each invented key took a place in the book (4,096, oldest out first); now
    // each is a 404 and holds nothing.
    for (let i = 0; i < MAX_LEASES_PER_VIEWER + 8; i++) {
      const r = await get(`/streams/lease-h/low/fake-${i}.ts?es_claim=lease-h`, { headers: { "cf-connecting-ip": `198.51.100.${i % 250}` } });
      expect(r.status).toBe(404);
      await r.arrayBuffer();
    }
    const size = await runInDurableObject(testEnv.LEASES.getByName(shardName("lease-h", "channel", undefined)), (o) =>
      o instanceof SegmentLeases ? o["book"].size : -1,
    );
    expect(size).toBe(1);
    const again = await get("/streams/lease-h/low/s0.ts?es_claim=lease-h");
    expect(again.status).toBe(204);
    expect(again.headers.get("x-edgeswarm-claim")).toBe("denied");
  });

  it(`denies one address its claims past MAX_LEASES_PER_VIEWER (${MAX_LEASES_PER_VIEWER}) while another address still wins`, async () => {
    const stream = "lease-i";
    const names = Array.from({ length: MAX_LEASES_PER_VIEWER + 2 }, (_, i) => `s${i}.ts`);
    const stored = await Promise.all(names.map((n) => ingest(`vod/${stream}/low/${n}`, segmentBytes(n, 64)).then((r) => r.status)));
    expect(stored.every((status) => status === 201)).toBe(true);
    await known(stream, "203.0.113.9", addressKey("2001:db8::5"));
    const greedy = { headers: { "cf-connecting-ip": "203.0.113.9" } };
    const answers = await Promise.all(
      names.slice(0, MAX_LEASES_PER_VIEWER).map(async (n) => {
        const r = await get(`/streams/${stream}/low/${n}?es_claim=${stream}`, greedy);
        await r.arrayBuffer();
        return r.headers.get("x-edgeswarm-claim");
      }),
    );
    expect(answers.every((a) => a === "granted")).toBe(true);
    const over = await get(`/streams/${stream}/low/${names[MAX_LEASES_PER_VIEWER]}?es_claim=${stream}`, greedy);
    expect(over.status).toBe(204);
    expect(over.headers.get("x-edgeswarm-claim")).toBe("denied");
    // The same address still gets the bytes without a claim, and another address wins the claim.
    const urgent = await get(`/streams/${stream}/low/${names[MAX_LEASES_PER_VIEWER]}`, greedy);
    expect(urgent.status).toBe(200);
    await urgent.arrayBuffer();
    const other = await get(`/streams/${stream}/low/${names[MAX_LEASES_PER_VIEWER]}?es_claim=${stream}`, { headers: { "cf-connecting-ip": "2001:db8::5" } });
    expect(other.headers.get("x-edgeswarm-claim")).toBe("granted");
    await other.arrayBuffer();
  }, 30_000);
});

describe("known viewers (issue 14 item 5: leases only for viewers the tracker has seen)", () => {
  it("denies a claim from an address the tracker never saw with 204 denied, without reading the origin", async () => {
    await publish("lease-u");
    // The segment does not exist: had the origin been asked, the answer would be its 404.
    const r = await get("/streams/lease-u/low/s9.ts?es_claim=lease-u", { headers: { "cf-connecting-ip": "203.0.113.77" } });
    expect(r.status).toBe(204);
    expect(r.headers.get("x-edgeswarm-claim")).toBe("denied");
    // An existing segment: denied too, no bytes, and no lease taken (a known viewer still wins it).
    const denied = await get("/streams/lease-u/low/s0.ts?es_claim=lease-u", { headers: { "cf-connecting-ip": "203.0.113.77" } });
    expect(denied.status).toBe(204);
    expect((await denied.arrayBuffer()).byteLength).toBe(0);
    await known("lease-u", "198.51.100.77");
    const won = await get("/streams/lease-u/low/s0.ts?es_claim=lease-u", { headers: { "cf-connecting-ip": "198.51.100.77" } });
    expect(won.headers.get("x-edgeswarm-claim")).toBe("granted");
    await won.arrayBuffer();
  });

  it("always serves the unknown address's request without a claim (a playhead gets its bytes)", async () => {
    const bytes = await publish("lease-v");
    const r = await get("/streams/lease-v/low/s0.ts", { headers: { "cf-connecting-ip": "203.0.113.78" } });
    expect(r.status).toBe(200);
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(bytes);
  });

  it("grants a claim to an address once it has a tracker socket that announced in the channel", async () => {
    await publish("lease-w");
    const ip = "198.51.100.199";
    const claim = () => get("/streams/lease-w/low/s0.ts?es_claim=lease-w", { headers: { "cf-connecting-ip": ip } });
    const before = await claim();
    expect(before.headers.get("x-edgeswarm-claim")).toBe("denied");
    const sock = await connect("/announce/lease-w", { "cf-connecting-ip": ip });
    sock.send(announce(id20("lease-w-hash"), id20("lease-w-peer"), { event: "started" }));
    expect(await sock.next()).toMatchObject({ action: "announce" });
    // The shard pushes the address within WITNESS_FLUSH_MS (its alarm).
    await vi.waitFor(
      async () => {
        const r = await claim();
        const answer = r.headers.get("x-edgeswarm-claim");
        await r.arrayBuffer();
        expect(answer).toBe("granted");
      },
      { timeout: 5000, interval: 250 },
    );
    sock.close();
  });

  it("does not count a socket that never announced as a sighting", async () => {
    await publish("lease-x");
    const ip = "198.51.100.200";
    const sock = await connect("/announce/lease-x", { "cf-connecting-ip": ip });
    await new Promise((r) => setTimeout(r, 1500));
    const r = await get("/streams/lease-x/low/s0.ts?es_claim=lease-x", { headers: { "cf-connecting-ip": ip } });
    expect(r.headers.get("x-edgeswarm-claim")).toBe("denied");
    sock.close();
  });

  it("keeps its known viewers when the object is evicted", async () => {
    await publish("lease-y");
    await known("lease-y", "198.51.100.201");
    await abortAllDurableObjects();
    const r = await get("/streams/lease-y/low/s0.ts?es_claim=lease-y", { headers: { "cf-connecting-ip": "198.51.100.201" } });
    expect(r.headers.get("x-edgeswarm-claim")).toBe("granted");
    await r.arrayBuffer();
  });
});
