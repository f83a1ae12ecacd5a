// The edge lease through the real Worker: the first `?es_claim=<channel>` request for a
// segment is served, later ones in the same swarm get a body-less 204, and requests
// that need the bytes now (no parameter) are always served. Only segments the origin
// has are leased, and one viewer (address) holds a bounded number of leases.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SegmentLeases } from "../../../worker/lease/durable-object";
import { shardName } from "../../../worker/tracker/routing";
import { MAX_LEASES_PER_VIEWER } from "../../../worker/lease/limits";
import { get, ingest, mediaPlaylist, segmentBytes, sha256, testEnv } from "../origin/helpers";

async function publish(stream: string): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = segmentBytes(stream, 4000);
  expect((await ingest(`vod/${stream}/low/s0.ts`, bytes)).status).toBe(201);
  expect((await ingest(`vod/${stream}/low/index.m3u8`, mediaPlaylist(["s0.ts"], { end: true }))).status).toBe(201);
  return bytes;
}

describe("segment claims", () => {
  it("serves the first claim with the segment's bytes and refuses the second with a body-less 204 marked denied", async () => {
    const bytes = await publish("lease-a");
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
    expect((await get("/streams/lease-b/low/s0.ts?es_claim=lease-b")).status).toBe(200);
    const urgent = await get("/streams/lease-b/low/s0.ts");
    expect(urgent.status).toBe(200);
    expect(new Uint8Array(await urgent.arrayBuffer())).toEqual(bytes);
  });

  it("leases by path: the same segment with another viewer's token in the query is refused", async () => {
    await publish("lease-t");
    expect((await get("/streams/lease-t/low/s0.ts?token=viewer1&es_claim=lease-t")).status).toBe(200);
    const other = await get("/streams/lease-t/low/s0.ts?token=viewer2&es_claim=lease-t");
    expect(other.status).toBe(204);
    expect(other.headers.get("x-edgeswarm-claim")).toBe("denied");
  });

  it("keeps swarms apart: a claim in one channel does not refuse another channel", async () => {
    await publish("lease-c");
    await (await get("/streams/lease-c/low/s0.ts?es_claim=one")).arrayBuffer();
    const other = await get("/streams/lease-c/low/s0.ts?es_claim=two");
    expect(other.status).toBe(200);
    await other.arrayBuffer();
  });

  it("never leases playlists: a claimed playlist request is always served", async () => {
    await publish("lease-d");
    for (let i = 0; i < 2; i++) {
      const r = await get("/streams/lease-d/low/index.m3u8?es_claim=lease-d");
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
  });

  it("rejects a claim on a path longer than a lease key may be with 414 { error }, and the segment is still served without one", async () => {
    const bytes = await publish("lease-f");
    const long = `/streams/lease-f/low/${"x".repeat(600)}.ts?es_claim=lease-f`;
    const r = await get(long);
    expect(r.status).toBe(414);
    expect(((await r.json()) as { error: string }).error).toMatch(/too long/);
    const plain = await get("/streams/lease-f/low/s0.ts");
    expect(new Uint8Array(await plain.arrayBuffer())).toEqual(bytes);
  });

  it("rejects a malformed channel with 400 { error }", async () => {
    await publish("lease-e");
    const r = await get("/streams/lease-e/low/s0.ts?es_claim=" + encodeURIComponent("../x"));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/es_claim/);
  });

  it("answers a claim for a segment the origin does not have with its 404, unmarked, and records no lease", async () => {
    const bytes = await publish("lease-g");
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
