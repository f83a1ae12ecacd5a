// The simulator's router runs the Worker's path (connect.ts over buckets.ts and the shard's
// join gate, admission.ts): a crowd nobody announced cannot put more joins on one shard in a
// second than the shard admits, every refusal costs the refusing shard a request, and the
// excess lands on other buckets at once.
import { describe, expect, it } from "vitest";
import { ObjectLoad } from "../../../sim/objects";
import { newRouteStats, route } from "../../../sim/run";
import type { ViewerSpec } from "../../../sim/viewer";
import { JOIN_BURST, MAX_JOINS_PER_S_PER_SHARD } from "../../../worker/tracker/limits";

/** `n` viewers arriving evenly at `perS` joins per second, staying 10 minutes. */
function crowd(n: number, perS: number): ViewerSpec[] {
  return Array.from({ length: n }, (_, i) => ({ id: i, key: i + 1, joinS: i / perS, leaveS: 600, upBps: 1e6, downBps: 1e7 }));
}

describe("routing a crowd", () => {
  it("admits at most JOIN_BURST + MAX_JOINS_PER_S_PER_SHARD joins per shard per second at 5,000 joins/s, and places every viewer", () => {
    const specs = crowd(10_000, 5_000);
    const load = new ObjectLoad(700);
    const stats = newRouteStats();
    const shards = route(specs, load, 1, 0, stats);
    let placed = 0;
    for (const viewers of shards.values()) {
      placed += viewers.length;
      const perSecond = new Map<number, number>();
      for (const v of viewers) {
        const s = Math.floor(v.socketS ?? v.joinS);
        perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
      }
      for (const n of perSecond.values()) expect(n).toBeLessThanOrEqual(JOIN_BURST + MAX_JOINS_PER_S_PER_SHARD);
    }
    expect(placed).toBe(specs.length);
    // The excess was refused (each a request on its shard), and the region opened the buckets it needs.
    expect(stats.refused).toBeGreaterThan(0);
    expect(load.totals.refusals).toBe(stats.refused);
    expect(shards.size).toBeGreaterThanOrEqual(5_000 / MAX_JOINS_PER_S_PER_SHARD);
    // Joins refused twice wait for the client's next probe; few, and each placed later.
    expect(stats.failed).toBeLessThan(specs.length / 100);
  });

  it("refuses nothing for a crowd one shard can take", () => {
    const stats = newRouteStats();
    const shards = route(crowd(500, MAX_JOINS_PER_S_PER_SHARD / 2), new ObjectLoad(700), 1, 0, stats);
    expect(stats.refused).toBe(0);
    expect(shards.size).toBe(1);
  });
});
