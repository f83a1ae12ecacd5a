// The live window merge: new segments after the last known one, waiting on unstored
// ones, DVR trimming with deletions, discontinuity bookkeeping, encoder restarts.
import { describe, expect, it } from "vitest";
import { indexToPlaylist, mergeLive, newSegments, nextDeadline, parseIndex, segmentWaitMs, type LiveIndex } from "../../../worker/origin/live-index";
import { LIVE_SEGMENT_WAIT_MAX_MS, LIVE_SEGMENT_WAIT_MIN_MS, MAX_NEW_LIVE_SEGMENTS_PER_PUT } from "../../../worker/origin/limits";
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
    idx = mergeLive(idx, pl(["b.ts", "c.ts", "d.ts"], 1), all, 4).index;
    // Window of 4 s keeps c, d; b (with the discontinuity) and a were trimmed.
    expect(uris(idx)).toEqual(["c.ts", "d.ts"]);
    expect(idx.segments.some((s) => s.discontinuity)).toBe(false);
    expect(idx.discontinuitySequence).toBe(1);
  });

  it("counts the discontinuity of a segment that becomes the first one", () => {
    let idx = mergeLive(null, pl(["a.ts", "b.ts"]), all, 1e6).index;
    const withDisc = pl(["b.ts", "c.ts", "d.ts"], 1);
    withDisc.segments[1]!.discontinuity = true;
    idx = mergeLive(idx, withDisc, all, 6).index;
    // 6 s window over a, b, c*, d (2 s each): a dropped only; c keeps its tag.
    expect(uris(idx)).toEqual(["b.ts", "c.ts", "d.ts"]);
    expect(idx.segments[1]!.discontinuity).toBe(true);
    idx = mergeLive(idx, pl(["c.ts", "d.ts", "e.ts"], 2), all, 6).index;
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

  it("rejoins a list with no overlap (encoder restart) with a discontinuity; a leading unstored segment waits, bounded", () => {
    // Before: leading unstored segments of a list with no overlap were skipped at once. Now
    // they may be the new encoder's PUTs still in flight, so they wait, for segmentWaitMs at most.
    const a = mergeLive(null, pl(["s0.ts", "s1.ts"]), all, 120).index;
    const stored = (u: string) => (u === "gone.ts" ? undefined : all(u));
    const r = mergeLive(a, pl(["gone.ts", "n0.ts", "n1.ts"], 0), stored, 120, 1000);
    expect(r.restarted).toBe(true);
    expect(uris(r.index)).toEqual(["s0.ts", "s1.ts"]);
    expect(r.waiting).toEqual(["gone.ts", "n0.ts", "n1.ts"]);
    expect(nextDeadline(r.index)).toBe(1000 + segmentWaitMs(2));
    const later = mergeLive(r.index, null, stored, 120, 1000 + segmentWaitMs(2));
    expect(later.skipped).toEqual(["gone.ts"]);
    expect(uris(later.index)).toEqual(["s0.ts", "s1.ts", "n0.ts", "n1.ts"]);
    expect(later.index.segments.map((s) => s.seq)).toEqual([0, 1, 2, 3]);
    expect(later.index.segments[2]!.discontinuity).toBe(true);
    expect(later.waiting).toEqual([]);
  });

  it("drops PLAYLIST-TYPE from the live header (EVENT would forbid sliding)", () => {
    const r = mergeLive(null, pl(["a.ts"], 0, { header: ["#EXT-X-VERSION:3", "#EXT-X-PLAYLIST-TYPE:EVENT"] }), all, 120);
    expect(r.index.header).toEqual(["#EXT-X-VERSION:3"]);
  });
});

