// The lab's /24 never overlaps an address or route already on the machine.
import { describe, expect, it } from "vitest";
import { overlaps, parseCidr, pickSubnet, type Cidr } from "../../../../harness/netlab/subnets.ts";
import { POOL_SIZE } from "../../../../harness/netlab/limits.ts";

const c = (s: string): Cidr => parseCidr(s)!;

describe("parseCidr", () => {
  it("reads networks and bare hosts, normalising the base", () => {
    expect(c("10.1.2.3/24")).toEqual(c("10.1.2.0/24"));
    expect(c("10.1.2.3").bits).toBe(32);
  });

  it("rejects what is not IPv4", () => {
    for (const s of ["default", "fe80::1/64", "10.1.2/24", "300.1.1.1", "10.1.1.1/33", ""]) expect(parseCidr(s)).toBeUndefined();
  });
});

describe("overlaps", () => {
  it("sees a /8 route over a /24 and a host inside it, and no overlap between neighbours", () => {
    expect(overlaps(c("10.0.0.0/8"), c("10.213.5.0/24"))).toBe(true);
    expect(overlaps(c("10.213.5.77"), c("10.213.5.0/24"))).toBe(true);
    expect(overlaps(c("10.213.4.0/24"), c("10.213.5.0/24"))).toBe(false);
  });
});

describe("pickSubnet", () => {
  it("starts where asked and skips /24s an address or a route already covers", () => {
    expect(pickSubnet([], 5)).toBe("10.213.5");
    expect(pickSubnet([c("10.213.5.1/24"), c("10.213.6.0/23")], 5)).toBe("10.213.8");
  });

  it("wraps around the pool and reports none when every /24 is taken", () => {
    expect(pickSubnet([], POOL_SIZE + 2)).toBe("10.213.2");
    expect(pickSubnet([c("10.213.255.0/24")], 255)).toBe("10.213.0");
    expect(pickSubnet([c("10.0.0.0/8")], 0)).toBeUndefined();
  });

  it("does not treat a default route as a clash", () => {
    expect(pickSubnet([c("0.0.0.0/0"), c("192.0.2.2/24")], 0)).toBe("10.213.0");
  });
});
