// Live ingest as ffmpeg does it (segment PUT, then playlist PUT, repeatedly): the served
// playlist slides over the DVR window (DVR_WINDOW_SECONDS = 120 from wrangler.toml),
// segments that leave it are deleted from R2, and only stored segments are ever listed.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mintSignedToken } from "../../../shared/viewer-token";
import { TOKEN, get, ingest, mediaPlaylist, segmentBytes, sha256, taggedSegments, textOf, testEnv } from "./helpers";

/** ffmpeg-like push: segment i, then its sliding playlist of the last `list` segments. */
async function push(stream: string, i: number, list = 5, duration = 2) {
  expect((await ingest(`live/${stream}/index${i}.ts`, segmentBytes(`${stream}-${i}`))).status).toBe(201);
  const first = Math.max(0, i - list + 1);
  const uris = Array.from({ length: i - first + 1 }, (_, k) => `index${first + k}.ts`);
  const r = await ingest(`live/${stream}/index.m3u8`, mediaPlaylist(uris, { seq: first, duration }));
  expect(r.status).toBe(200);
  return r.json() as Promise<{ added: string[]; removed: string[]; waiting: string[] }>;
}

/**
 * Hammer runs here: 6. Under vitest-pool-workers each run took longer than the last, on one
 * object or on a fresh one per 6 runs alike (blocks of 6: 5, 13, 25, 40, 62 s), while the
 * same runs against wrangler dev stay flat at 0.3-0.7 s: a cost of the test runtime, not of
 * the Worker. The 30-run hammer is test/integration/live-ingest-order.test.ts, on wrangler dev.
 */
