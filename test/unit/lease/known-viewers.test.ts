// Viewers a lease object may grant claims to: known from the tracker's sightings for
// WITNESS_TTL_MS after the last one, bounded in number with the longest-unseen dropped first.
import { describe, expect, it } from "vitest";
import { KnownViewers } from "../../../worker/lease/known-viewers";
import { WITNESS_TTL_MS } from "../../../worker/tracker/limits";

describe("KnownViewers", () => {
  it("knows nobody it was not told about", () => {
    expect(new KnownViewers().knows("198.51.100.1", 0)).toBe(false);
  });

  it(`knows a sighted address for WITNESS_TTL_MS (${WITNESS_TTL_MS} ms), and a new sighting extends it`, () => {
    const k = new KnownViewers();
    k.see(["198.51.100.1"], 1000);
    expect(k.knows("198.51.100.1", 1000 + WITNESS_TTL_MS - 1)).toBe(true);
    expect(k.knows("198.51.100.1", 1000 + WITNESS_TTL_MS)).toBe(false);
    k.see(["198.51.100.1"], 2000);
    expect(k.knows("198.51.100.1", 1000 + WITNESS_TTL_MS)).toBe(true);
    expect(k.expiryOf("198.51.100.1")).toBe(2000 + WITNESS_TTL_MS);
  });

  it("drops expired entries on the next sighting and says which", () => {
    const k = new KnownViewers();
    k.see(["a", "b"], 0);
    expect(k.see(["c"], WITNESS_TTL_MS)).toEqual(["a", "b"]);
    expect(k.size).toBe(1);
  });

  it("keeps at most its bound, forgetting the longest-unseen first", () => {
    const k = new KnownViewers(3);
    k.see(["a", "b", "c"], 0);
    k.see(["a"], 10);
    expect(k.see(["d"], 20)).toEqual(["b"]);
    expect(["a", "b", "c", "d"].map((x) => k.knows(x, 20))).toEqual([true, false, true, true]);
  });
});