const shuffle = <T>(xs: T[], rnd: () => number): T[] => {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
};
/** Small deterministic PRNG (mulberry32) so a failing order can be replayed. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

describe("waiting segments and encoder restarts", () => {
  it("keeps what a playlist announces as a plan, and indexes it when the segment is stored", () => {
    const r = mergeLive(null, pl(["s0.ts", "s1.ts"]), (u) => (u === "s1.ts" ? undefined : all(u)), 120, 5);
    expect(r.index.plan?.map((e) => [e.uri, e.src, e.at])).toEqual([["s1.ts", 1, 5]]);
    const r2 = mergeLive(r.index, null, all, 120, 6);
    expect(r2.index.plan).toBeUndefined();
    expect(uris(r2.index)).toEqual(["s0.ts", "s1.ts"]);
  });

  it(`skips a segment still missing ${LIVE_SEGMENT_WAIT_MIN_MS}–${LIVE_SEGMENT_WAIT_MAX_MS} ms (2 target durations) after it was announced; the next one carries a discontinuity`, () => {
    expect(segmentWaitMs(2)).toBe(4000);
    expect(segmentWaitMs(0)).toBe(LIVE_SEGMENT_WAIT_MIN_MS);
    expect(segmentWaitMs(3600)).toBe(LIVE_SEGMENT_WAIT_MAX_MS);
    const stored = (u: string) => (u === "s1.ts" ? undefined : all(u));
    const a = mergeLive(null, pl(["s0.ts", "s1.ts", "s2.ts"], 0, { endList: true }), stored, 120, 0);
    expect(a.waiting).toEqual(["s1.ts", "s2.ts"]);
    expect(a.index.endList).toBe(false);
    expect(mergeLive(a.index, null, stored, 120, 3999).waiting).toEqual(["s1.ts", "s2.ts"]);
    const b = mergeLive(a.index, null, stored, 120, 4000);
    expect(b.skipped).toEqual(["s1.ts"]);
    expect(uris(b.index)).toEqual(["s0.ts", "s2.ts"]);
    expect(b.index.segments[1]!.discontinuity).toBe(true);
    // ENDLIST was held for the missing segment, and is served once it is given up on.
    expect(b.index.endList).toBe(true);
    expect(nextDeadline(b.index)).toBeNull();
  });

  it("an encoder restart (sequence going backwards, new names) starts a discontinuity at once, even while the old run waits", () => {
    // Old run at sequence 5000 waits for a segment that will never come.
    let idx = mergeLive(null, pl(["a5000.ts", "a5001.ts"], 5000), (u) => (u === "a5001.ts" ? undefined : all(u)), 120, 0).index;
    idx = mergeLive(idx, pl(["a5000.ts", "a5001.ts", "a5002.ts"], 5000), (u) => (u === "a5001.ts" ? undefined : all(u)), 120, 100).index;
    expect(uris(idx)).toEqual(["a5000.ts"]);
    // New encoder from 0: joins at once; what was stored of the old run is kept, the hole skipped.
    const r = mergeLive(idx, pl(["b0.ts"], 0), (u) => (u === "a5001.ts" ? undefined : all(u)), 120, 200);
    expect(r.restarted).toBe(true);
    expect(r.skipped).toEqual(["a5001.ts"]);
    expect(uris(r.index)).toEqual(["a5000.ts", "a5002.ts", "b0.ts"]);
    expect(r.index.segments.map((s) => [s.seq, s.discontinuity])).toEqual([
      [5000, false],
      [5001, true],
      [5002, true],
    ]);
    expect(r.waiting).toEqual([]);
    // The new run goes on from there; a late old playlist changes nothing.
    const r2 = mergeLive(r.index, pl(["b0.ts", "b1.ts"], 0), all, 120, 300);
    expect(uris(r2.index).slice(-2)).toEqual(["b0.ts", "b1.ts"]);
    const late = mergeLive(r2.index, pl(["a5000.ts", "a5001.ts", "a5002.ts"], 5000), (u) => (u === "a5001.ts" ? undefined : all(u)), 120, 400);
    expect(late.index).toEqual(r2.index);
    // Not even once the skipped segment is stored after all: that run is over.
    expect(mergeLive(r2.index, pl(["a5000.ts", "a5001.ts", "a5002.ts"], 5000), all, 120, 500).index).toEqual(r2.index);
  });

  it("an encoder restart that reuses names (same URI at another sequence number) is a new run", () => {
    const idx = mergeLive(null, pl(["i0.ts", "i1.ts", "i2.ts"], 0), all, 120).index;
    const r = mergeLive(idx, pl(["i1.ts", "i3.ts"], 7), all, 120);
    expect(r.restarted).toBe(true);
    expect(uris(r.index)).toEqual(["i0.ts", "i1.ts", "i2.ts", "i3.ts"]);
    expect(r.index.segments[3]!.discontinuity).toBe(true);
  });

  it("ignores a playlist of another run with nothing stored (an old one whose segments left the window)", () => {
    const idx = mergeLive(null, pl(["s8.ts", "s9.ts"], 8), all, 120).index;
    const r = mergeLive(idx, pl(["s1.ts", "s2.ts"], 1), () => undefined, 120);
    expect(r.restarted).toBe(false);
    expect(r.index).toEqual(idx);
  });

  it("keeps ENDLIST once accepted: an older playlist arriving later does not remove it", () => {
    const ended = mergeLive(null, pl(["s0.ts", "s1.ts"], 0, { endList: true }), all, 120).index;
    expect(ended.endList).toBe(true);
    const late = mergeLive(ended, pl(["s0.ts"]), all, 120).index;
    expect(late.endList).toBe(true);
    expect(uris(late)).toEqual(["s0.ts", "s1.ts"]);
  });

  it("converges to the same index whatever order 24 playlist and segment events arrive in (500 orders)", () => {
    const n = 12;
    const names = Array.from({ length: n }, (_, i) => `s${i}.ts`);
    // ffmpeg-like playlists with hls_list_size 12 (each lists every segment so far); the last ends the stream.
    const lists = names.map((_, i) => pl(names.slice(0, i + 1), 0, { endList: i === n - 1 }));
    const ref = (() => {
      let idx: LiveIndex | null = null;
      for (const p of lists) idx = mergeLive(idx, p, all, 120).index;
      return idx!;
    })();
    for (let seed = 1; seed <= 500; seed++) {
      const events = shuffle([...lists.map((p) => ({ p })), ...names.map((uri) => ({ uri }))], rng(seed));
      const stored = new Set<string>();
      let idx: LiveIndex | null = null;
      for (const e of events) {
        if ("uri" in e) stored.add(e.uri);
        const r = mergeLive(idx, "p" in e ? e.p : null, (u) => (stored.has(u) ? all(u) : undefined), 120, 0);
        idx = r.index;
        const seqs = idx.segments.map((s) => s.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      }
      expect(uris(idx!), `seed ${seed}`).toEqual(names);
      expect(idx!.endList, `seed ${seed}`).toBe(true);
      expect(idx!.segments.map((s) => s.seq)).toEqual(ref.segments.map((s) => s.seq));
    }
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

  it("reads an index written before plans: its pending playlist becomes the plan, and an ended stream stays ended", () => {
    const idx = mergeLive(null, pl(["a.ts"]), all, 120).index;
    const legacy = { ...idx, segments: idx.segments.map(({ src: _src, ...rest }) => rest), pending: pl(["a.ts", "b.ts"]) };
    const read = parseIndex(JSON.parse(JSON.stringify(legacy)))!;
    expect(uris(mergeLive(read, null, all, 120).index)).toEqual(["a.ts", "b.ts"]);
    const ended = parseIndex(JSON.parse(JSON.stringify({ ...legacy, pending: undefined, endList: true })))!;
    expect(mergeLive(ended, pl(["a.ts"]), all, 120).index.endList).toBe(true);
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
