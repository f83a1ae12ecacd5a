// The built-in streams through the real Worker in workerd: /live/loop/* generated from
// the sample manifest and the clock (pinned with the test-only clock header), and
// /streams/sample/* from the static assets built by scripts/sample.mjs.
import { describe, expect, it } from "vitest";
import { LOOP_EPOCH_MS } from "../../../worker/origin/live-loop";
import { get, sha256, taggedSegments, textOf, testEnv } from "./helpers";

const at = (ms: number, extra: Record<string, string> = {}) => ({ headers: { "x-edgeswarm-test-now": String(ms), ...extra } });
// Loop length of the sample (15 × 2 s) is read from the manifest so the test follows the build.
async function loopSeconds(): Promise<{ n: number; loop: number }> {
  const m = (await (await testEnv.ASSETS!.fetch("https://assets.test/streams/sample/manifest.json")).json()) as {
    renditions: { segments: { duration: number }[] }[];
  };
  const segs = m.renditions[0]!.segments;
  return { n: segs.length, loop: segs.reduce((a, s) => a + s.duration, 0) };
}

describe("built-in loop channel", () => {
  it("has the assets binding in the pool", () => {
    expect(testEnv.ASSETS).toBeDefined();
  });

  it("serves a master with three renditions and BANDWIDTH/RESOLUTION/CODECS", async () => {
    const r = await get("/live/loop/master.m3u8");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    const text = await textOf(r);
    const inf = text.split("\n").filter((l) => l.startsWith("#EXT-X-STREAM-INF:"));
    expect(inf).toHaveLength(3);
    for (const l of inf) expect(l).toMatch(/BANDWIDTH=\d+.*RESOLUTION=\d+x\d+.*CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
  });

  it("slides its window with the clock: 2 s later the media sequence is one higher", async () => {
    const t0 = 1_800_000_001_000;
    const a = await textOf(await get("/live/loop/240p/index.m3u8", at(t0)));
    const b = await textOf(await get("/live/loop/240p/index.m3u8", at(t0 + 2000)));
    const seq = (t: string) => Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(t)![1]);
    expect(seq(b)).toBe(seq(a) + 1);
    expect(taggedSegments(a)).toHaveLength(6);
    expect(
      taggedSegments(b)
        .slice(0, 5)
        .map((s) => s.uri),
    ).toEqual(
      taggedSegments(a)
        .slice(1)
        .map((s) => s.uri),
    );
  });

  it("puts EXT-X-DISCONTINUITY at the wrap and counts it in DISCONTINUITY-SEQUENCE once it scrolls off", async () => {
    const { n, loop } = await loopSeconds();
    const k = 4_000; // some loop number, counted from the loop's epoch
    // 3 segments after loop k+1 starts: the wrap is inside the 6-segment window.
    const inside = await textOf(await get("/live/loop/144p/index.m3u8", at(LOOP_EPOCH_MS + (k + 1) * loop * 1000 + 6500)));
    const lines = inside.split("\n");
    const di = lines.indexOf("#EXT-X-DISCONTINUITY");
    expect(di).toBeGreaterThan(0);
    // DISCONTINUITY, EXTINF, then the size and hash tags, then the URI.
    expect(lines[di + 4]).toBe(`${(k + 1) * n}.ts`);
    expect(lines[di + 2]).toMatch(/^#EXT-X-EDGESWARM-BYTES:[1-9][0-9]*$/);
    expect(inside).toContain(`#EXT-X-DISCONTINUITY-SEQUENCE:${k}\n`);
    // Well past the wrap: no tag, and the count went up by one.
    const after = await textOf(await get("/live/loop/144p/index.m3u8", at(LOOP_EPOCH_MS + (k + 1) * loop * 1000 + 20_500)));
    expect(after).not.toContain("#EXT-X-DISCONTINUITY\n");
    expect(after).toContain(`#EXT-X-DISCONTINUITY-SEQUENCE:${k + 1}\n`);
  });

  it("serves each listed segment with bytes whose SHA-256 equals the tag and the header", async () => {
    const now = 1_800_000_123_000;
    const list = taggedSegments(await textOf(await get("/live/loop/360p/index.m3u8", at(now))));
    for (const s of list) {
      const r = await get(`/live/loop/360p/${s.uri}`, at(now));
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBe("video/mp2t");
      expect(r.headers.get("cache-control")).toContain("immutable");
      const h = await sha256(await r.arrayBuffer());
      expect(h).toBe(s.sha256);
      expect(r.headers.get("x-edgeswarm-sha256")).toBe(h);
    }
  });

  it("refuses a segment from the future and one far behind the window (404)", async () => {
    const now = 1_800_000_123_000;
    const list = taggedSegments(await textOf(await get("/live/loop/360p/index.m3u8", at(now))));
    const edge = Number(list.at(-1)!.uri.split(".")[0]);
    const future = await get(`/live/loop/360p/${edge + 1}.ts`, at(now));
    expect(future.status).toBe(404);
    expect(((await future.json()) as { error: string }).error).toBe("segment not produced yet");
    expect((await get(`/live/loop/360p/${edge - 1000}.ts`, at(now))).status).toBe(404);
  });

  it("answers unknown renditions and malformed segment names with 404 JSON", async () => {
    for (const p of ["/live/loop/999p/index.m3u8", "/live/loop/360p/abc.ts", "/live/loop/360p/12.mp4", "/live/loop/nothing"]) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(((await r.json()) as { error: string }).error).toBeTruthy();
    }
  });

  it("marks loop playlists as short-lived", async () => {
    const r = await get("/live/loop/360p/index.m3u8");
    expect(r.headers.get("cache-control")).toBe("public, max-age=1");
  });
});

