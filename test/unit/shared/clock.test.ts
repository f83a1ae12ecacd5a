// Clocks: the system clock reads wall time; an offset clock runs ahead of its base on demand.
import { describe, expect, it } from "vitest";
import { OffsetClock, systemClock, type Clock } from "../../../shared/clock";

describe("clocks", () => {
  it("the system clock reads wall time", () => {
    const before = Date.now();
    const t = systemClock.now();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it("an offset clock runs ahead by what it is told, never back, and maps its times to the base's", () => {
    let base = 1000;
    const baseClock: Clock = { now: () => base };
    const c = new OffsetClock(baseClock);
    expect(c.now()).toBe(1000);
    expect(c.advance(250)).toBe(1250);
    expect(c.advance(-100)).toBe(1250);
    base = 2000;
    expect(c.now()).toBe(2250);
    expect(c.toWall(5250)).toBe(5000);
  });
});
