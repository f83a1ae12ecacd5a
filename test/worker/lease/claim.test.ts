// The edge lease through the real Worker: the first `?es_claim=<channel>` request for a
// segment is served, later ones in the same swarm get a body-less 204, and requests
// that need the bytes now (no parameter) are always served.
import { describe, expect, it } from "vitest";
import { get, ingest, mediaPlaylist, segmentBytes, sha256 } from "../origin/helpers";

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
});
