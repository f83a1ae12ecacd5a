// The live playlist tag allowlist: what HLS live needs is kept (rebuilt from checked
// values), everything else is dropped, and the served text passes liveLineAllowed.
import { describe, expect, it } from "vitest";
import { hashTagLine } from "../../../shared/hash-tag";
import { keptLiveTag, liveLineAllowed, liveMasterTagsOnly, liveTagsOnly } from "../../../worker/origin/live-tags";
import { masterUris, parsePlaylist, renderMaster, renderMedia, type MasterPlaylist, type MediaPlaylist } from "../../../worker/origin/playlist";

const media = (lines: string[]): MediaPlaylist => {
  const r = parsePlaylist(lines.join("\n") + "\n");
  if (!r.ok || r.playlist.kind !== "media") throw new Error(r.ok ? "not media" : r.reason);
  return r.playlist;
};

const HOSTILE = [
  "#EXTM3U",
  "#EXT-X-VERSION:7",
  "#EXT-X-INDEPENDENT-SEGMENTS",
  "#EXT-X-TARGETDURATION:2",
  "#EXT-X-MEDIA-SEQUENCE:10",
  "#EXT-X-START:TIME-OFFSET=-5",
  "#EXT-X-VENDOR-THING:whatever",
  '#EXT-X-KEY:METHOD=AES-128,URI="https://evil.example/key"',
  '#EXT-X-MAP:URI="javascript:alert(1)"',
  "#EXT-X-PROGRAM-DATE-TIME:2026-12-02T17:00:00.000Z",
  '#EXT-X-DATERANGE:ID="ad",START-DATE="2026-12-02T17:00:00Z",X-URL="https://evil.example"',
  "#EXTINF:2.000,",
  "s10.ts",
  '#EXT-X-MAP:URI="init.mp4"',
  "#EXT-X-GAP",
  "#EXTINF:2.000,",
  "s11.ts",
  "#EXT-X-KEY:METHOD=NONE",
];

describe("keptLiveTag", () => {
  it("keeps EXT-X-VERSION and EXT-X-INDEPENDENT-SEGMENTS in the header only", () => {
    expect(keptLiveTag("#EXT-X-VERSION:6", "index.m3u8", "header")).toBe("#EXT-X-VERSION:6");
    expect(keptLiveTag("#EXT-X-INDEPENDENT-SEGMENTS", "index.m3u8", "header")).toBe("#EXT-X-INDEPENDENT-SEGMENTS");
    expect(keptLiveTag("#EXT-X-VERSION:6", "index.m3u8", "segment")).toBeNull();
    expect(keptLiveTag("#EXT-X-VERSION:6x", "index.m3u8", "header")).toBeNull();
    expect(keptLiveTag("#EXT-X-INDEPENDENT-SEGMENTS:YES", "index.m3u8", "header")).toBeNull();
  });

  it("keeps EXT-X-PROGRAM-DATE-TIME only with a real date-time and zone", () => {
    const ok = "#EXT-X-PROGRAM-DATE-TIME:2026-12-02T17:00:00.123+01:00";
    expect(keptLiveTag(ok, "index.m3u8", "segment")).toBe(ok);
    for (const bad of ["2026-12-02", "2026-12-02T17:00:00", "2026-13-45T99:99:99Z", "now", "2026-12-02T17:00:00Z<script>"]) {
      expect(keptLiveTag(`#EXT-X-PROGRAM-DATE-TIME:${bad}`, "index.m3u8", "segment")).toBeNull();
    }
  });

  it("keeps EXT-X-MAP only with a relative in-stream URI and no other attribute", () => {
    expect(keptLiveTag('#EXT-X-MAP:URI="init.mp4"', "720p/index.m3u8", "segment")).toBe('#EXT-X-MAP:URI="init.mp4"');
    for (const uri of [
      "javascript:alert(1)",
      "https://evil.example/init.mp4",
      "//evil.example/init.mp4",
      "/live/other/init.mp4",
      "../other/init.mp4",
      "init.mp4?x=1",
      "init.m3u8",
      "%2e%2e/init.mp4",
      "init.exe",
    ]) {
      expect(keptLiveTag(`#EXT-X-MAP:URI="${uri}"`, "720p/index.m3u8", "segment"), uri).toBeNull();
    }
    expect(keptLiveTag('#EXT-X-MAP:URI="init.mp4",BYTERANGE="720@0"', "index.m3u8", "segment")).toBeNull();
  });

  it("drops EXT-X-KEY, EXT-X-SESSION-*, EXT-X-DATERANGE, EXT-X-START and any unknown tag", () => {
    for (const t of [
      '#EXT-X-KEY:METHOD=AES-128,URI="https://evil.example/key"',
      "#EXT-X-KEY:METHOD=NONE",
      '#EXT-X-SESSION-KEY:METHOD=AES-128,URI="https://evil.example/k"',
      '#EXT-X-SESSION-DATA:DATA-ID="x",URI="https://evil.example/d.json"',
      '#EXT-X-DATERANGE:ID="a",START-DATE="2026-12-02T17:00:00Z"',
      "#EXT-X-START:TIME-OFFSET=-5",
      "#EXT-X-PLAYLIST-TYPE:EVENT",
      "#EXT-X-GAP",
      "#EXT-X-FOO:bar",
      "#EXTFOO",
    ]) {
      expect(keptLiveTag(t, "index.m3u8", "header"), t).toBeNull();
      expect(keptLiveTag(t, "index.m3u8", "segment"), t).toBeNull();
    }
  });
});

