// The shared token bucket: refill up to the burst, take only what is there, no refill backwards.
import { describe, expect, it } from "vitest";
import { fullBucket, refill, take } from "../../worker/token-bucket";

describe("token bucket", () => {
  it("takes up to the burst at once, then the rate per second", () => {
    const b = fullBucket(3, 0);
    expect([take(b, 0, 3, 2), take(b, 0, 3, 2), take(b, 0, 3, 2), take(b, 0, 3, 2)]).toEqual([true, true, true, false]);
    expect([take(b, 500, 3, 2), take(b, 500, 3, 2)]).toEqual([true, false]);
  });

  it("never holds more than the burst, and takes nothing when short of the cost", () => {
    const b = fullBucket(3, 0);
    refill(b, 60_000, 3, 2);
    expect(b.tokens).toBe(3);
    expect(take(b, 60_000, 3, 2, 4)).toBe(false);
    expect(b.tokens).toBe(3);
  });

  it("earns nothing when the clock goes back", () => {
    const b = { tokens: 0, at: 10_000 };
    refill(b, 5_000, 3, 2);
    expect(b).toEqual({ tokens: 0, at: 10_000 });
  });
});
