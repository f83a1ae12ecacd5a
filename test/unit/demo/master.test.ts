import { describe, expect, it } from "vitest";
import { parseMaster, pickVariant } from "../../../demo/src/master";

const BASE = "https://w.example/live/loop/master.m3u8";
const MASTER = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-STREAM-INF:BANDWIDTH=857280,AVERAGE-BANDWIDTH=811609,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"
360p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=247408,RESOLUTION=256x144,CODECS="avc1.4d401e,mp4a.40.2"
144p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=493312,CODECS="avc1.4d401e,mp4a.40.2"
https://cdn.example/240/index.m3u8
`;

describe("parseMaster", () => {
  it("lists renditions lowest first with absolute URLs and short labels", () => {
    const r = parseMaster(MASTER, BASE);
    expect(r).toEqual({
      ok: true,
      variants: [
        { url: "https://w.example/live/loop/144p/index.m3u8", bandwidth: 247408, resolution: "256x144", label: "144p" },
        { url: "https://cdn.example/240/index.m3u8", bandwidth: 493312, resolution: "", label: "493k" },
        { url: "https://w.example/live/loop/360p/index.m3u8", bandwidth: 857280, resolution: "640x360", label: "360p" },
      ],
    });
  });
  it("gives a media playlist no variants (nothing to pick)", () => {
    expect(parseMaster("#EXTM3U\n#EXTINF:2,\na.ts\n", BASE)).toEqual({ ok: true, variants: [] });
  });
  it.each([
    ["<html>nope</html>", "no #EXTM3U"],
    ["", "no #EXTM3U"],
    ["#EXTM3U\n" + "x".repeat(300 * 1024), "too large"],
  ])("refuses %j", (text, reason) => {
    const r = parseMaster(text.slice(0, 300 * 1024 + 20), BASE);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
  it("skips variants with a javascript: URI, no BANDWIDTH, or a duplicate URI, and caps the count", () => {
    const bad = `#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=1000
javascript:alert(1)
#EXT-X-STREAM-INF:RESOLUTION=1x1
a.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2000
b.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=3000
b.m3u8
`;
    const r = parseMaster(bad, BASE);
    expect(r.ok && r.variants.map((v) => v.url)).toEqual(["https://w.example/live/loop/b.m3u8"]);
    const many = "#EXTM3U\n" + Array.from({ length: 50 }, (_, i) => `#EXT-X-STREAM-INF:BANDWIDTH=${i + 1}\nv${i}.m3u8`).join("\n");
    const m = parseMaster(many, BASE);
    expect(m.ok && m.variants.length).toBe(20);
  });
});

describe("pickVariant", () => {
  it("finds a rendition by label, and none for auto or an unknown label", () => {
    const r = parseMaster(MASTER, BASE);
    if (!r.ok) throw new Error("fixture must parse");
    expect(pickVariant(r.variants, "144p")?.bandwidth).toBe(247408);
    expect(pickVariant(r.variants, "auto")).toBeUndefined();
    expect(pickVariant(r.variants, null)).toBeUndefined();
    expect(pickVariant(r.variants, "4k")).toBeUndefined();
  });
});
