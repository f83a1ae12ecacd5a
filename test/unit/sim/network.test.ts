import { describe, expect, it } from "vitest";
import { EventQueue } from "../../../sim/events";
import { fairShares, MBIT, transferSeconds, Uplink, UPLINK_MIX } from "../../../sim/network";

const SEG = 1.5e6; // 4 s at 3 Mbit/s

describe("sim network", () => {
  it("moves a 1.5 MB segment over 5 Mbit/s in 2.4 s, plus latency", () => {
    expect(transferSeconds(SEG, 5 * MBIT)).toBeCloseTo(2.4, 9);
    expect(transferSeconds(SEG, 5 * MBIT, 0.05)).toBeCloseTo(2.45, 9);
  });

  it("splits an uplink fairly, giving what a capped transfer cannot use to the others", () => {
    expect(fairShares(10, [100, 100])).toEqual([5, 5]);
    expect(fairShares(10, [2, 100, 100])).toEqual([2, 4, 4]);
    expect(fairShares(10, [1, 1])).toEqual([1, 1]);
  });

  it("serves one upload at the full uplink, capped by the connection", () => {
    const q = new EventQueue();
    const up = new Uplink(q, 5 * MBIT, 1);
    let doneAt = -1;
    up.start(SEG, 10 * MBIT, () => (doneAt = q.now));
    expect(up.busy).toBe(true);
    expect(up.start(SEG, 10 * MBIT, () => {})).toBeUndefined();
    q.run();
    expect(doneAt).toBeCloseTo(2.4, 9);
    const capped = new Uplink(q, 100 * MBIT, 1);
    const t0 = q.now;
    capped.start(SEG, 10 * MBIT, () => (doneAt = q.now - t0));
    q.run();
    expect(doneAt).toBeCloseTo(1.2, 9);
  });

  it("shares the uplink among parallel uploads and speeds the rest up when one ends", () => {
    const q = new EventQueue();
    const up = new Uplink(q, 5 * MBIT, Infinity);
    const done: Record<string, number> = {};
    up.start(SEG, Infinity, () => (done.a = q.now));
    q.at(1.2, () => up.start(SEG / 4, Infinity, () => (done.b = q.now)));
    q.run();
    // a alone for 1.2 s (half sent), then both at 2.5 Mbit/s: b's 375 kB takes 1.2 s,
    // a has 375 kB left at 2.4 s, alone again at 5 Mbit/s: 0.6 s more.
    expect(done.b).toBeCloseTo(2.4, 9);
    expect(done.a).toBeCloseTo(3.0, 9);
    const t = up.take();
    expect(t.bytes).toBeCloseTo(SEG * 1.25, 3);
    expect(t.busyS).toBeCloseTo(3.0, 9);
  });

  it("tells each finished upload how many ran at its start and end, and sums whole uploads for the rate report", () => {
    const q = new EventQueue();
    const up = new Uplink(q, 5 * MBIT, Infinity);
    const seen: Record<string, [number, number]> = {};
    up.start(SEG, Infinity, (u) => (seen.a = [u.nStart, u.nEnd]));
    q.at(1.2, () => up.start(SEG / 4, Infinity, (u) => (seen.b = [u.nStart, u.nEnd])));
    q.run();
    // As in the test above: b (2 at its start, 2 at its end) is done at 2.4 s after 1.2 s,
    // a (alone at both) at 3.0 s: the store's count misses that b ran beside it.
    expect(seen).toEqual({ a: [1, 1], b: [2, 2] });
    const t = up.take();
    expect(t.doneBytes).toBeCloseTo(SEG * 1.25, 3);
    expect(t.doneS).toBeCloseTo(3.0 + 1.2, 9);
    expect(up.take().doneBytes).toBe(0);
  });

  it("takes a new number of upload slots from its owner between uploads", () => {
    const q = new EventQueue();
    const up = new Uplink(q, 100 * MBIT, 1);
    up.start(SEG, 10 * MBIT, () => {});
    expect(up.start(SEG, 10 * MBIT, () => {})).toBeUndefined();
    up.maxParallel = 2;
    expect(up.start(SEG, 10 * MBIT, () => {})).toBeDefined();
    expect(up.busy).toBe(true);
  });

  it("stops an aborted upload and frees its slot", () => {
    const q = new EventQueue();
    const up = new Uplink(q, 5 * MBIT, 1);
    let finished = false;
    const u = up.start(SEG, Infinity, () => (finished = true))!;
    q.at(1, () => up.abort(u));
    q.run();
    expect(finished).toBe(false);
    expect(up.busy).toBe(false);
    expect(up.take().bytes).toBeCloseTo(5 * MBIT, 3);
  });

  it("uses the issue's uplink mix", () => {
    expect(UPLINK_MIX.map((t) => [t.share, t.upBps / MBIT, t.downBps / MBIT])).toEqual([
      [0.2, 1, 25],
      [0.5, 5, 50],
      [0.25, 20, 200],
      [0.05, 100, 1000],
    ]);
  });
});