const RUNS = 6;
const RUNS_PER_TEST = 6;
describe("live ingest", () => {
  it("serves a live playlist with hashes of the stored bytes and a 1 s cache lifetime", async () => {
    for (let i = 0; i < 3; i++) await push("live-a", i);
    const r = await get("/live/live-a/index.m3u8");
    expect(r.headers.get("cache-control")).toBe("public, max-age=1");
    const text = await textOf(r);
    expect(text).not.toContain("#EXT-X-ENDLIST");
    for (const s of taggedSegments(text)) {
      const seg = await get(`/live/live-a/${s.uri}`);
      expect(await sha256(await seg.arrayBuffer())).toBe(s.sha256);
    }
  });

  it("keeps the DVR window (120 s) beyond ffmpeg's 5-segment list, then slides and deletes old segments from R2", async () => {
    // 10 s segments: 12 of them fill 120 s; push 16.
    for (let i = 0; i < 16; i++) await push("live-dvr", i, 5, 10);
    const text = await textOf(await get("/live/live-dvr/index.m3u8"));
    const uris = taggedSegments(text).map((s) => s.uri);
    // The window holds the newest segments whose start is within 120 s of the end.
    expect(uris[0]).toBe("index4.ts");
    expect(uris.at(-1)).toBe("index15.ts");
    expect(text).toContain("#EXT-X-MEDIA-SEQUENCE:4\n");
    for (let i = 0; i < 4; i++) {
      expect(await testEnv.MEDIA.head(`live/live-dvr/index${i}.ts`)).toBeNull();
      expect((await get(`/live/live-dvr/index${i}.ts`)).status).toBe(404);
    }
    expect(await testEnv.MEDIA.head("live/live-dvr/index4.ts")).not.toBeNull();
  });

  it("never lists a segment that is not stored: later ones wait until it arrives", async () => {
    await push("live-gap", 0);
    // index1.ts never uploaded yet; index2.ts is.
    await ingest("live/live-gap/index2.ts", segmentBytes("2"));
    const r = await ingest("live/live-gap/index.m3u8", mediaPlaylist(["index0.ts", "index1.ts", "index2.ts"]));
    expect(await r.json()).toMatchObject({ added: [], waiting: ["index1.ts", "index2.ts"] });
    expect(taggedSegments(await textOf(await get("/live/live-gap/index.m3u8"))).map((s) => s.uri)).toEqual(["index0.ts"]);
    // The missing segment's own PUT brings the waiting playlist up to date: no new playlist PUT needed.
    await ingest("live/live-gap/index1.ts", segmentBytes("1"));
    expect(taggedSegments(await textOf(await get("/live/live-gap/index.m3u8"))).map((s) => s.uri)).toEqual(["index0.ts", "index1.ts", "index2.ts"]);
  });

  it("converges when ffmpeg's PUTs overlap: playlists out of order and before their segments", async () => {
    await push("live-race", 0);
    const p2 = mediaPlaylist(["index0.ts", "index1.ts"]);
    const p3 = mediaPlaylist(["index0.ts", "index1.ts", "index2.ts"], { end: true });
    // All at once, newest playlist first, segments racing them.
    await Promise.all([
      ingest("live/live-race/index.m3u8", p3),
      ingest("live/live-race/index.m3u8", p2),
      ingest("live/live-race/index2.ts", segmentBytes("r2")),
      ingest("live/live-race/index1.ts", segmentBytes("r1")),
    ]);
    const text = await textOf(await get("/live/live-race/index.m3u8"));
    expect(taggedSegments(text).map((s) => s.uri)).toEqual(["index0.ts", "index1.ts", "index2.ts"]);
    expect(text).toContain("#EXT-X-ENDLIST");
    for (const s of taggedSegments(text)) expect(await sha256(await (await get(`/live/live-race/${s.uri}`)).arrayBuffer())).toBe(s.sha256);
  });

  it("adds ENDLIST when the encoder ends the stream", async () => {
    await push("live-end", 0);
    await ingest("live/live-end/index.m3u8", mediaPlaylist(["index0.ts"], { end: true }));
    expect(await textOf(await get("/live/live-end/index.m3u8"))).toContain("#EXT-X-ENDLIST");
  });

  it("refuses to overwrite a live segment still in the window (409) and serves the original", async () => {
    await push("live-ow", 0);
    expect((await ingest("live/live-ow/index0.ts", segmentBytes("other"))).status).toBe(409);
    expect(await sha256(await (await get("/live/live-ow/index0.ts")).arrayBuffer())).toBe(await sha256(segmentBytes("live-ow-0")));
  });

  it("accepts ffmpeg's DELETE of an old segment (204) but keeps it while the DVR window holds it", async () => {
    await push("live-del", 0);
    const r = await ingest("live/live-del/index0.ts", null, { method: "DELETE" });
    expect(r.status).toBe(204);
    expect((await get("/live/live-del/index0.ts")).status).toBe(200);
  });

  it("accepts the token in the path for ffmpeg builds that cannot send headers", async () => {
    const r = await get("/ingest/token/test-ingest-token/live/live-path/index0.ts", { method: "PUT", body: segmentBytes("p") });
    expect(r.status).toBe(201);
    const bad = await get("/ingest/token/wrong-token/live/live-path/index1.ts", { method: "PUT", body: segmentBytes("p") });
    expect(bad.status).toBe(401);
    expect(await testEnv.MEDIA.head("live/live-path/index1.ts")).toBeNull();
  });

  it("a per-stream ingest token (HS256, signed with INGEST_TOKEN) opens its stream only: 403 for another, 401 expired or tampered, nothing written", async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const own = await mintSignedToken(TOKEN, { ingest: "live-own", exp });
    expect((await ingest("live/live-own/index0.ts", segmentBytes("own0"), { token: own })).status).toBe(201);
    // The path form works too (for ffmpeg builds without headers).
    expect((await get(`/ingest/token/${own}/live/live-own/index1.ts`, { method: "PUT", body: segmentBytes("own1") })).status).toBe(201);
    await push("live-other", 0);
    const before = await textOf(await get("/live/live-other/index.m3u8"));
    const other = await ingest("live/live-other/index1.ts", segmentBytes("x"), { token: own });
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({ error: "this ingest token is for stream live-own only" });
    expect(await testEnv.MEDIA.head("live/live-other/index1.ts")).toBeNull();
    expect((await ingest("live/live-other", null, { method: "DELETE", token: own })).status).toBe(403);
    expect((await ingest("live/live-other/index.m3u8", mediaPlaylist(["index0.ts"], { end: true }), { token: own })).status).toBe(403);
    expect(await textOf(await get("/live/live-other/index.m3u8"))).toBe(before);
    expect((await get("/live/live-other/index0.ts")).status).toBe(200);
    const expired = await mintSignedToken(TOKEN, { ingest: "live-own", exp: Math.floor(Date.now() / 1000) - 3600 });
    const tampered = own.slice(0, -2) + (own.endsWith("AA") ? "BB" : "AA");
    const otherKey = await mintSignedToken("not-the-ingest-token", { ingest: "live-own", exp });
    const viewerLike = await mintSignedToken(TOKEN, { stream: "live-own", exp });
    for (const [token, error] of [
      [expired, "ingest token expired"],
      [tampered, "ingest token signature does not match"],
      [otherKey, "ingest token signature does not match"],
      [viewerLike, "ingest token has no ingest stream"],
    ] as const) {
      const r = await ingest("live/live-own/index2.ts", segmentBytes("own2"), { token });
      expect(r.status).toBe(401);
      expect(await r.json()).toEqual({ error });
    }
    expect(await testEnv.MEDIA.head("live/live-own/index2.ts")).toBeNull();
  });

  it("a stream deleted while a playlist waits stays deleted when the awaited segment comes", async () => {
    await push("live-gone", 0);
    await ingest("live/live-gone/index.m3u8", mediaPlaylist(["index0.ts", "index1.ts"]));
    expect((await ingest("live/live-gone", null, { method: "DELETE" })).status).toBe(200);
    expect((await ingest("live/live-gone/index1.ts", segmentBytes("g1"))).status).toBe(201);
    expect((await get("/live/live-gone/index.m3u8")).status).toBe(404);
    expect(await testEnv.MEDIA.head("live/live-gone/.index/index.m3u8.json")).toBeNull();
  });

  it("refuses the built-in name 'loop' (409)", async () => {
    expect((await ingest("live/loop/index0.ts", segmentBytes("x"))).status).toBe(409);
  });

  it("rejoins after an encoder restart with no overlap: marks a discontinuity instead of stalling", async () => {
    for (let i = 0; i < 3; i++) await push("live-rs", i);
    // Restarted encoder with new names (e.g. -hls_start_number_source epoch).
    await ingest("live/live-rs/b100.ts", segmentBytes("b100"));
    await ingest("live/live-rs/index.m3u8", mediaPlaylist(["b100.ts"], { seq: 100 }));
    const text = await textOf(await get("/live/live-rs/index.m3u8"));
    const lines = text.trim().split("\n");
    expect(lines.slice(-5)).toEqual([
      "#EXT-X-DISCONTINUITY",
      "#EXTINF:2.0,",
      `#EXT-X-EDGESWARM-BYTES:${segmentBytes("b100").byteLength}`,
      `#EXT-X-EDGESWARM-SHA256:${await sha256(segmentBytes("b100"))}`,
      "b100.ts",
    ]);
    expect(text).toContain("#EXT-X-MEDIA-SEQUENCE:0\n");
  });

  it("an encoder restart (sequence back to 0, new names) moves the playlist on at once, even while the old run waits for a segment that never comes", async () => {
    // Old run at sequence 5000; a5001.ts never arrives, a5002.ts does.
    await ingest("live/live-restart/a5000.ts", segmentBytes("a5000"));
    await ingest("live/live-restart/a5002.ts", segmentBytes("a5002"));
    const waiting = await ingest("live/live-restart/index.m3u8", mediaPlaylist(["a5000.ts", "a5001.ts", "a5002.ts"], { seq: 5000 }));
    expect(await waiting.json()).toMatchObject({ added: ["a5000.ts"], waiting: ["a5001.ts", "a5002.ts"] });
    // New encoder: its first segment, then its playlist.
    await ingest("live/live-restart/b0.ts", segmentBytes("b0"));
    const r = await ingest("live/live-restart/index.m3u8", mediaPlaylist(["b0.ts"], { seq: 0 }));
    expect(await r.json()).toMatchObject({ restarted: true, skipped: ["a5001.ts"], added: ["a5002.ts", "b0.ts"], waiting: [] });
    const text = await textOf(await get("/live/live-restart/index.m3u8"));
    expect(taggedSegments(text).map((s) => s.uri)).toEqual(["a5000.ts", "a5002.ts", "b0.ts"]);
    expect(text).toContain("#EXT-X-MEDIA-SEQUENCE:5000\n");
    // Each join is marked: the hole before a5002 and the new run before b0.
    expect(text.match(/#EXT-X-DISCONTINUITY\n/g)).toHaveLength(2);
    // Nothing stored was lost: every listed segment is served with its hash.
    for (const s of taggedSegments(text)) expect(await sha256(await (await get(`/live/live-restart/${s.uri}`)).arrayBuffer())).toBe(s.sha256);
  });

  it("gives up on a segment that never comes after 2 target durations (2 s floor), by the stream's alarm, and serves ENDLIST", async () => {
    await ingest("live/live-lost/s0.ts", segmentBytes("s0"));
    await ingest("live/live-lost/s2.ts", segmentBytes("s2"));
    const r = await ingest("live/live-lost/index.m3u8", mediaPlaylist(["s0.ts", "s1.ts", "s2.ts"], { duration: 1, end: true }));
    expect(await r.json()).toMatchObject({ added: ["s0.ts"], waiting: ["s1.ts", "s2.ts"] });
    expect(await textOf(await get("/live/live-lost/index.m3u8"))).not.toContain("#EXT-X-ENDLIST");
    // No other PUT comes: the alarm set for the deadline does it (run now if it has not fired yet).
    await new Promise((res) => setTimeout(res, 2_100));
    await runDurableObjectAlarm(testEnv.LIVE.getByName("live-lost"));
    const text = await textOf(await get("/live/live-lost/index.m3u8"));
    expect(taggedSegments(text).map((s) => s.uri)).toEqual(["s0.ts", "s2.ts"]);
    expect(text).toContain("#EXT-X-DISCONTINUITY\n#EXTINF:1.0,");
    expect(text).toContain("#EXT-X-ENDLIST");
    // A late s1.ts is stored, but cannot reorder what was served.
    expect((await ingest("live/live-lost/s1.ts", segmentBytes("s1"))).status).toBe(201);
    expect(taggedSegments(await textOf(await get("/live/live-lost/index.m3u8"))).map((s) => s.uri)).toEqual(["s0.ts", "s2.ts"]);
  });

  for (let block = 0; block < RUNS / RUNS_PER_TEST; block++)
    it(`converges on every run when 24 PUTs (12 segments, 12 playlists, the last with ENDLIST) all overlap in random order (runs ${block * RUNS_PER_TEST + 1}–${(block + 1) * RUNS_PER_TEST} of ${RUNS})`, async () => {
      const n = 12;
      const names = Array.from({ length: n }, (_, i) => `index${i}.ts`);
      for (let run = block * RUNS_PER_TEST; run < (block + 1) * RUNS_PER_TEST; run++) {
        // One stream, emptied between runs (DELETE), so each run starts from nothing on the same object.
        const stream = "live-hammer";
        const puts = [
          ...names.map((u) => () => ingest(`live/${stream}/${u}`, segmentBytes(`${stream}-${u}`))),
          // hls_list_size 12: reordering by up to the list size keeps every playlist anchored to the others.
          ...names.map((_, i) => () => ingest(`live/${stream}/index.m3u8`, mediaPlaylist(names.slice(0, i + 1), { end: i === n - 1 }))),
        ];
        for (let i = puts.length - 1; i > 0; i--) {
          const j = Math.floor(Math.random() * (i + 1));
          [puts[i], puts[j]] = [puts[j]!, puts[i]!];
        }
        // Each answer is read to the end: unread bodies pile up in workerd and slow every later run.
        const statuses = await Promise.all(
          puts.map(async (put) => {
            const r = await put();
            await r.arrayBuffer();
            return r.status;
          }),
        );
        expect(
          statuses.every((st) => st === 200 || st === 201),
          `run ${run}: ${statuses}`,
        ).toBe(true);
        const text = await textOf(await get(`/live/${stream}/index.m3u8`));
        const listed = taggedSegments(text);
        expect(
          listed.map((s) => s.uri),
          `run ${run}`,
        ).toEqual(names);
        expect(text, `run ${run}`).toContain("#EXT-X-MEDIA-SEQUENCE:0\n");
        expect(text, `run ${run}`).toContain("#EXT-X-ENDLIST");
        expect(text, `run ${run}`).not.toContain("#EXT-X-DISCONTINUITY");
        for (const s of listed) expect(s.sha256).toBe(await sha256(segmentBytes(`${stream}-${s.uri}`)));
        expect((await ingest(`live/${stream}`, null, { method: "DELETE" })).status).toBe(200);
      }
    }, 60_000);
});
