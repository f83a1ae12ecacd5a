// The benches' numeric flags (bench/flags.ts).
import { describe, expect, it } from "vitest";
import { numberFlag } from "../../../bench/flags.ts";

describe("numberFlag", () => {
  it("reads the number after the flag, or the default when the flag is absent", () => {
    expect(numberFlag("rounds", 7, ["node", "b", "--rounds", "3"])).toBe(3);
    expect(numberFlag("rounds", 7, ["node", "b"])).toBe(7);
  });
  it("refuses a missing, non-numeric, zero or negative value, naming the flag", () => {
    for (const v of [[], ["x"], ["0"], ["-2"]]) expect(() => numberFlag("rounds", 7, ["--rounds", ...v])).toThrow(/--rounds/);
  });
});
