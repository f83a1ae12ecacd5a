// Upstream mode's URL logic: base parsing, which URIs are on the upstream and proxied,
// mapping to /upstream/, dropping the query, and refusing paths that would leave the base.
import { describe, expect, it } from "vitest";
import { mapUpstreamUri, parseUpstreamBase, upstreamKind, upstreamTarget } from "../../../worker/origin/upstream-rewrite";

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
    ["init.mp4", "/upstream/live/720p/init.mp4", true],
    ["https://cdn.example.com/hls/vod/a.ts", "/upstream/vod/a.ts", true],
    ["https://cdn.example.com/other/a.ts", "https://cdn.example.com/other/a.ts", false],
    ["https://elsewhere.example/hls/a.ts", "https://elsewhere.example/hls/a.ts", false],
    ["http://cdn.example.com/hls/a.ts", "http://cdn.example.com/hls/a.ts", false],
    // A query may be a signature or a selector, and /upstream/ drops queries: not proxied.
    ["/hls/live/720p/seg2.ts?tok=1", "https://cdn.example.com/hls/live/720p/seg2.ts?tok=1", false],
    ["seg3.ts?v=2", "https://cdn.example.com/hls/live/720p/seg3.ts?v=2", false],
    // Not HLS media (a key, a page): left pointing at the upstream, absolute.
    ["key.bin", "https://cdn.example.com/hls/live/720p/key.bin", false],
    ["../../../other/x.ts", "https://cdn.example.com/other/x.ts", false],
  ];
  for (const [uri, want, onUpstream] of cases) {
    it(`${uri} → ${want}${onUpstream ? "" : " (not proxied, untagged)"}`, () => {
      const r = mapUpstreamUri(base, playlist, uri);
      expect(r.uri).toBe(want);
      expect(r.target !== null).toBe(onUpstream);
      if (r.target) expect(r.target.search).toBe("");
    });
  }
});

describe("upstreamKind", () => {
  it("knows HLS playlists and media by extension, case-insensitively", () => {
    expect(upstreamKind("/hls/a.m3u8")).toEqual({ kind: "playlist", type: "application/vnd.apple.mpegurl" });
    for (const e of ["ts", "TS", "m4s", "mp4", "m4v", "m4a", "cmfv", "cmfa", "cmft", "aac", "ac3", "ec3", "mp3", "vtt", "webvtt"]) {
      expect(upstreamKind(`/hls/x/seg.${e}`)?.kind, e).toBe("media");
    }
    expect(upstreamKind("/hls/seg.ts")!.type).toBe("video/mp2t");
  });
  it("refuses everything else: other extensions, none, directories, dotfiles", () => {
    for (const p of ["/hls/a.json", "/hls/index.html", "/hls/key.key", "/hls/a.ts.bak", "/hls/admin", "/hls/dir/", "/hls/.ts", "/hls/a.", "/"]) {
      expect(upstreamKind(p), p).toBeNull();
    }
  });
});

describe("upstreamTarget", () => {
  it("resolves paths under the base", () => {
    expect(upstreamTarget(base, "live/720p/seg1.ts")!.href).toBe("https://cdn.example.com/hls/live/720p/seg1.ts");
  });
  it("drops the query, so cache-busting parameters never reach the cache key or the origin", () => {
    for (const q of ["?x=1", "?bust=2", "?", "?a=1&b=../../x", "?#frag"]) {
      expect(upstreamTarget(base, `a.m3u8${q}`)!.href, q).toBe("https://cdn.example.com/hls/a.m3u8");
    }
  });
  it("refuses anything that could leave the base", () => {
    for (const r of [
      "",
      "?x=1",
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
