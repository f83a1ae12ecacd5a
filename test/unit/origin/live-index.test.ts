// The live window merge: new segments after the last known one, waiting on unstored
// ones, DVR trimming with deletions, discontinuity bookkeeping, encoder restarts.
import { describe, expect, it } from "vitest";
import { indexToPlaylist, mergeLive, newerPlaylist, newSegments, parseIndex, type LiveIndex } from "../../../worker/origin/live-index";
import { MAX_NEW_LIVE_SEGMENTS_PER_PUT } from "../../../worker/origin/limits";
import type { MediaPlaylist } from "../../../worker/origin/playlist";

const pl = (uris: string[], seq = 0, opts: Partial<MediaPlaylist> = {}, d = 2): MediaPlaylist => ({
  kind: "media",
  header: ["#EXT-X-VERSION:3"],
  targetDuration: Math.ceil(d),
  mediaSequence: seq,
  discontinuitySequence: 0,
  segments: uris.map((uri) => ({ uri, duration: d, title: "", discontinuity: false, tags: [] })),
  endList: false,
  trailer: [],
  ...opts,
});
const all = (uri: string) => `h-${uri}`;
const uris = (i: LiveIndex) => i.segments.map((s) => s.uri);

describe("mergeLive", () => {
  it("starts a fresh index at the encoder's media sequence", () => {
    const r = mergeLive(null, pl(["a5.ts", "a6.ts"], 5), all, 120);
    expect(uris(r.index)).toEqual(["a5.ts", "a6.ts"]);
    expect(r.index.segments.map((s) => s.seq)).toEqual([5, 6]);
    expect(r.index.segments[1]!.sha256).toBe("h-a6.ts");
    expect(indexToPlaylist(r.index).mediaSequence).toBe(5);
  });

  it("appends only what follows the last known segment", () => {
    const a = mergeLive(null, pl(["s0.ts", "s1.ts"]), all, 120).index;
    const b = mergeLive(a, pl(["s0.ts", "s1.ts", "s2.ts"]), all, 120);
    expect(b.added).toEqual(["s2.ts"]);
    expect(uris(b.index)).toEqual(["s0.ts", "s1.ts", "s2.ts"]);
    expect(b.index.nextSeq).toBe(3);
  });

  it("stops at the first segment not stored and reports it and everything after it as waiting", () => {
    const a = mergeLive(null, pl(["s0.ts"]), all, 120).index;
    const b = mergeLive(a, pl(["s0.ts", "s1.ts", "s2.ts"]), (u) => (u === "s1.ts" ? undefined : all(u)), 120);
    expect(uris(b.index)).toEqual(["s0.ts"]);
    expect(b.waiting).toEqual(["s1.ts", "s2.ts"]);
  });

  it("withholds ENDLIST while segments are still waiting", () => {
    const b = mergeLive(null, pl(["s0.ts", "s1.ts"], 0, { endList: true }), (u) => (u === "s1.ts" ? undefined : all(u)), 120);
    expect(b.index.endList).toBe(false);
    expect(mergeLive(b.index, pl(["s0.ts", "s1.ts"], 0, { endList: true }), all, 120).index.endList).toBe(true);
  });

  it("trims to the DVR window and returns the removed URIs; media sequence follows", () => {
    let idx: LiveIndex | null = null;
    const removed: string[] = [];
    for (let i = 0; i < 10; i++) {
      const list = Array.from({ length: Math.min(i + 1, 3) }, (_, k) => `s${i - Math.min(i, 2) + k}.ts`);
      const r = mergeLive(idx, pl(list, i - Math.min(i, 2)), all, 10);
      removed.push(...r.removed);
      idx = r.index;
    }
    // 2 s segments, 10 s DVR: s5..s9 stay (start of s5 is 10 s before the end).
    expect(uris(idx!)).toEqual(["s5.ts", "s6.ts", "s7.ts", "s8.ts", "s9.ts"]);
    expect(removed).toEqual(["s0.ts", "s1.ts", "s2.ts", "s3.ts", "s4.ts"]);
    expect(indexToPlaylist(idx!).mediaSequence).toBe(5);
  });

  it("moves a discontinuity that reaches the top of the window into DISCONTINUITY-SEQUENCE", () => {
    let idx = mergeLive(null, pl(["a.ts"]), all, 4).index;
    const withDisc = pl(["a.ts", "b.ts"]);
    withDisc.segments[1]!.discontinuity = true;
    idx = mergeLive(idx, withDisc, all, 4).index;
    expect(idx.segments[1]!.discontinuity).toBe(true);
    idx = mergeLive(idx, pl(["b.ts", "c.ts", "d.ts"]), all, 4).index;
    // Window of 4 s keeps c, d; b (with the discontinuity) and a were trimmed.
    expect(uris(idx)).toEqual(["c.ts", "d.ts"]);
    expect(idx.segments.some((s) => s.discontinuity)).toBe(false);
    expect(idx.discontinuitySequence).toBe(1);
  });

  it("counts the discontinuity of a segment that becomes the first one", () => {
    let idx = mergeLive(null, pl(["a.ts", "b.ts"]), all, 1e6).index;
    const withDisc = pl(["b.ts", "c.ts", "d.ts"]);
    withDisc.segments[1]!.discontinuity = true;
    idx = mergeLive(idx, withDisc, all, 6).index;
    // 6 s window over a, b, c*, d (2 s each): a dropped only; c keeps its tag.
    expect(uris(idx)).toEqual(["b.ts", "c.ts", "d.ts"]);
    expect(idx.segments[1]!.discontinuity).toBe(true);
    idx = mergeLive(idx, pl(["c.ts", "d.ts", "e.ts"]), all, 6).index;
    expect(uris(idx)).toEqual(["c.ts", "d.ts", "e.ts"]);
    expect(idx.segments[0]!.discontinuity).toBe(false);
    expect(idx.discontinuitySequence).toBe(1);
  });

  it("carries KEY/MAP tags of a trimmed segment onto the new first segment", () => {
    const first = pl(["a.m4s", "b.m4s"]);
    first.segments[0]!.tags = ['#EXT-X-MAP:URI="init.mp4"'];
    const idx = mergeLive(null, first, all, 2).index;
    expect(uris(idx)).toEqual(["b.m4s"]);
    expect(idx.segments[0]!.tags).toEqual(['#EXT-X-MAP:URI="init.mp4"']);
  });

  it("rejoins a list with no overlap (encoder restart) with a discontinuity, skipping leading unstored segments", () => {
    const a = mergeLive(null, pl(["s0.ts", "s1.ts"]), all, 120).index;
    const r = mergeLive(a, pl(["gone.ts", "n0.ts", "n1.ts"], 0), (u) => (u === "gone.ts" ? undefined : all(u)), 120);
    expect(uris(r.index)).toEqual(["s0.ts", "s1.ts", "n0.ts", "n1.ts"]);
    expect(r.index.segments.map((s) => s.seq)).toEqual([0, 1, 2, 3]);
    expect(r.index.segments[2]!.discontinuity).toBe(true);
    expect(r.waiting).toEqual([]);
  });

  it("drops PLAYLIST-TYPE from the live header (EVENT would forbid sliding)", () => {
    const r = mergeLive(null, pl(["a.ts"], 0, { header: ["#EXT-X-VERSION:3", "#EXT-X-PLAYLIST-TYPE:EVENT"] }), all, 120);
    expect(r.index.header).toEqual(["#EXT-X-VERSION:3"]);
  });
});

