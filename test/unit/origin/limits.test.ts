// One test per limit in worker/origin/limits.ts: each is enforced where it says (the
// byte limits, DVR clamping and cache headers are also exercised through the Worker
// in test/worker/origin/*).
import { MAX_CHANNEL_CHARS, MAX_FILE_NAME_CHARS } from "../../../shared/names";
import { describe, expect, it } from "vitest";
import * as L from "../../../worker/origin/limits";
import { mergeLive, newSegments } from "../../../worker/origin/live-index";
import { loopWindow, parseManifest, resolveLoopSegment } from "../../../worker/origin/live-loop";
import { parseFilePath, parseStreamName } from "../../../worker/origin/names";
import { parsePlaylist, type MediaPlaylist } from "../../../worker/origin/playlist";
import { dvrSeconds } from "../../../worker/origin/live-ingest";
import type { Env } from "../../../worker/env";

const seg = (i: number) => `#EXTINF:2,\ns${i}.ts`;
const pl = (n: number, d = 2): MediaPlaylist => ({
  kind: "media",
  header: [],
  targetDuration: 2,
  mediaSequence: 0,
  discontinuitySequence: 0,
  endList: false,
  trailer: [],
  segments: Array.from({ length: n }, (_, i) => ({ uri: `s${i}.ts`, duration: d, title: "", discontinuity: false, tags: [] })),
});

