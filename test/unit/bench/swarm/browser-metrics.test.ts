// The browser mode's pure pieces: the stall clock fed by <video> events, the pinned
// rendition, a page's record turned into ViewerStats (hostile shapes included), and the
// embedding of config in a page.
import { describe, expect, it } from "vitest";
import {
  inlineJson,
  isShort,
  jsonCore,
  LAG_NOTE_MS,
  MAX_PROBLEMS,
  newStallState,
  onPlaying,
  onSample,
  onWaiting,
  pickLevel,
  STALL_MIN_MS,
  stallSnapshot,
  toViewerStats,
  viewerPageHtml,
} from "../../../../bench/swarm/browser-metrics.ts";

describe("stall clock", () => {
  it("ignores 'waiting' before the first 'playing' (that is startup, not a stall)", () => {
    const s = newStallState();
    onWaiting(s, 100, 1_000);
    onPlaying(s, 5_000);
    expect(stallSnapshot(s, 6_000)).toEqual({ stalls: 0, stallMs: 0, stallLog: [], blips: 0 });
  });

  it("counts a 'waiting' after playback began until the next 'playing', logging its wall-clock start", () => {
    const s = newStallState();
    onPlaying(s, 0);
    onWaiting(s, 1_000, 50_000);
    onPlaying(s, 1_800);
    expect(stallSnapshot(s, 2_000)).toEqual({ stalls: 1, stallMs: 800, stallLog: [50_000], blips: 0 });
  });

  it(`counts a rebuffer shorter than ${STALL_MIN_MS} ms as a blip, not a stall`, () => {
    const s = newStallState();
    onPlaying(s, 0);
    onWaiting(s, 1_000, 1);
    onPlaying(s, 1_000 + STALL_MIN_MS - 1);
    expect(stallSnapshot(s, 5_000)).toMatchObject({ stalls: 0, stallMs: 0, blips: 1 });
  });

  it("keeps the start of a stall when 'waiting' fires again before 'playing'", () => {
    const s = newStallState();
    onPlaying(s, 0);
    onWaiting(s, 1_000, 7);
    onWaiting(s, 1_500, 8);
    onPlaying(s, 2_000);
    expect(stallSnapshot(s, 2_000)).toMatchObject({ stalls: 1, stallMs: 1_000, stallLog: [7] });
  });

  it("counts a stall that fired no 'waiting' (a seek into a hole) from the periodic samples", () => {
    const s = newStallState();
    onPlaying(s, 0);
    onSample(s, 250, 1, false);
    onSample(s, 500, 42, true);
    onSample(s, 750, 43, true);
    onSample(s, 1_500, 44, false);
    expect(stallSnapshot(s, 2_000)).toEqual({ stalls: 1, stallMs: 1_000, stallLog: [42], blips: 0 });
  });

  it("ignores short samples before playback first started", () => {
    const s = newStallState();
    onSample(s, 100, 1, true);
    onSample(s, 900, 2, false);
    expect(stallSnapshot(s, 1_000)).toEqual({ stalls: 0, stallMs: 0, stallLog: [], blips: 0 });
  });

  it("counts a stall still open at read time without closing it", () => {
    const s = newStallState();
    onPlaying(s, 0);
    onWaiting(s, 1_000, 9);
    expect(stallSnapshot(s, 4_000)).toMatchObject({ stalls: 1, stallMs: 3_000, stallLog: [9] });
    onPlaying(s, 5_000);
    expect(stallSnapshot(s, 6_000)).toMatchObject({ stalls: 1, stallMs: 4_000 });
  });
});

describe("short-of-media sample", () => {
  const playing = { paused: false, ended: false, readyState: 4, seeking: false, currentTime: 10 };

  it("is false for a video whose clock moves with data ahead", () => {
    expect(isShort(playing, 9.75)).toBe(false);
  });

  it("is true below HAVE_FUTURE_DATA, while seeking, or with the playhead frozen since the last sample", () => {
    expect(isShort({ ...playing, readyState: 2 }, 9.75)).toBe(true);
    expect(isShort({ ...playing, seeking: true }, 9.75)).toBe(true);
    expect(isShort(playing, 10)).toBe(true);
  });

  it("is false when paused or ended, whatever the buffer", () => {
    expect(isShort({ ...playing, paused: true, readyState: 1 }, 10)).toBe(false);
    expect(isShort({ ...playing, ended: true, readyState: 1 }, 10)).toBe(false);
  });
});

describe("pinned rendition", () => {
  it("picks the highest or lowest bitrate whatever the order of the levels", () => {
    expect(pickLevel([800_000, 264_000, 1_600_000], "highest")).toBe(2);
    expect(pickLevel([800_000, 264_000, 1_600_000], "lowest")).toBe(1);
  });

  it("takes an index only when it names a level", () => {
    expect(pickLevel([1, 2], 1)).toBe(1);
    expect(pickLevel([1, 2], 2)).toBeUndefined();
    expect(pickLevel([1, 2], -1)).toBeUndefined();
    expect(pickLevel([1, 2], 0.5)).toBeUndefined();
  });

  it("has no answer without levels", () => {
    expect(pickLevel([], "highest")).toBeUndefined();
  });
});

