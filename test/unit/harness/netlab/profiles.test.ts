// Profile plans (caps per viewer, reachability), profile names from the command line, and
// the tbf bucket rule. Pure: no namespaces are made here (test/integration/harness/netlab.test.ts does that).
import { describe, expect, it } from "vitest";
import { PROFILES, parseProfile, planProfile, tbfBurstBytes, type LinkCaps } from "../../../../harness/netlab/profiles.ts";
import { BURST_FLOOR_BYTES, MAX_VIEWERS } from "../../../../harness/netlab/limits.ts";

const LAN: LinkCaps = { upKbit: 100_000, downKbit: 100_000 };
const CABLE: LinkCaps = { upKbit: 3_000, downKbit: 50_000 };
const DSL: LinkCaps = { upKbit: 1_000, downKbit: 10_000 };

describe("planProfile", () => {
  it("gives every viewer the same caps on lan (100/100 Mbit/s), cable (3/50) and dsl (1/10), all reachable", () => {
    expect(planProfile("lan", 3)).toEqual({ caps: [LAN, LAN, LAN], isolated: false });
    expect(planProfile("cable", 2)).toEqual({ caps: [CABLE, CABLE], isolated: false });
    expect(planProfile("dsl", 1)).toEqual({ caps: [DSL], isolated: false });
  });

  it("puts viewer 0 of mixed on the weakest uplink and spreads the three tiers round-robin", () => {
    const { caps, isolated } = planProfile("mixed", 7);
    expect(isolated).toBe(false);
    expect(caps).toEqual([DSL, CABLE, LAN, DSL, CABLE, LAN, DSL]);
    expect(caps[0]!.upKbit).toBe(Math.min(...caps.map((c) => c.upKbit)));
  });

  it("uses all three tiers in mixed as soon as there are three viewers", () => {
    const ups = new Set(planProfile("mixed", 3).caps.map((c) => c.upKbit));
    expect(ups.size).toBe(3);
  });

  it("isolates viewers on blocked while giving them cable caps", () => {
    expect(planProfile("blocked", 2)).toEqual({ caps: [CABLE, CABLE], isolated: true });
  });

  it("hands out separate caps objects, so one viewer's edit never changes another's", () => {
    const { caps } = planProfile("cable", 2);
    caps[0]!.upKbit = 1;
    expect(caps[1]!.upKbit).toBe(3_000);
    expect(planProfile("cable", 1).caps[0]!.upKbit).toBe(3_000);
  });

  it("refuses viewer counts that are not whole, below one, or beyond what a /24 holds", () => {
    for (const n of [0, -1, 1.5, Number.NaN, MAX_VIEWERS + 1]) expect(() => planProfile("lan", n)).toThrow(RangeError);
    expect(planProfile("lan", MAX_VIEWERS).caps).toHaveLength(MAX_VIEWERS);
  });

  it("refuses a profile name that is not one of PROFILES", () => {
    expect(() => planProfile("wifi" as never, 1)).toThrow(RangeError);
  });
});

describe("parseProfile", () => {
  it("accepts every listed profile name", () => {
    for (const p of PROFILES) expect(parseProfile(p)).toBe(p);
    expect(PROFILES).toEqual(["lan", "cable", "dsl", "mixed", "blocked", "weak-first"]);
  });

  it("returns undefined for unknown, differently cased, padded or prototype names", () => {
    for (const s of ["", "wifi", "LAN", " lan", "cable ", "constructor", "__proto__", "toString"]) {
      expect(parseProfile(s)).toBeUndefined();
    }
  });
});

describe("tbfBurstBytes", () => {
  it("holds one 100 Hz timer tick of traffic at high rates, so 100 Mbit/s is reachable", () => {
    // 100 Mbit/s = 12.5 MB/s; a 10 ms tick of that is 125,000 bytes.
    expect(tbfBurstBytes(100_000)).toBe(125_000);
    expect(tbfBurstBytes(50_000)).toBe(62_500);
  });

  it("never goes below the 32 KiB floor at low rates", () => {
    for (const kbit of [1, 300, 1_000, 3_000, 10_000]) expect(tbfBurstBytes(kbit)).toBe(BURST_FLOOR_BYTES);
    expect(BURST_FLOOR_BYTES).toBe(32 * 1024);
  });

  it("is at least rate/100 for every rate a profile uses", () => {
    for (const p of PROFILES) {
      for (const c of planProfile(p, 3).caps) {
        for (const kbit of [c.upKbit, c.downKbit]) expect(tbfBurstBytes(kbit)).toBeGreaterThanOrEqual((kbit * 1000) / 8 / 100);
      }
    }
  });

  it("refuses a rate that is not positive", () => {
    for (const r of [0, -5, Number.NaN, Infinity]) expect(() => tbfBurstBytes(r)).toThrow(RangeError);
  });
});

describe("weak-first", () => {
  it("puts the first viewer on a 0.3 Mbit/s uplink and everyone else on cable", () => {
    const { caps, isolated } = planProfile("weak-first", 4);
    expect(caps[0]).toEqual({ upKbit: 300, downKbit: 50_000 });
    expect(caps.slice(1)).toEqual([1, 2, 3].map(() => ({ upKbit: 3_000, downKbit: 50_000 })));
    expect(isolated).toBe(false);
  });
});
