// Stream names and file paths: what is accepted, what is refused and why.
import { describe, expect, it } from "vitest";
import { contentTypeFor, parseFilePath, parseStreamName, resolveRelative } from "../../../worker/origin/names";

describe("parseStreamName", () => {
  it("accepts the tracker channel alphabet up to 64 chars", () => {
    for (const n of ["a", "Live_01-x", "x".repeat(64)]) expect(parseStreamName(n).ok).toBe(true);
  });
  it("refuses empty, long, dotted, slashed, encoded and unicode names", () => {
    for (const n of ["", "x".repeat(65), "a.b", "a/b", "..", "%2e", "é", "a b"]) expect(parseStreamName(n).ok, n).toBe(false);
  });
});

describe("parseFilePath", () => {
  it("accepts files and one rendition folder, with type and kind by extension", () => {
    expect(parseFilePath("seg-00001.ts")).toEqual({ ok: true, value: { path: "seg-00001.ts", ext: "ts", type: "video/mp2t", kind: "segment" } });
    expect(parseFilePath("720p/index.m3u8")).toMatchObject({ ok: true, value: { type: "application/vnd.apple.mpegurl", kind: "playlist" } });
    expect(parseFilePath("a/init.mp4")).toMatchObject({ ok: true, value: { kind: "init", type: "video/mp4" } });
    expect(parseFilePath("a/x.M4S")).toMatchObject({ ok: true, value: { type: "video/mp4" } });
  });
  const bad: [string, string][] = [
    ["", "missing file name"],
    ["a/../x.ts", "path too deep (at most 2 parts)"],
    ["../x.ts", "bad file name"],
    ["./x.ts", "bad file name"],
    ["a..b.ts", "bad file name"],
    [".hidden.ts", "bad file name"],
    ["a/.x.ts", "bad file name"],
    ["%2e%2e/x.ts", "bad characters in path"],
    ["a%2fb.ts", "bad characters in path"],
    ["a\\b.ts", "bad characters in path"],
    ["a\u0000.ts", "bad characters in path"],
    ["a\n.ts", "bad characters in path"],
    ["a/b/c.ts", "path too deep (at most 2 parts)"],
    [`${"a".repeat(129)}.ts`, "name too long"],
    ["x.exe", "unsupported file extension"],
    ["noext", "unsupported file extension"],
    ["a/", "bad file name"],
    ["/a.ts", "bad file name"],
    ["a b.ts", "bad file name"],
  ];
  for (const [p, reason] of bad) {
    it(`refuses ${JSON.stringify(p.length > 40 ? p.slice(0, 40) + "…" : p)}: ${reason}`, () => {
      expect(parseFilePath(p)).toEqual({ ok: false, reason });
    });
  }
});

describe("resolveRelative", () => {
  it("resolves a segment URI against the playlist's folder", () => {
    expect(resolveRelative("360p/index.m3u8", "seg1.ts")).toMatchObject({ ok: true, value: { path: "360p/seg1.ts" } });
    expect(resolveRelative("index.m3u8", "360p/seg1.ts")).toMatchObject({ ok: true, value: { path: "360p/seg1.ts" } });
  });
  it("refuses absolute, rooted, parent, query and fragment URIs", () => {
    for (const u of ["https://x/a.ts", "/a.ts", "../a.ts", "a.ts?x", "a.ts#t", "data:x"]) expect(resolveRelative("360p/index.m3u8", u).ok, u).toBe(false);
  });
  it("refuses a URI that would make the path too deep", () => {
    expect(resolveRelative("360p/index.m3u8", "sub/a.ts").ok).toBe(false);
  });
});

describe("contentTypeFor", () => {
  it("maps known extensions and falls back to octet-stream", () => {
    expect(contentTypeFor("/a/b.m3u8")).toBe("application/vnd.apple.mpegurl");
    expect(contentTypeFor("/a/b.aac")).toBe("audio/aac");
    expect(contentTypeFor("/a/b.vtt")).toBe("text/vtt; charset=utf-8");
    expect(contentTypeFor("/a/b.bin")).toBe("application/octet-stream");
  });
});
