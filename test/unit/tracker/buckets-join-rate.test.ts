// A shard's own join rate (admission.ts joinGate) and what its refusals do to the region
// (buckets.ts grow with the refusing shard's demand, retryBucket): the bound holds whatever
// the crowd, and the excess opens the buckets it needs on the first refusal.
import { describe, expect, it } from "vitest";
import { admitJoin, joinDemand, newJoinGate } from "../../../worker/tracker/admission";
import { grow, newBook, retryBucket } from "../../../worker/tracker/buckets";
import { JOIN_BURST, JOIN_DEMAND_WINDOW_MS, MAX_JOINS_PER_S_PER_SHARD, MAX_JOINS_PER_SHARD_S, MIN_JOIN_PERIOD_MS } from "../../../worker/tracker/limits";
import { joinDemandOf } from "../../../worker/tracker/routing";

const T0 = 1_000_000;

describe("a shard's join gate", () => {
  it("admits JOIN_BURST at once, then MAX_JOINS_PER_S_PER_SHARD per second, however many ask", () => {
    for (const askedPerS of [100, 1_000, 10_000]) {
      const g = newJoinGate(T0);
      let admitted = 0;
      const seconds = 5;
      for (let i = 0; i < askedPerS * seconds; i++) if (admitJoin(g, T0 + (i * 1000) / askedPerS)) admitted++;
      // The last ask is just under `seconds` in: the tokens earned by then, plus the burst.
      expect(admitted).toBeLessThanOrEqual(JOIN_BURST + MAX_JOINS_PER_S_PER_SHARD * seconds);
      expect(admitted).toBeGreaterThanOrEqual(JOIN_BURST + MAX_JOINS_PER_S_PER_SHARD * seconds - 2);
    }
  });

  it("admits every join of a crowd under the rate", () => {
    const g = newJoinGate(T0);
    const perS = MAX_JOINS_PER_S_PER_SHARD * 0.9;
    for (let i = 0; i < perS * 60; i++) expect(admitJoin(g, T0 + (i * 1000) / perS)).toBe(true);
  });

  it("measures the demand it is asked for, refused joins included, over the current window", () => {
    const g = newJoinGate(T0);
    // 500 asks in the first 100 ms: 5,000 per second, though only JOIN_BURST + 5 got in.
    for (let i = 0; i < 500; i++) admitJoin(g, T0 + i * 0.2);
    expect(joinDemand(g, T0 + MIN_JOIN_PERIOD_MS)).toBeCloseTo(5_000, -1);
    // A new window starts the count again.
    admitJoin(g, T0 + JOIN_DEMAND_WINDOW_MS);
    expect(joinDemand(g, T0 + JOIN_DEMAND_WINDOW_MS + 500)).toBe(2);
  });
});

describe("a refusal's demand", () => {
  it("opens the buckets the demand needs on the first refusal, and one more on each refusal after", () => {
    const book = newBook();
    grow(book, T0, 0, 5_000);
    const need = Math.ceil(5_000 / MAX_JOINS_PER_SHARD_S);
    expect(book.buckets).toBe(need);
    // Each further refusal is one bucket of headroom, not another `need`.
    for (let i = 0; i < 5; i++) grow(book, T0 + i, 0, 5_000);
    expect(book.buckets).toBe(need + 5);
    // A full shard's refusal (no demand) adds one, as before.
    const plain = newBook(3);
    grow(plain, T0);
    expect(plain.buckets).toBe(4);
    // Demand from a bucket that cannot exist, or not a number, is ignored: one more bucket only.
    const odd = newBook(3);
    grow(odd, T0, -1, 5_000);
    grow(odd, T0, 0, Number.NaN);
    expect(odd.buckets).toBe(5);
  });

  it("is read from the refusal's header only when it is a positive number", () => {
    expect(joinDemandOf("5000")).toBe(5000);
    for (const raw of [null, "", "x", "-3", "Infinity"]) expect(joinDemandOf(raw)).toBe(0);
  });
});

describe("the retry", () => {
  it("goes to a random bucket other than the one that refused", () => {
    for (let refused = 0; refused < 5; refused++) {
      const seen = new Set<number>();
      for (let i = 0; i < 200; i++) seen.add(retryBucket(5, refused, () => i / 200));
      expect([...seen].sort()).toEqual([0, 1, 2, 3, 4].filter((b) => b !== refused));
    }
    expect(retryBucket(1, 0, () => 0.5)).toBe(0);
  });
});
