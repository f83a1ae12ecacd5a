// The window policy as the page, the Node virtual viewer and the simulator run it: windows
// change only when an input does, joining ends after JOIN_SEGMENTS (VOD_JOIN_SEGMENTS), slow HTTP widens the
// live window, and a page with its own windows is never overridden.
import { describe, expect, it } from "vitest";
import { CORE_REVISIT_S, JOIN_SEGMENTS, JOIN_HIGH_DEMAND_MIN_SEGMENTS, VOD_HIGH_DEMAND_SEGMENTS, VOD_JOIN_SEGMENTS } from "../../../../client/limits";
import { liveJoinHighDemand, pageSetsWindows, windowPolicy, windowsFor } from "../../../../client/scheduling/window-policy";

describe("windowPolicy", () => {
  it("decides nothing before the first playlist, then the windows for it", () => {
    const p = windowPolicy();
    expect(p.decide()).toBeUndefined();
    expect(p.onSegmentLoaded("http", "u", 0)).toBeUndefined();
    const p2 = windowPolicy();
    expect(p2.onLevel(2, true)).toEqual(windowsFor(2, true, 0, true));
  });

  it("returns windows only when they change (a live refresh with the same inputs applies nothing)", () => {
    const p = windowPolicy();
    expect(p.onLevel(2, true)).toBeDefined();
    expect(p.onLevel(2, true)).toBeUndefined();
  });

  it("a live viewer joins until JOIN_SEGMENTS segments arrived, then gets the steady windows", () => {
    const p = windowPolicy();
    p.onLevel(2, true);
    for (let i = 1; i < JOIN_SEGMENTS; i++) p.onSegmentLoaded("p2p", `s${i}`, i);
    expect(p.onSegmentLoaded("p2p", "last", 10)).toEqual(windowsFor(2, true, 0, false));
  });

  it("a VOD viewer joins until its steady window's segments and the playing one arrived (VOD_JOIN_SEGMENTS)", () => {
    expect(VOD_JOIN_SEGMENTS).toBe(VOD_HIGH_DEMAND_SEGMENTS + 1);
    const p = windowPolicy();
    p.timing.sample(0.1);
    expect(p.onLevel(2, false)).toEqual(windowsFor(2, false, 0.1, true));
    for (let i = 1; i < VOD_JOIN_SEGMENTS; i++) expect(p.onSegmentLoaded("p2p", `s${i}`, i), `segment ${i}`).toBeUndefined();
    expect(p.onSegmentLoaded("p2p", "last", 10)).toEqual(windowsFor(2, false, 0.1, false));
  });

  it("times the core's HTTP fetches from start to delivery and widens the live window for a slow one", () => {
    const p = windowPolicy();
    p.onLevel(2, true);
    for (let i = 0; i < JOIN_SEGMENTS; i++) p.onSegmentLoaded("p2p", `s${i}`, 0);
    p.onHttpStart("slow", 1_000);
    const w = p.onSegmentLoaded("http", "slow", 2_500);
    expect(w).toEqual(windowsFor(2, true, 1.5, false));
    expect(w!.highDemandTimeWindow).toBeGreaterThan(windowsFor(2, true, 0, false).highDemandTimeWindow);
  });

  it("takes the edge seeder's fetch times too (timing.sample, then decide)", () => {
    const p = windowPolicy();
    p.onLevel(2, true);
    p.timing.sample(2);
    expect(p.decide()).toEqual(windowsFor(2, true, 2, true));
  });

  it("never applies anything when the page set its own windows", () => {
    expect(pageSetsWindows({ highDemandTimeWindow: 5 })).toBe(true);
    expect(pageSetsWindows({ simultaneousHttpDownloads: 1 })).toBe(false);
    const p = windowPolicy(true);
    expect(p.onLevel(2, true)).toBeUndefined();
    expect(p.onSegmentLoaded("http", "u", 0)).toBeUndefined();
  });

  it("runs another rule when given one (benches compare windows)", () => {
    const p = windowPolicy(false, (td, live) => ({ highDemandTimeWindow: live ? td : 0 }));
    expect(p.onLevel(4, true)).toEqual({ highDemandTimeWindow: 4 });
  });
});

describe("liveJoinHighDemand floor", () => {
  it("holds a joiner's second 4 s segment back for peers no less than half a segment before it is due, on the fastest origin", () => {
    expect(JOIN_HIGH_DEMAND_MIN_SEGMENTS).toBe(0.5);
    // 0.14 s fetches (the simulator's 20 Mbit/s tier): one revisit + twice the fetch is 1.28 s,
    // 1.5 s rounded; the floor makes it 2 s, so a fetch that starts a whole revisit late
    // still has 2 − 1 − 0.14 = 0.86 s for a slow first byte (it had 0.36 s).
    expect(liveJoinHighDemand(4, 0.14)).toBe(2);
    expect(liveJoinHighDemand(4, 0.14) - CORE_REVISIT_S - 0.14).toBeGreaterThan(0.8);
    // Slower fetches already give more than the floor; it is still held back for peers.
    expect(liveJoinHighDemand(4, 0.56)).toBe(2.5);
    expect(liveJoinHighDemand(4, 0.56)).toBeLessThan(4);
  });

  it("leaves 2 s segments their 1.5 s window (the floor is 1 s there)", () => {
    expect(liveJoinHighDemand(2, 0.05)).toBe(1.5);
    expect(windowsFor(2, true, 0.1, true).highDemandTimeWindow).toBe(1.5);
  });
});
