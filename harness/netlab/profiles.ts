// Network profiles for the lab: which caps each viewer's link gets and whether viewers can
// reach each other, plus the tbf bucket rule. Pure: it runs no commands and touches no
// interfaces (lab.ts applies the plan). The numbers themselves live in limits.ts.
import { BURST_FLOOR_BYTES, BURST_TICK_HZ, MAX_VIEWERS, RATES } from "./limits.ts";

export type ProfileName = "lan" | "cable" | "dsl" | "mixed" | "blocked" | "weak-first";
export const PROFILES: readonly ProfileName[] = Object.freeze(["lan", "cable", "dsl", "mixed", "blocked", "weak-first"] as const);

export interface LinkCaps {
  upKbit: number;
  downKbit: number;
}

type Tier = keyof typeof RATES;
// Weakest uplink first: mixed gives viewer 0 the first entry, so the viewer that joins first
// (and must seed everyone after it) has the slowest way out, which is the hard case.
const MIXED_ORDER: readonly Tier[] = ["dsl", "cable", "lan"];

/**
 * Per-viewer caps and reachability for a profile: lan 100/100 Mbit/s, cable 3/50, dsl 1/10,
 * mixed = a spread of the three across viewers with viewer 0 on the weakest uplink (dsl),
 * blocked = cable caps but viewers reach only the host (bridge address), not each other,
 * weak-first = viewer 0 (the first to join) on a 0.3 Mbit/s uplink, the others on cable.
 */
export function planProfile(profile: ProfileName, viewers: number): { caps: LinkCaps[]; isolated: boolean } {
  if (!Number.isInteger(viewers) || viewers < 1 || viewers > MAX_VIEWERS) {
    throw new RangeError(`viewers must be an integer from 1 to ${MAX_VIEWERS}, got ${viewers}`);
  }
  const tierOf = (i: number): Tier => {
    switch (profile) {
      case "lan":
      case "cable":
      case "dsl":
        return profile;
      case "blocked":
        return "cable";
      case "mixed":
        return MIXED_ORDER[i % MIXED_ORDER.length]!;
      case "weak-first":
        return i === 0 ? "weak" : "cable";
    }
  };
  if (!PROFILES.includes(profile)) throw new RangeError(`unknown profile ${JSON.stringify(profile)}`);
  const caps = Array.from({ length: viewers }, (_, i) => ({ ...RATES[tierOf(i)] }));
  return { caps, isolated: profile === "blocked" };
}

/** The profile a command-line word names, or undefined (exact, lower-case names only). */
export function parseProfile(s: string): ProfileName | undefined {
  return (PROFILES as readonly string[]).includes(s) ? (s as ProfileName) : undefined;
}

/**
 * tbf bucket size in bytes for a rate: at least one timer tick of traffic at that rate
 * (rate / BURST_TICK_HZ, the tc-tbf(8) rule) and never below BURST_FLOOR_BYTES. At 100 Mbit/s
 * that is 125,000 bytes; at 3 Mbit/s and below the 32 KiB floor applies.
 */
export function tbfBurstBytes(rateKbit: number): number {
  if (!Number.isFinite(rateKbit) || rateKbit <= 0) throw new RangeError(`rate must be positive, got ${rateKbit}`);
  const bytesPerSecond = (rateKbit * 1000) / 8;
  return Math.max(BURST_FLOOR_BYTES, Math.ceil(bytesPerSecond / BURST_TICK_HZ));
}