describe("liveTagsOnly", () => {
  it("strips a hostile playlist to the allowlist, keeping segments, durations and sequence", () => {
    const p = liveTagsOnly(media(HOSTILE), "index.m3u8");
    expect(p.header).toEqual(["#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]);
    expect(p.segments.map((s) => [s.uri, s.tags])).toEqual([
      ["s10.ts", ["#EXT-X-PROGRAM-DATE-TIME:2026-12-02T17:00:00.000Z"]],
      ["s11.ts", ['#EXT-X-MAP:URI="init.mp4"']],
    ]);
    expect(p.trailer).toEqual([]);
    expect(p.mediaSequence).toBe(10);
    expect(p.segments.map((s) => s.duration)).toEqual([2, 2]);
  });

  it("is idempotent, so an index filtered once can be filtered again at render", () => {
    const once = liveTagsOnly(media(HOSTILE), "index.m3u8");
    expect(liveTagsOnly(once, "index.m3u8")).toEqual(once);
  });

  it("renders to a playlist whose every line is allowed, the Worker's hash tags included", () => {
    const p = liveTagsOnly(media([...HOSTILE, "#EXT-X-DISCONTINUITY", "#EXTINF:2,", "s12.ts", "#EXT-X-ENDLIST"]), "index.m3u8");
    const text = renderMedia({ ...p, discontinuitySequence: 1 }, { hashOf: () => "c".repeat(64) });
    const lines = text.trim().split("\n");
    expect(lines).toContain(hashTagLine("c".repeat(64)));
    expect(lines).toContain("#EXT-X-DISCONTINUITY-SEQUENCE:1");
    for (const l of lines) expect(liveLineAllowed(l, "index.m3u8"), l).toBe(true);
    expect(text).not.toMatch(/evil|javascript|KEY|DATERANGE|START|VENDOR|GAP/);
  });
});

describe("liveLineAllowed", () => {
  it("refuses a forged hash tag and any tag outside the allowlist", () => {
    expect(liveLineAllowed("#EXT-X-EDGESWARM-SHA256:nothex", "index.m3u8")).toBe(false);
    expect(liveLineAllowed('#EXT-X-KEY:METHOD=AES-128,URI="k"', "index.m3u8")).toBe(false);
    expect(liveLineAllowed("s0.ts", "index.m3u8")).toBe(true);
  });
});

describe("liveMasterTagsOnly", () => {
  const master = (lines: string[]): MasterPlaylist => {
    const r = parsePlaylist(lines.join("\n") + "\n");
    if (!r.ok || r.playlist.kind !== "master") throw new Error(r.ok ? "not master" : r.reason);
    return r.playlist;
  };

  it("drops EXT-X-SESSION-*, CONTENT-STEERING, START and unknown tags, keeping variants, renditions and their URIs", () => {
    const p = liveMasterTagsOnly(
      master([
        "#EXTM3U",
        "#EXT-X-VERSION:6",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        '#EXT-X-SESSION-KEY:METHOD=AES-128,URI="https://evil.example/k"',
        '#EXT-X-SESSION-DATA:DATA-ID="com.example",VALUE="x"',
        '#EXT-X-CONTENT-STEERING:SERVER-URI="https://evil.example/steer"',
        "#EXT-X-START:TIME-OFFSET=-3",
        "#X-VENDOR:1",
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="audio/index.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=800000,AUDIO="a"',
        "low/index.m3u8",
        '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI="low/iframes.m3u8"',
        "#EXT-X-STREAM-INF:BANDWIDTH=2000000",
        "high/index.m3u8",
      ]),
    );
    const text = renderMaster(p);
    expect(text).not.toMatch(/SESSION|STEERING|EXT-X-START|X-VENDOR|evil/);
    expect(masterUris(p).sort()).toEqual(["audio/index.m3u8", "high/index.m3u8", "low/iframes.m3u8", "low/index.m3u8"]);
    expect(p.lines.slice(0, 3)).toEqual(["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-INDEPENDENT-SEGMENTS"]);
    expect(p.variantLines.map((i) => p.lines[i - 1]!.startsWith("#EXT-X-STREAM-INF:"))).toEqual([true, true]);
  });
});
