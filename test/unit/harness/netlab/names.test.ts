// Lab names: unique per process and lab, within Linux's 15-character interface names, and
// readable back to the pid that made them (what the leftover sweep relies on).
import { describe, expect, it } from "vitest";
import { DIR_PREFIX, PREFIX, dirOwnerPid, labNames, ownerPid, probeName } from "../../../../harness/netlab/names.ts";
import { IFNAME_MAX, MAX_LABS_PER_PROCESS, MAX_VIEWERS } from "../../../../harness/netlab/limits.ts";

// Linux's largest possible pid (pid_max is at most 2^22).
const BIG_PID = 4_194_304;

describe("labNames", () => {
  it("keeps bridge and host names within 15 characters for the largest pid, lab and host index", () => {
    const n = labNames(BIG_PID, MAX_LABS_PER_PROCESS - 1);
    expect(n.bridge.length).toBeLessThanOrEqual(IFNAME_MAX);
    expect(n.host(MAX_VIEWERS - 1).length).toBeLessThanOrEqual(IFNAME_MAX);
  });

  it("gives two labs of one process, and the same lab number in two processes, different names", () => {
    const a = labNames(1234, 0);
    const b = labNames(1234, 1);
    const c = labNames(1235, 0);
    const all = [a, b, c].flatMap((n) => [n.bridge, n.host(0), n.host(1)]);
    expect(new Set(all).size).toBe(all.length);
  });

  it("refuses a lab counter or host index that would not fit an interface name", () => {
    expect(() => labNames(1, MAX_LABS_PER_PROCESS)).toThrow(RangeError);
    expect(() => labNames(1, -1)).toThrow(RangeError);
    expect(() => labNames(1, 0).host(MAX_VIEWERS)).toThrow(RangeError);
  });
});

describe("ownerPid", () => {
  it("reads the pid back from bridge, host and probe names", () => {
    const n = labNames(BIG_PID, 35);
    expect(ownerPid(n.bridge)).toBe(BIG_PID);
    expect(ownerPid(n.host(249))).toBe(BIG_PID);
    expect(ownerPid(probeName(4321))).toBe(4321);
  });

  it("ignores names that are not a lab's", () => {
    for (const s of ["eth0", "lo", "br0", `${PREFIX}`, `${PREFIX}12`, "es123-0-1", "docker0", `${PREFIX}ABC-0-1`, `x${PREFIX}1-0-1`]) {
      expect(ownerPid(s)).toBeUndefined();
    }
  });

  it("reads the pid back from a wrapper-script dir name made with the lab's tag", () => {
    const n = labNames(777, 3);
    expect(dirOwnerPid(`${DIR_PREFIX}${PREFIX}${n.tag}-Ab12Cd`)).toBe(777);
    expect(dirOwnerPid("edgeswarm-state-abc")).toBeUndefined();
  });
});
