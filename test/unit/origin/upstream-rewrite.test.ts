// Upstream mode's URL logic: base parsing, which URIs are on the upstream, mapping to
// /upstream/, and refusing paths that would leave the base.
import { describe, expect, it } from "vitest";
import { mapUpstreamUri, parseUpstreamBase, upstreamTarget } from "../../../worker/origin/upstream-rewrite";

const base = parseUpstreamBase("https://cdn.example.com/hls/")!;

describe("parseUpstreamBase", () => {
  it("normalises to a folder and refuses non-HTTP or empty values", () => {
    expect(parseUpstreamBase("https://cdn.example.com/hls/master.m3u8?x=1")!.href).toBe("https://cdn.example.com/hls/");
    expect(parseUpstreamBase("https://cdn.example.com")!.href).toBe("https://cdn.example.com/");
    for (const v of ["", "  ", undefined, "ftp://x/", "not a url", "javascript:alert(1)"]) expect(parseUpstreamBase(v)).toBeNull();
  });
});

describe("mapUpstreamUri", () => {
  const playlist = new URL("https://cdn.example.com/hls/live/720p/index.m3u8");
  const cases: [string, string, boolean][] = [
    ["seg1.ts", "/upstream/live/720p/seg1.ts", true],
    ["../480p/index.m3u8", "/upstream/live/480p/index.m3u8", true],
    ["/hls/live/720p/seg2.ts?tok=1", "/upstream/live/720p/seg2.ts?tok=1", true],
    ["https://cdn.example.com/hls/vod/a.ts", "/upstream/vod/a.ts", true],
    ["https://cdn.example.com/other/a.ts", "https://cdn.example.com/other/a.ts", false],
    ["https://elsewhere.example/hls/a.ts", "https://elsewhere.example/hls/a.ts", false],
    ["http://cdn.example.com/hls/a.ts", "http://cdn.example.com/hls/a.ts", false],
  ];
  for (const [uri, want, onUpstream] of cases) {
    it(`${uri} → ${want}${onUpstream ? "" : " (left alone, untagged)"}`, () => {
      const r = mapUpstreamUri(base, playlist, uri);
      expect(r.uri).toBe(want);
      expect(r.target !== null).toBe(onUpstream);
    });
  }
});

describe("upstreamTarget", () => {
  it("resolves paths and queries under the base", () => {
    expect(upstreamTarget(base, "live/720p/seg1.ts")!.href).toBe("https://cdn.example.com/hls/live/720p/seg1.ts");
    expect(upstreamTarget(base, "a.m3u8?x=1")!.href).toBe("https://cdn.example.com/hls/a.m3u8?x=1");
  });
  it("refuses anything that could leave the base", () => {
    for (const r of [
      "",
      "/etc/passwd",
      "../x.ts",
      "a/../../x.ts",
      "..%2fx.ts",
      "%2e%2e/x.ts",
      "a%5cb.ts",
      "a\\b.ts",
      "a\u0000.ts",
      "//evil.example/x.ts",
      "https://evil.example/x.ts",
    ]) {
      expect(upstreamTarget(base, r), r).toBeNull();
    }
  });
});