describe("pending playlists", () => {
  it("keeps the playlist that waits for a segment, and drops it once merged", () => {
    const p = pl(["s0.ts", "s1.ts"]);
    const r = mergeLive(null, p, (u) => (u === "s1.ts" ? undefined : all(u)), 120);
    expect(r.index.pending).toEqual(p);
    const r2 = mergeLive(r.index, r.index.pending!, all, 120);
    expect(r2.index.pending).toBeUndefined();
    expect(uris(r2.index)).toEqual(["s0.ts", "s1.ts"]);
  });

  it("newerPlaylist picks the one reaching the higher sequence, then the one with ENDLIST", () => {
    const a = pl(["s0.ts", "s1.ts"]);
    const b = pl(["s1.ts", "s2.ts"], 1);
    const c = pl(["s1.ts", "s2.ts"], 1, { endList: true });
    expect(newerPlaylist(a, b)).toBe(b);
    expect(newerPlaylist(b, a)).toBe(b);
    expect(newerPlaylist(b, c)).toBe(c);
    expect(newerPlaylist(null, a)).toBe(a);
    expect(newerPlaylist(a, undefined)).toBe(a);
  });
});

describe("newSegments", () => {
  it(`takes at most ${MAX_NEW_LIVE_SEGMENTS_PER_PUT} new segments: the oldest when anchored, the newest when not`, () => {
    const many = Array.from({ length: MAX_NEW_LIVE_SEGMENTS_PER_PUT + 10 }, (_, i) => `s${i}.ts`);
    const fresh = newSegments(null, pl(many));
    expect(fresh.anchored).toBe(false);
    expect(fresh.segments.map((s) => s.uri)).toEqual(many.slice(-MAX_NEW_LIVE_SEGMENTS_PER_PUT));
    const idx = mergeLive(null, pl(["s0.ts"]), all, 1e6).index;
    const anchored = newSegments(idx, pl(many));
    expect(anchored.anchored).toBe(true);
    expect(anchored.segments.map((s) => s.uri)).toEqual(many.slice(1, 1 + MAX_NEW_LIVE_SEGMENTS_PER_PUT));
  });
});

describe("parseIndex", () => {
  it("accepts what mergeLive writes and refuses junk", () => {
    const idx = mergeLive(null, pl(["a.ts"]), all, 120).index;
    expect(parseIndex(JSON.parse(JSON.stringify(idx)))).toEqual(idx);
    for (const junk of [null, 1, {}, { v: 2 }, { ...idx, segments: [{ uri: 1 }] }]) expect(parseIndex(junk)).toBeNull();
  });

  it("checks every field, down to each tag and the pending playlist's segments", () => {
    const idx = mergeLive(null, pl(["a.ts"]), all, 120).index;
    const seg = idx.segments[0]!;
    const junk: unknown[] = [
      { ...idx, header: ["#EXT-X-VERSION:3", 7] },
      { ...idx, nextSeq: -1 },
      { ...idx, targetDuration: "4" },
      { ...idx, endList: "yes" },
      { ...idx, segments: [{ ...seg, tags: [null] }] },
      { ...idx, segments: [{ ...seg, duration: Number.NaN }] },
      { ...idx, segments: [{ ...seg, seq: 1.5 }] },
      { ...idx, pending: { ...pl(["b.ts"]), segments: [{ uri: "b.ts", duration: 2 }] } },
      { ...idx, pending: { ...pl(["b.ts"]), kind: "master" } },
    ];
    for (const j of junk) expect(parseIndex(JSON.parse(JSON.stringify(j)))).toBeNull();
    const withPending = { ...idx, pending: pl(["b.ts"]) };
    expect(parseIndex(JSON.parse(JSON.stringify(withPending)))).toEqual(withPending);
  });
});
