import { describe, expect, it } from "vitest";
import { EventQueue } from "../../../sim/events";

describe("sim event queue", () => {
  it("runs events in time order whatever order they were scheduled in", () => {
    const q = new EventQueue();
    const seen: number[] = [];
    for (const t of [5, 1, 4, 2, 3, 0.5, 10, 7]) q.at(t, () => seen.push(t));
    q.run();
    expect(seen).toEqual([0.5, 1, 2, 3, 4, 5, 7, 10]);
  });

  it("runs events at the same time in the order they were scheduled", () => {
    const q = new EventQueue();
    const seen: string[] = [];
    q.at(2, () => seen.push("a"));
    q.at(1, () => seen.push("first"));
    q.at(2, () => seen.push("b"));
    q.at(2, () => seen.push("c"));
    q.run();
    expect(seen).toEqual(["first", "a", "b", "c"]);
  });

  it("sets now to each event's time and lets events schedule later ones", () => {
    const q = new EventQueue();
    const times: number[] = [];
    q.at(1, () => {
      times.push(q.now);
      q.after(2.5, () => times.push(q.now));
      q.after(0, () => times.push(q.now));
    });
    q.run();
    expect(times).toEqual([1, 1, 3.5]);
  });

  it("skips a cancelled event and counts only the ones that ran", () => {
    const q = new EventQueue();
    const seen: number[] = [];
    const h = q.at(2, () => seen.push(2));
    q.at(1, () => q.cancel(h));
    q.at(3, () => seen.push(3));
    q.run();
    expect(seen).toEqual([3]);
    expect(q.fired).toBe(2);
  });

  it("stops at `until`, leaving later events queued", () => {
    const q = new EventQueue();
    const seen: number[] = [];
    q.at(1, () => seen.push(1));
    q.at(6, () => seen.push(6));
    q.run(5);
    expect(seen).toEqual([1]);
    expect(q.now).toBe(5);
    q.run();
    expect(seen).toEqual([1, 6]);
  });

  it("keeps order over many random times (heap property)", () => {
    const q = new EventQueue();
    const seen: number[] = [];
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const t = x % 1000;
      q.at(t, () => seen.push(t));
    }
    q.run();
    expect(seen.length).toBe(2000);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
  });
});
