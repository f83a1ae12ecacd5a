import { describe, expect, it } from "vitest";
import { SegmentTimeline } from "../../../demo/src/timeline";

describe("SegmentTimeline", () => {
  it("keeps cells in arrival order with increasing sequence numbers", () => {
    const t = new SegmentTimeline(10);
    t.add("http", 100, "a");
    t.add("p2p", 200, "b");
    t.add("rejected", 300, "c");
    expect(t.list().map((c) => [c.seq, c.source])).toEqual([
      [0, "http"],
      [1, "p2p"],
      [2, "rejected"],
    ]);
  });
  it("holds only its window of cells but counts the whole session", () => {
    const t = new SegmentTimeline(2);
    for (let i = 0; i < 5; i++) t.add("p2p", 1, `s${i}`);
    t.add("http", 1, "h");
    expect(t.list().map((c) => c.label)).toEqual(["s4", "h"]);
    expect(t.counts()).toEqual({ http: 1, p2p: 5, rejected: 0 });
    expect(t.summary()).toBe("6 segments: 5 from peers, 1 over HTTP, 0 rejected peer segments.");
  });
  it("strips control characters and caps label length (labels reach aria-labels)", () => {
    const t = new SegmentTimeline();
    const c = t.add("http", -5, "seg\u0000\n" + "x".repeat(500));
    expect(c.label.startsWith("segx")).toBe(true);
    expect(c.label.length).toBe(120);
    expect(c.bytes).toBe(0);
  });
  it("says so when nothing loaded yet", () => {
    expect(new SegmentTimeline().summary()).toBe("No segments loaded yet.");
  });
});
