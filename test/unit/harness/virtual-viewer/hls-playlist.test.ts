// Playlist parsing for virtual viewers: variants, segments with the EdgeSwarm hash tag,
// byte ranges, hostile input, and the live timeline merge.
import { describe, expect, it } from "vitest";
import { mergeTimeline, parseAttributes, parseMasterPlaylist, parseMediaPlaylist } from "../../../../harness/virtual-viewer/hls-playlist.ts";

const H = (c: string) => c.repeat(64);
const BASE = "http://o.test/live/loop/360p/index.m3u8";

const media = (seq: number, n: number, extra = "") =>
  [
    "#EXTM3U",
    "#EXT-X-TARGETDURATION:2",
    `#EXT-X-MEDIA-SEQUENCE:${seq}`,
    extra,
    ...Array.from({ length: n }, (_, i) => [`#EXTINF:2.000,`, `#EXT-X-EDGESWARM-SHA256:${H("a")}`, `${seq + i}.ts`]).flat(),
  ].join("\n");

describe("parseMasterPlaylist", () => {
  it("reads variants with the fields p2p-media-loader-hlsjs keys swarms on", () => {
    const r = parseMasterPlaylist(
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=664000,AVERAGE-BANDWIDTH=600000,RESOLUTION=640x360,CODECS="mp4a.40.2,avc1.4d401e",FRAME-RATE=25\n360p/index.m3u8\n',
      "http://o.test/live/loop/master.m3u8",
    );
    expect(r).toEqual({
      ok: true,
      value: [
        {
          uri: "http://o.test/live/loop/360p/index.m3u8",
          bandwidth: 664000,
          averageBandwidth: 600000,
          width: 640,
          height: 360,
          videoCodec: "avc1.4d401e",
          frameRate: "25",
        },
      ],
    });
  });

  it("refuses a file without #EXTM3U, a variant without URI and a bad BANDWIDTH", () => {
    expect(parseMasterPlaylist("<html>", BASE)).toEqual({ ok: false, reason: "missing #EXTM3U header" });
    expect(parseMasterPlaylist("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", BASE)).toMatchObject({ ok: false, reason: expect.stringMatching(/no URI/) });
    expect(parseMasterPlaylist("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=x\na.m3u8\n", BASE)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/BANDWIDTH/),
    });
    expect(parseMasterPlaylist("#EXTM3U\n", BASE)).toMatchObject({ ok: false, reason: expect.stringMatching(/no variants/) });
  });
});

describe("parseMediaPlaylist", () => {
  it("numbers segments from the media sequence and keeps each one's SHA-256", () => {
    const r = parseMediaPlaylist(media(40, 3), BASE);
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.segments.map((s) => s.sn)).toEqual([40, 41, 42]);
    expect(r.value.segments[0]).toMatchObject({ uri: "http://o.test/live/loop/360p/40.ts", duration: 2, sha256: H("a") });
    expect(r.value.endList).toBe(false);
  });

  it("treats a malformed or uppercase hash as unknown rather than trusting it", () => {
    const text = media(0, 1).replace(H("a"), H("A"));
    const r = parseMediaPlaylist(text, BASE);
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.segments[0]?.sha256).toBeUndefined();
  });

  it("does not carry a hash over to the next segment", () => {
    const text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXT-X-EDGESWARM-SHA256:" + H("b") + "\na.ts\n#EXTINF:2,\nb.ts\n#EXT-X-ENDLIST\n";
    const r = parseMediaPlaylist(text, BASE);
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.segments.map((s) => s.sha256)).toEqual([H("b"), undefined]);
    expect(r.value.endList).toBe(true);
  });

  it("reads byte ranges, including ones that continue the previous range", () => {
    const text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXT-X-BYTERANGE:100@0\nall.ts\n#EXTINF:2,\n#EXT-X-BYTERANGE:50\nall.ts\n";
    const r = parseMediaPlaylist(text, BASE);
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.segments.map((s) => s.byteRange)).toEqual([
      { start: 0, end: 99 },
      { start: 100, end: 149 },
    ]);
  });

  it("marks discontinuities and reads the init segment", () => {
    const r = parseMediaPlaylist(
      media(5, 2, '#EXT-X-MAP:URI="init.mp4"').replace(
        "#EXTINF:2.000,\n#EXT-X-EDGESWARM-SHA256:" + H("a") + "\n6.ts",
        "#EXT-X-DISCONTINUITY\n#EXTINF:2.000,\n6.ts",
      ),
      BASE,
    );
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.initUri).toBe("http://o.test/live/loop/360p/init.mp4");
    expect(r.value.segments.map((s) => s.discontinuity)).toEqual([false, true]);
  });

  it("refuses hostile or broken playlists with a reason", () => {
    expect(parseMediaPlaylist("#EXTM3U\n#EXTINF:2,\na.ts\n", BASE)).toMatchObject({ ok: false, reason: expect.stringMatching(/TARGETDURATION/) });
    expect(parseMediaPlaylist("#EXTM3U\n#EXT-X-TARGETDURATION:2\na.ts\n", BASE)).toMatchObject({ ok: false, reason: expect.stringMatching(/without EXTINF/) });
    expect(parseMediaPlaylist("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:-1,\na.ts\n", BASE)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/bad EXTINF/),
    });
    expect(parseMediaPlaylist("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:-3\n", BASE)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/MEDIA-SEQUENCE/),
    });
    expect(parseMediaPlaylist("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-BYTERANGE:10\n#EXTINF:2,\na.ts\n", BASE)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/BYTERANGE/),
    });
    expect(parseMediaPlaylist("#EXTM3U\n" + "x".repeat(2_000_001), BASE)).toEqual({ ok: false, reason: "playlist too large" });
  });

  it("parses quoted attributes with commas inside", () => {
    expect(parseAttributes('CODECS="avc1.4d401e,mp4a.40.2",BANDWIDTH=5')).toEqual({ CODECS: "avc1.4d401e,mp4a.40.2", BANDWIDTH: "5" });
  });
});

describe("mergeTimeline", () => {
  const pl = (seq: number, n: number) => {
    const r = parseMediaPlaylist(media(seq, n), BASE);
    if (!r.ok) throw new Error(r.reason);
    return r.value;
  };

  it("places the first playlist from 0 and keeps known segments' times on refresh", () => {
    const a = mergeTimeline(new Map(), pl(100, 3));
    expect([...a.timeline.values()].map((s) => [s.sn, s.start])).toEqual([
      [100, 0],
      [101, 2],
      [102, 4],
    ]);
    const b = mergeTimeline(a.timeline, pl(101, 3));
    expect(b.added.map((s) => [s.sn, s.start, s.end])).toEqual([[103, 6, 8]]);
    expect(b.removed.map((s) => s.sn)).toEqual([100]);
    expect(b.timeline.get(101)?.start).toBe(2);
  });

  it("continues the timeline after a window that slid past everything known", () => {
    const a = mergeTimeline(new Map(), pl(0, 2));
    const b = mergeTimeline(a.timeline, pl(10, 2));
    expect(b.added.map((s) => s.start)).toEqual([4, 6]);
    expect(b.removed.map((s) => s.sn)).toEqual([0, 1]);
  });
});
