import { describe, expect, it } from "vitest";
import { CounterRates, RollingSeries, ratesBetween } from "../../../demo/src/rates";

describe("ratesBetween", () => {
  it("divides counter deltas by elapsed seconds", () => {
    const r = ratesBetween({ at: 1000, counters: { a: 10, b: 0 } }, { at: 3000, counters: { a: 30, b: 5 } });
    expect(r).toEqual({ a: 10, b: 2.5 });
  });
  it("returns null without a previous snapshot or when time did not advance", () => {
    expect(ratesBetween(null, { at: 1, counters: { a: 1 } })).toBeNull();
    expect(ratesBetween({ at: 5, counters: { a: 1 } }, { at: 5, counters: { a: 2 } })).toBeNull();
    expect(ratesBetween({ at: 9, counters: { a: 1 } }, { at: 5, counters: { a: 2 } })).toBeNull();
  });
  it("treats a counter that went down as reset and counts from zero (evicted Durable Object)", () => {
    const r = ratesBetween({ at: 0, counters: { a: 1000 } }, { at: 2000, counters: { a: 40 } });
    expect(r).toEqual({ a: 20 });
  });
  it("gives a counter that just appeared a rate of zero rather than a spike", () => {
    const r = ratesBetween({ at: 0, counters: {} }, { at: 1000, counters: { fresh: 5000 } });
    expect(r).toEqual({ fresh: 0 });
  });
});

describe("RollingSeries", () => {
  it("lays out data as uPlot wants it, x in seconds", () => {
    const s = new RollingSeries(["http", "p2p"], 10);
    s.push(1000, { http: 1, p2p: 2 });
    s.push(2000, { http: 3 });
    expect(s.data()).toEqual([
      [1, 2],
      [1, 3],
      [2, 0],
    ]);
    expect(s.last("http")).toBe(3);
    expect(s.last("nope")).toBeUndefined();
  });
  it("drops the oldest point beyond its capacity so memory stays flat", () => {
    const s = new RollingSeries(["v"], 3);
    for (let i = 0; i < 10; i++) s.push(i * 1000, { v: i });
    expect(s.length).toBe(3);
    expect(s.data()).toEqual([
      [7, 8, 9],
      [7, 8, 9],
    ]);
  });
  it("refuses a capacity that cannot draw a line", () => {
    expect(() => new RollingSeries(["v"], 1)).toThrow(RangeError);
  });
});

describe("CounterRates", () => {
  it("returns null on the first sample and rates after", () => {
    const c = new CounterRates();
    expect(c.sample(0, { x: 0 })).toBeNull();
    expect(c.sample(500, { x: 100 })).toEqual({ x: 200 });
  });
});