describe("built-in VOD sample", () => {
  it("serves master, media playlists with a hash tag per segment, and segments matching them", async () => {
    const master = await textOf(await get("/streams/sample/master.m3u8"));
    const variants = master.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(variants).toEqual(["360p/index.m3u8", "240p/index.m3u8", "144p/index.m3u8"]);
    const media = await textOf(await get("/streams/sample/144p/index.m3u8"));
    expect(media).toContain("#EXT-X-ENDLIST");
    const segs = taggedSegments(media);
    expect(segs.length).toBeGreaterThanOrEqual(15);
    for (const s of segs.slice(0, 3)) {
      const r = await get(`/streams/sample/144p/${s.uri}`);
      const h = await sha256(await r.arrayBuffer());
      expect(h).toBe(s.sha256);
      expect(r.headers.get("x-edgeswarm-sha256")).toBe(h);
    }
  });

  it("answers a missing sample file with 404 JSON", async () => {
    const r = await get("/streams/sample/360p/seg-99999.ts");
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: "no such file in stream sample" });
  });
});

describe("built-in VOD film (3 minutes, issue 15's VOD benchmark)", () => {
  it("serves 3 renditions of at least 180 s, every segment tagged, the tags matching the bytes", async () => {
    const master = await textOf(await get("/streams/film/master.m3u8"));
    expect(master.split("\n").filter((l) => l && !l.startsWith("#"))).toEqual(["360p/index.m3u8", "240p/index.m3u8", "144p/index.m3u8"]);
    for (const rendition of ["360p", "240p", "144p"]) {
      const media = await textOf(await get(`/streams/film/${rendition}/index.m3u8`));
      expect(media).toContain("#EXT-X-ENDLIST");
      const seconds = [...media.matchAll(/^#EXTINF:([\d.]+),/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      expect(seconds, rendition).toBeGreaterThanOrEqual(179.9);
      const segs = taggedSegments(media);
      expect(segs.length, rendition).toBeGreaterThanOrEqual(90);
      expect(
        segs.filter((s) => s.sha256 === null),
        rendition,
      ).toEqual([]);
      const last = segs.at(-1)!;
      const r = await get(`/streams/film/${rendition}/${last.uri}`);
      expect(await sha256(await r.arrayBuffer())).toBe(last.sha256);
    }
  });

  it("answers a missing film file with 404 JSON", async () => {
    const r = await get("/streams/film/360p/seg-99999.ts");
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: "no such file in stream film" });
  });
});
