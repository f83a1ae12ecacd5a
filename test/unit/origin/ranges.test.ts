// parseRange: single ranges, suffix, open, clamping, unsatisfiable, malformed → ignored.
import { describe, expect, it } from "vitest";
import { parseRange } from "../../../worker/origin/ranges";

describe("parseRange", () => {
  const size = 100;
  const cases: [string | null, ReturnType<typeof parseRange>][] = [
    [null, { kind: "full" }],
    ["bytes=0-0", { kind: "partial", start: 0, end: 0 }],
    ["bytes=99-99", { kind: "partial", start: 99, end: 99 }],
    ["bytes=10-", { kind: "partial", start: 10, end: 99 }],
    ["bytes=-10", { kind: "partial", start: 90, end: 99 }],
    ["bytes=-1000", { kind: "partial", start: 0, end: 99 }],
    ["bytes=50-5000", { kind: "partial", start: 50, end: 99 }],
    ["BYTES = 1 - 2", { kind: "partial", start: 1, end: 2 }],
    ["bytes=100-", { kind: "unsatisfiable" }],
    ["bytes=100-200", { kind: "unsatisfiable" }],
    ["bytes=-0", { kind: "unsatisfiable" }],
    ["bytes=5-2", { kind: "full" }],
    ["bytes=0-1,3-4", { kind: "full" }],
    ["bytes=", { kind: "full" }],
    ["bytes=-", { kind: "full" }],
    ["bytes=a-b", { kind: "full" }],
    ["items=0-1", { kind: "full" }],
    ["bytes=99999999999999999999-", { kind: "unsatisfiable" }],
  ];
  for (const [h, want] of cases) {
    it(`${JSON.stringify(h)} on 100 bytes → ${want.kind}${want.kind === "partial" ? ` ${want.start}-${want.end}` : ""}`, () => {
      expect(parseRange(h, size)).toEqual(want);
    });
  }
  it("treats any range on an empty resource as unsatisfiable", () => {
    expect(parseRange("bytes=0-", 0)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=-5", 0)).toEqual({ kind: "unsatisfiable" });
  });
});
