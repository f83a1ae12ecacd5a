// m3u8 parse/render: hash tag placement, dropped forged tags, per-segment tags kept,
// master URI rewriting, and refusals of malformed playlists.
import { describe, expect, it } from "vitest";
import { SIZE_TAG, hashTagLine, hashTagLines } from "../../../shared/hash-tag";
import { masterUris, parsePlaylist, renderMaster, renderMedia, type MasterPlaylist, type MediaPlaylist } from "../../../worker/origin/playlist";

const media = (p: string) => {
  const r = parsePlaylist(p);
  if (!r.ok || r.playlist.kind !== "media") throw new Error(r.ok ? "not media" : r.reason);
  return r.playlist as MediaPlaylist;
};
const H = "a".repeat(64);

describe("parsePlaylist (media)", () => {
  const text = [
    "#EXTM3U",
    "#EXT-X-VERSION:6",
    "#EXT-X-TARGETDURATION:4",
    "#EXT-X-MEDIA-SEQUENCE:42",
    "#EXT-X-DISCONTINUITY-SEQUENCE:3",
    "#EXT-X-PLAYLIST-TYPE:VOD",
    "# a comment",
    '#EXT-X-MAP:URI="init.mp4"',
    "#EXTINF:3.96,title",
    hashTagLine("f".repeat(64)),
    "s0.m4s",
    "#EXT-X-DISCONTINUITY",
    "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z",
    "#EXTINF:4,",
    "s1.m4s",
    "#EXT-X-ENDLIST",
    "",
  ].join("\r\n");

  it("reads header numbers, segments, per-segment tags and discontinuities", () => {
    const p = media(text);
    expect(p).toMatchObject({ targetDuration: 4, mediaSequence: 42, discontinuitySequence: 3, endList: true });
    expect(p.header).toEqual(["#EXT-X-VERSION:6", "#EXT-X-PLAYLIST-TYPE:VOD"]);
    expect(p.segments).toEqual([
      { uri: "s0.m4s", duration: 3.96, title: "title", discontinuity: false, tags: ['#EXT-X-MAP:URI="init.mp4"'] },
      { uri: "s1.m4s", duration: 4, title: "", discontinuity: true, tags: ["#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z"] },
    ]);
  });

  it("drops incoming hash tags and puts its own directly before each URI line", () => {
    const out = renderMedia(media(text), { hashOf: (s) => (s.uri === "s1.m4s" ? H : undefined) });
    expect(out).not.toContain("f".repeat(64));
    const lines = out.trim().split("\n");
    expect(lines[lines.indexOf("s1.m4s") - 1]).toBe(hashTagLine(H));
    expect(lines[lines.indexOf("s1.m4s") - 2]).toBe("#EXTINF:4.0,");
    expect(lines[lines.indexOf("s0.m4s") - 1]).toBe("#EXTINF:3.96,title");
    expect(out).toContain("#EXT-X-DISCONTINUITY-SEQUENCE:3\n");
    expect(out.endsWith("#EXT-X-ENDLIST\n")).toBe(true);
  });

  it("publishes a known size before the hash line and drops forged size tags", () => {
    const forged = text.replace("s1.m4s", `#${SIZE_TAG}:999999\ns1.m4s`);
    const out = renderMedia(media(forged), { hashOf: () => H, sizeOf: (s) => (s.uri === "s1.m4s" ? 4321 : undefined) });
    expect(out).not.toContain("999999");
    const lines = out.trim().split("\n");
    expect(lines.slice(lines.indexOf("s1.m4s") - 3, lines.indexOf("s1.m4s"))).toEqual(["#EXTINF:4.0,", ...hashTagLines(H, 4321)]);
    expect(lines[lines.indexOf("s0.m4s") - 2]).toBe("#EXTINF:3.96,title");
    expect(out.split(`#${SIZE_TAG}:`).length).toBe(2);
  });

  it("round-trips: parse(render(p)) equals p", () => {
    const p = media(text);
    expect(media(renderMedia(p))).toEqual(p);
  });

  it("maps segment and URI attribute URIs when asked", () => {
    const out = renderMedia(media(text), { mapUri: (u) => `/x/${u}` });
    expect(out).toContain('#EXT-X-MAP:URI="/x/init.mp4"');
    expect(out).toContain("\n/x/s0.m4s\n");
  });

  it("raises TARGETDURATION to cover the longest segment", () => {
    const out = renderMedia(media("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.5,\na.ts\n"));
    expect(out).toContain("#EXT-X-TARGETDURATION:3\n");
  });
});

describe("parsePlaylist (master)", () => {
  const text = [
    "#EXTM3U",
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="audio/en.m3u8"',
    '#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.4d401e,mp4a.40.2",AUDIO="a"',
    "hi/index.m3u8",
    "#EXT-X-STREAM-INF:BANDWIDTH=200000",
    "lo/index.m3u8",
  ].join("\n");
  it("finds variant URIs and URI attributes", () => {
    const r = parsePlaylist(text);
    expect(r.ok && r.playlist.kind).toBe("master");
    expect(masterUris((r as { playlist: MasterPlaylist }).playlist)).toEqual(["hi/index.m3u8", "lo/index.m3u8", "audio/en.m3u8"]);
  });
  it("rewrites every URI and nothing else", () => {
    const r = parsePlaylist(text) as { ok: true; playlist: MasterPlaylist };
    const out = renderMaster(r.playlist, (u) => `/up/${u}`);
    expect(out).toContain('URI="/up/audio/en.m3u8"');
    expect(out).toContain("\n/up/hi/index.m3u8\n");
    expect(out).toContain('CODECS="avc1.4d401e,mp4a.40.2"');
  });
});

describe("parsePlaylist refusals", () => {
  const bad: [string, string][] = [
    ["", "not an m3u8 playlist (missing #EXTM3U)"],
    ["hello\n", "not an m3u8 playlist (missing #EXTM3U)"],
    ["#EXTM3U\n#EXTINF:x,\na.ts\n", "bad EXTINF"],
    ["#EXTM3U\n#EXTINF:-1,\na.ts\n", "bad EXTINF"],
    ["#EXTM3U\na.ts\n", "segment URI without EXTINF: a.ts"],
    ["#EXTM3U\n#EXTINF:2,\n", "EXTINF without a segment URI"],
    ["#EXTM3U\n#EXT-X-TARGETDURATION:abc\n", "bad EXT-X-TARGETDURATION"],
    ["#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:-4\n", "bad EXT-X-MEDIA-SEQUENCE"],
    ["#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXTINF:2,\na.ts\n", "playlist mixes master and media tags"],
    ["#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", "EXT-X-STREAM-INF without a URI"],
    ['#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,URI="a.m3u8"\n', "master playlist has no variants"],
    ["#EXTM3U\n#EXTINF:2,\u0007\na.ts\n", "control characters in playlist"],
    [`#EXTM3U\n#EXTINF:2,\n${"a".repeat(5000)}.ts\n`, "line too long"],
  ];
  for (const [text, reason] of bad) {
    it(`refuses ${JSON.stringify(text.slice(0, 50))}: ${reason}`, () => {
      expect(parsePlaylist(text)).toEqual({ ok: false, reason });
    });
  }
});