describe("page record → ViewerStats", () => {
  const rec = {
    startupMs: 1234.6,
    stalls: 1,
    stallMs: 400,
    stallLog: [5],
    blips: 2,
    neededBytes: 4_000,
    segmentsBuffered: 4,
    bufferedSeconds: 8,
    pinnedLevel: 2,
    bufferedLevels: [2],
    p2pBytes: 3_000,
    httpBytesSeen: 1_000,
    uploadedBytes: 500,
    peersNow: 1,
    peakPeers: 3,
    peersConnected: 4,
    integrityRejects: 1,
    segmentErrors: 0,
    liveJumps: 0,
    playedSeconds: 6,
    maxLagMs: 40,
    droppedFrames: 0,
    totalFrames: 150,
    problems: [],
  };

  it("carries the counts over and derives the rendition's bytes per second", () => {
    const s = toViewerStats("edgeswarm-01", rec);
    expect(s).toMatchObject({
      id: "edgeswarm-01",
      startupMs: 1235,
      stalls: 1,
      stallMs: 400,
      neededBytes: 4_000,
      p2pBytes: 3_000,
      peakPeers: 3,
      integrityRejects: 1,
      bytesPerSecond: 500,
      corruptPlayed: 0,
    });
    expect(s.problems).toEqual([]);
  });

  it("reports a rendition that did not hold", () => {
    const s = toViewerStats("v", { ...rec, bufferedLevels: [2, 0] });
    expect(s.problems.join()).toMatch(/rendition did not hold: pinned level 2, buffered from levels 2,0/);
  });

  it("flags a need that does not cover what the video played", () => {
    expect(toViewerStats("v", { ...rec, playedSeconds: 12 }).problems.join()).toMatch(/need undercounted\? played 12\.0 s > buffered 8\.0 s/);
  });

  it(`notes a page starved of CPU (heartbeat more than ${LAG_NOTE_MS} ms late) and dropped frames`, () => {
    const p = toViewerStats("v", { ...rec, maxLagMs: 2_400, droppedFrames: 7 }).problems.join("|");
    expect(p).toMatch(/heartbeat up to 2400 ms late/);
    expect(p).toMatch(/dropped 7 of 150 frames/);
  });

  it("turns an unreadable page into zeros plus the driver's note, not a crash", () => {
    const s = toViewerStats("v", undefined, ["page unreadable at stop: timeout"]);
    expect(s).toMatchObject({ neededBytes: 0, stalls: 0, startupMs: undefined, bytesPerSecond: 0 });
    expect(s.problems).toEqual(["page unreadable at stop: timeout"]);
  });

  it("refuses hostile values: negative, NaN, strings and non-arrays count as nothing", () => {
    const s = toViewerStats("v", { ...rec, neededBytes: -5, p2pBytes: Number.NaN, stalls: "3" as never, stallLog: "x" as never, startupMs: Infinity });
    expect(s).toMatchObject({ neededBytes: 0, p2pBytes: 0, stalls: 0, stallLog: [], startupMs: undefined });
  });

  it("bounds the problem list", () => {
    const s = toViewerStats("v", { ...rec, problems: Array.from({ length: 50 }, (_, i) => `p${i}`) });
    expect(s.problems).toHaveLength(MAX_PROBLEMS);
  });
});

describe("page embedding", () => {
  it("cannot close the inline script from inside the config", () => {
    const out = inlineJson({ src: "</script><script>alert(1)</script>", x: "\u2028" });
    expect(out).not.toMatch(/<\/script>/i);
    expect(out).not.toContain("\u2028");
    expect(JSON.parse(out)).toEqual({ src: "</script><script>alert(1)</script>", x: "\u2028" });
  });

  it("lists the scripts in order and keeps the client from auto-attaching", () => {
    const html = viewerPageHtml({ a: 1 }, ["/edgeswarm.js", "/__bench/edgeswarm-page.js"]);
    expect(html.indexOf("window.__benchConfig")).toBeLessThan(html.indexOf('src="/edgeswarm.js" data-auto="off"'));
    expect(html.indexOf("/edgeswarm.js")).toBeLessThan(html.indexOf("/__bench/edgeswarm-page.js"));
  });

  it("refuses a script path that could break out of the attribute", () => {
    expect(() => viewerPageHtml({}, ['/x.js" onload="alert(1)'])).toThrow(/bad script path/);
  });

  it("passes a core config of plain values and names the hooks that cannot cross into a page", () => {
    expect(jsonCore({ highDemandTimeWindow: 2, announceTrackers: ["ws://x"], skip: undefined })).toEqual({
      core: { highDemandTimeWindow: 2, announceTrackers: ["ws://x"] },
      dropped: [],
    });
    expect(jsonCore({ validateP2PSegment: () => true, p2pDownloadTimeWindow: 30 }).dropped).toEqual(["validateP2PSegment"]);
  });
});
