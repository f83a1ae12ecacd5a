// One client address for every per-address bound: IPv4 as is, IPv6 by /64, junk as "unknown".
import { describe, expect, it } from "vitest";
import { addressKey } from "../../../worker/access/address";

describe("addressKey", () => {
  it("keys an IPv4 client by its address", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey(" 203.0.113.7 ")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7"); // IPv4-mapped
  });

  it("keys an IPv6 client by its /64, however the address is spelled, so one host cannot rotate addresses", () => {
    const k = addressKey("2001:db8:1:2::1");
    expect(k).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0DB8:0001:0002:ffff:eeee:dddd:cccc")).toBe(k);
    expect(addressKey("2001:db8:1:3::1")).not.toBe(k);
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
  });

  it('reads a missing or malformed header as "unknown"', () => {
    for (const bad of [null, "", "not an ip", "1:2:3", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::1", "::ffff:300.1.1.1", "64:ff9b::300.1.1.1", "1.2.3"]) {
      expect(addressKey(bad)).toBe("unknown");
    }
  });
});