describe("origin limits", () => {
  it("MAX_PLAYLIST_BYTES: a playlist over it is refused by the parser", () => {
    expect(parsePlaylist("#EXTM3U\n" + " ".repeat(L.MAX_PLAYLIST_BYTES))).toEqual({ ok: false, reason: "playlist too large" });
  });

  it("MAX_PLAYLIST_SEGMENTS: one segment over is refused, exactly the cap parses", () => {
    const body = (n: number) => ["#EXTM3U", ...Array.from({ length: n }, (_, i) => seg(i))].join("\n");
    expect(parsePlaylist(body(L.MAX_PLAYLIST_SEGMENTS)).ok).toBe(true);
    expect(parsePlaylist(body(L.MAX_PLAYLIST_SEGMENTS + 1))).toEqual({ ok: false, reason: "too many segments" });
  });

  it("MAX_MASTER_ENTRIES: a master with more variants is refused", () => {
    const body = ["#EXTM3U", ...Array.from({ length: L.MAX_MASTER_ENTRIES + 1 }, (_, i) => `#EXT-X-STREAM-INF:BANDWIDTH=${i + 1}\nv${i}.m3u8`)].join("\n");
    expect(parsePlaylist(body)).toEqual({ ok: false, reason: "too many variants" });
  });

  it("MAX_STREAM_NAME_CHARS: the cap is accepted, one more is refused", () => {
    expect(parseStreamName("s".repeat(MAX_CHANNEL_CHARS)).ok).toBe(true);
    expect(parseStreamName("s".repeat(MAX_CHANNEL_CHARS + 1)).ok).toBe(false);
  });

  it("MAX_FILE_NAME_CHARS: the cap is accepted, one more is refused", () => {
    expect(parseFilePath("a".repeat(MAX_FILE_NAME_CHARS - 3) + ".ts").ok).toBe(true);
    expect(parseFilePath("a".repeat(MAX_FILE_NAME_CHARS - 2) + ".ts")).toEqual({ ok: false, reason: "name too long" });
  });

  it("MAX_PATH_DEPTH: rendition/file is accepted, one more level is refused", () => {
    expect(parseFilePath("a/b.ts").ok).toBe(true);
    expect(parseFilePath("a/b/c.ts").ok).toBe(false);
  });

  it("DEFAULT/MIN/MAX_DVR_SECONDS: DVR_WINDOW_SECONDS is defaulted and clamped", () => {
    const d = (v?: string) => dvrSeconds({ DVR_WINDOW_SECONDS: v } as Env);
    expect(d(undefined)).toBe(L.DEFAULT_DVR_SECONDS);
    expect(d("abc")).toBe(L.DEFAULT_DVR_SECONDS);
    expect(d("-5")).toBe(L.DEFAULT_DVR_SECONDS);
    expect(d("1")).toBe(L.MIN_DVR_SECONDS);
    expect(d("1e9")).toBe(L.MAX_DVR_SECONDS);
    expect(d("300")).toBe(300);
  });

  it("MAX_LIVE_INDEX_SEGMENTS: the index never holds more, whatever the DVR window", () => {
    // An index already at the cap (tiny durations so the DVR window never trims)...
    const full = {
      v: 1 as const,
      header: [],
      targetDuration: 1,
      discontinuitySequence: 0,
      nextSeq: L.MAX_LIVE_INDEX_SEGMENTS,
      endList: false,
      segments: Array.from({ length: L.MAX_LIVE_INDEX_SEGMENTS }, (_, i) => ({
        seq: i,
        uri: `s${i}.ts`,
        duration: 0.001,
        title: "",
        sha256: "h",
        discontinuity: false,
        tags: [],
      })),
    };
    // ...gets 5 more: the 5 oldest go.
    const last = pl(L.MAX_LIVE_INDEX_SEGMENTS + 5, 0.001);
    const r = mergeLive(full, { ...last, segments: last.segments.slice(-6) }, (u) => `h${u}`, 1e9);
    const idx = r.index;
    expect(r.removed).toEqual(["s0.ts", "s1.ts", "s2.ts", "s3.ts", "s4.ts"]);
    expect(idx.segments.length).toBe(L.MAX_LIVE_INDEX_SEGMENTS);
  });

  it("MAX_NEW_LIVE_SEGMENTS_PER_PUT: one playlist PUT adds at most this many", () => {
    expect(newSegments(null, pl(L.MAX_NEW_LIVE_SEGMENTS_PER_PUT * 2)).segments).toHaveLength(L.MAX_NEW_LIVE_SEGMENTS_PER_PUT);
  });

  it("LOOP_WINDOW_SEGMENTS and LOOP_PAST_SEGMENTS: window size and how far back loop URLs answer", () => {
    const m = parseManifest({
      renditions: [
        {
          name: "a",
          width: 1,
          height: 1,
          codecs: "avc1",
          bandwidth: 1,
          segments: Array.from({ length: 5 }, (_, i) => ({ uri: `s${i}.ts`, duration: 2, size: 1, sha256: "0".repeat(64) })),
        },
      ],
    });
    if (!m.ok) throw new Error(m.reason);
    const r = m.value.renditions[0]!;
    const now = 1_000_000_000;
    const w = loopWindow(m.value, r, now, L.LOOP_WINDOW_SEGMENTS);
    expect(w.segments).toHaveLength(L.LOOP_WINDOW_SEGMENTS);
    const edge = w.segments.at(-1)!.seq;
    expect(resolveLoopSegment(m.value, r, `${edge - L.LOOP_PAST_SEGMENTS}.ts`, now, L.LOOP_PAST_SEGMENTS).ok).toBe(true);
    expect(resolveLoopSegment(m.value, r, `${edge - L.LOOP_PAST_SEGMENTS - 1}.ts`, now, L.LOOP_PAST_SEGMENTS).ok).toBe(false);
  });

  it("size and cache constants have the values the docs promise", () => {
    expect(L.MAX_SEGMENT_BYTES).toBe(32 * 1024 * 1024);
    expect(L.CACHE_SEGMENT).toContain("immutable");
    expect(L.CACHE_LIVE_PLAYLIST).toBe("public, max-age=1");
    expect(L.UPSTREAM_PREFETCH_CONCURRENCY).toBeLessThanOrEqual(L.UPSTREAM_PREFETCH_PER_PLAYLIST);
    expect(L.UPSTREAM_PREFETCH_PER_PLAYLIST + L.UPSTREAM_HASH_LOOKUPS_PER_PLAYLIST).toBeLessThan(1000); // Workers subrequest cap
  });
});
