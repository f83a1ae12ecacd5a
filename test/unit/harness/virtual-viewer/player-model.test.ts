// The pure player model behind virtual viewers: buffer settings as hls.js ends up with them
// under p2p-media-loader-hlsjs, live start point, playhead, stalls and startup.
import { describe, expect, it } from "vitest";
import {
  advance,
  appendSegment,
  bufferAhead,
  createPlayer,
  effectiveBufferSettings,
  finish,
  startPoint,
  wantsNextSegment,
} from "../../../../harness/virtual-viewer/player-model.ts";

const segs = (n: number, d = 2, from = 0) => Array.from({ length: n }, (_, i) => ({ start: from + i * d, end: from + (i + 1) * d }));

describe("effectiveBufferSettings", () => {
  it("lowers maxBufferLength to max(2 × target duration, highDemandTimeWindow) when the page left it unset", () => {
    expect(effectiveBufferSettings({}, { highDemandTimeWindow: 15, targetDuration: 2, fragmentCount: 6, live: false }).maxBufferLength).toBe(15);
    expect(effectiveBufferSettings({}, { highDemandTimeWindow: 2, targetDuration: 2, fragmentCount: 6, live: false }).maxBufferLength).toBe(4);
  });

  it("moves a live start back to fragments − 1 when the page left liveSyncDurationCount unset", () => {
    const s = effectiveBufferSettings({}, { highDemandTimeWindow: 15, targetDuration: 2, fragmentCount: 6, live: true });
    expect(s.liveSyncDurationCount).toBe(5);
  });

  it("caps that live start at 120 s of media", () => {
    const s = effectiveBufferSettings({}, { highDemandTimeWindow: 15, targetDuration: 10, fragmentCount: 60, live: true });
    expect(s.liveSyncDurationCount).toBe(12);
  });

  it("keeps what the page set and hls.js defaults for short playlists", () => {
    expect(
      effectiveBufferSettings({ maxBufferLength: 40, liveSyncDurationCount: 2 }, { highDemandTimeWindow: 2, targetDuration: 2, fragmentCount: 6, live: true }),
    ).toEqual({ maxBufferLength: 40, liveSyncDurationCount: 2 });
    expect(effectiveBufferSettings({}, { highDemandTimeWindow: 2, targetDuration: 2, fragmentCount: 4, live: true })).toEqual({
      maxBufferLength: 30,
      liveSyncDurationCount: 3,
    });
  });
});

describe("startPoint", () => {
  it("starts VOD at the first segment", () => {
    expect(startPoint(segs(10), false, 2, 3)).toEqual({ index: 0, position: 0 });
  });

  it("starts VOD at hls.js's startPosition, inside the segment that holds it, clamped into the video", () => {
    expect(startPoint(segs(10), false, 2, 3, 7)).toEqual({ index: 3, position: 7 });
    expect(startPoint(segs(10), false, 2, 3, -5)).toEqual({ index: 0, position: 0 });
    expect(startPoint(segs(10), false, 2, 3, 500)).toEqual({ index: 9, position: 18 });
    // Live ignores it: the live sync position decides.
    expect(startPoint(segs(6, 2, 100), true, 2, 3, 0)).toEqual({ index: 3, position: 106 });
  });

  it("starts live liveSyncDurationCount target durations behind the edge", () => {
    // window 100..112 s, 3 × 2 s behind the end = 106 s, inside segment 3 (106–108).
    expect(startPoint(segs(6, 2, 100), true, 2, 3)).toEqual({ index: 3, position: 106 });
  });

  it("clamps a live start that would fall before the window to its first segment", () => {
    expect(startPoint(segs(3, 2, 50), true, 2, 10)).toEqual({ index: 0, position: 50 });
  });

  it("refuses an empty playlist", () => {
    expect(() => startPoint([], true, 2, 3)).toThrow(/at least one segment/);
  });
});

describe("playhead and stalls", () => {
  it("records startup as join → first segment buffered, and starts at the start position", () => {
    const p = createPlayer(1000, 107);
    appendSegment(p, { start: 106, end: 108 }, 1250);
    expect(p.startupMs).toBe(250);
    expect(p.position).toBe(107);
    expect(bufferAhead(p)).toBe(1);
    expect(p.phase).toBe("playing");
  });

  it("does not move the playhead before startup", () => {
    const p = createPlayer(0, 0);
    advance(p, 5000);
    expect(p.position).toBe(0);
    expect(p.stalls).toBe(0);
  });

  it("advances at the playback rate while buffer remains", () => {
    const p = createPlayer(0, 0);
    appendSegment(p, { start: 0, end: 2 }, 0);
    appendSegment(p, { start: 2, end: 4 }, 0);
    advance(p, 1500, 2);
    expect(p.position).toBeCloseTo(3);
    expect(p.phase).toBe("playing");
  });

  it("counts one stall from the moment the buffer ran dry until the next append", () => {
    const p = createPlayer(0, 0);
    appendSegment(p, { start: 0, end: 2 }, 0);
    advance(p, 2500); // ran dry at 2000 ms
    expect(p.phase).toBe("stalled");
    expect(p.stalls).toBe(1);
    advance(p, 3000); // still stalled: not a second stall
    expect(p.stalls).toBe(1);
    appendSegment(p, { start: 2, end: 4 }, 3200);
    expect(p.phase).toBe("playing");
    expect(p.stallMs).toBe(1200);
    expect(p.stallLog).toEqual([2000]);
  });

  it("ends a VOD at the end of its timeline without calling it a stall", () => {
    const p = createPlayer(0, 0);
    appendSegment(p, { start: 0, end: 2 }, 0);
    advance(p, 3000, 1, 2);
    expect(p.phase).toBe("ended");
    expect(p.stalls).toBe(0);
    expect(wantsNextSegment(p, 30)).toBe(false);
  });

  it("asks for the next segment only while the forward buffer is under maxBufferLength", () => {
    const p = createPlayer(0, 0);
    appendSegment(p, { start: 0, end: 2 }, 0);
    appendSegment(p, { start: 2, end: 4 }, 0);
    expect(wantsNextSegment(p, 4)).toBe(false);
    advance(p, 100);
    expect(wantsNextSegment(p, 4)).toBe(true);
  });

  it("closes a stall still going at the end of the run", () => {
    const p = createPlayer(0, 0);
    appendSegment(p, { start: 0, end: 2 }, 0);
    finish(p, 5000);
    expect(p.stalls).toBe(1);
    expect(p.stallMs).toBe(3000);
  });
});
