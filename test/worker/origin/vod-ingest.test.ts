// Publishing a VOD stream through the authenticated ingest API and reading it back:
// segments first, media playlists, master last; hash tags match served bytes; a
// published stream cannot be altered; half-published streams never look complete.
import { describe, expect, it } from "vitest";
import { get, ingest, mediaPlaylist, segmentBytes, sha256, taggedSegments, textOf } from "./helpers";

const MASTER = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=320x180,CODECS="avc1.4d401e,mp4a.40.2"\nlow/index.m3u8\n';

async function publish(stream: string) {
  const segs = ["s0.ts", "s1.ts", "s2.ts"];
  for (const s of segs) expect((await ingest(`vod/${stream}/low/${s}`, segmentBytes(stream + s))).status).toBe(201);
  expect((await ingest(`vod/${stream}/low/index.m3u8`, mediaPlaylist(segs, { end: true }))).status).toBe(201);
  expect((await ingest(`vod/${stream}/master.m3u8`, MASTER)).status).toBe(201);
  return segs;
}

describe("VOD ingest", () => {
  it("stores a stream whose media playlist carries a hash tag per segment equal to the served bytes' SHA-256", async () => {
    await publish("vod-a");
    const master = await get("/streams/vod-a/master.m3u8");
    expect(master.status).toBe(200);
    expect(await textOf(master)).toBe(MASTER);
    const media = await get("/streams/vod-a/low/index.m3u8");
    expect(media.headers.get("cache-control")).toBe("public, max-age=60");
    const list = taggedSegments(await textOf(media));
    expect(list.map((s) => s.uri)).toEqual(["s0.ts", "s1.ts", "s2.ts"]);
    for (const s of list) {
      const r = await get(`/streams/vod-a/low/${s.uri}`);
      const body = await r.arrayBuffer();
      const h = await sha256(body);
      expect(s.sha256).toBe(h);
      expect(s.bytes).toBe(body.byteLength);
      expect(r.headers.get("x-edgeswarm-sha256")).toBe(h);
      expect(r.headers.get("etag")).toBe(`"${h}"`);
      expect(r.headers.get("content-type")).toBe("video/mp2t");
    }
  });

  it("ignores hash and size tags in the uploaded playlist and writes its own", async () => {
    await ingest("vod/vod-forged/a.ts", segmentBytes("real"));
    const forged = mediaPlaylist(["a.ts"], { end: true }).replace("a.ts", `#EXT-X-EDGESWARM-BYTES:7777777\n#EXT-X-EDGESWARM-SHA256:${"0".repeat(64)}\na.ts`);
    expect((await ingest("vod/vod-forged/index.m3u8", forged)).status).toBe(201);
    const text = await textOf(await get("/streams/vod-forged/index.m3u8"));
    expect(text).not.toContain("0".repeat(64));
    expect(text).not.toContain("7777777");
    expect(taggedSegments(text)[0]!.sha256).toBe(await sha256(segmentBytes("real")));
    expect(taggedSegments(text)[0]!.bytes).toBe(segmentBytes("real").byteLength);
  });

  it("refuses a media playlist that names a segment not stored (409) and stores nothing", async () => {
    await ingest("vod/vod-miss/a.ts", segmentBytes("a"));
    const r = await ingest("vod/vod-miss/index.m3u8", mediaPlaylist(["a.ts", "b.ts"], { end: true }));
    expect(r.status).toBe(409);
    expect(((await r.json()) as { error: string }).error).toContain("b.ts");
    expect((await get("/streams/vod-miss/index.m3u8")).status).toBe(404);
  });

  it("refuses a master that names a media playlist not stored yet (409)", async () => {
    const r = await ingest("vod/vod-early/master.m3u8", MASTER);
    expect(r.status).toBe(409);
    expect((await get("/streams/vod-early/master.m3u8")).status).toBe(404);
  });

  it("refuses a VOD media playlist without ENDLIST (400): a VOD is complete or absent", async () => {
    await ingest("vod/vod-open/a.ts", segmentBytes("a"));
    const r = await ingest("vod/vod-open/index.m3u8", mediaPlaylist(["a.ts"]));
    expect(r.status).toBe(400);
  });

  it("refuses to overwrite a published segment with different bytes (409) and keeps the original", async () => {
    await publish("vod-b");
    const r = await ingest("vod/vod-b/low/s1.ts", segmentBytes("evil"));
    expect(r.status).toBe(409);
    const served = await (await get("/streams/vod-b/low/s1.ts")).arrayBuffer();
    expect(await sha256(served)).toBe(await sha256(segmentBytes("vod-bs1.ts")));
  });

  it("accepts an identical re-upload as a no-op (retries are safe)", async () => {
    await publish("vod-c");
    const r = await ingest("vod/vod-c/low/s0.ts", segmentBytes("vod-cs0.ts"));
    expect(r.status).toBe(200);
    expect(((await r.json()) as { unchanged: boolean }).unchanged).toBe(true);
    expect((await ingest("vod/vod-c/master.m3u8", MASTER)).status).toBe(200);
  });

  it("refuses a changed media playlist for a published stream (409)", async () => {
    await publish("vod-d");
    const r = await ingest("vod/vod-d/low/index.m3u8", mediaPlaylist(["s0.ts"], { end: true }));
    expect(r.status).toBe(409);
  });

  it("refuses the built-in names 'sample' and 'film' (409)", async () => {
    for (const name of ["sample", "film"]) {
      const r = await ingest(`vod/${name}/x.ts`, segmentBytes("x"));
      expect(r.status, name).toBe(409);
    }
  });

  it("deletes a whole stream on DELETE /ingest/vod/<stream>, then 404s it", async () => {
    await publish("vod-del");
    const r = await ingest("vod/vod-del", null, { method: "DELETE" });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { deleted: number }).deleted).toBe(5);
    expect((await get("/streams/vod-del/master.m3u8")).status).toBe(404);
    expect((await ingest("vod/vod-del", null, { method: "DELETE" })).status).toBe(404);
  });

  it("checks EXT-X-MAP init segments of fMP4 playlists are stored and serves .m4s/.mp4 as video/mp4", async () => {
    const pl = mediaPlaylist(["seg0.m4s"], { end: true, extra: ['#EXT-X-MAP:URI="init.mp4"'] });
    await ingest("vod/vod-fmp4/seg0.m4s", segmentBytes("m4s"));
    expect((await ingest("vod/vod-fmp4/index.m3u8", pl)).status).toBe(409);
    await ingest("vod/vod-fmp4/init.mp4", segmentBytes("init"));
    expect((await ingest("vod/vod-fmp4/index.m3u8", pl)).status).toBe(201);
    expect((await get("/streams/vod-fmp4/seg0.m4s")).headers.get("content-type")).toBe("video/mp4");
    expect((await get("/streams/vod-fmp4/init.mp4")).headers.get("content-type")).toBe("video/mp4");
  });
});
