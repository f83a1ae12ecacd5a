// Which address a tracker upgrade counts against (MAX_SOCKETS_PER_IP): one per IPv4
// address, one per IPv6 /64, none for requests from this machine.
import { describe, expect, it } from "vitest";
import { addressTag } from "../../../worker/tracker/admission";

describe("addressTag", () => {
  it("tags an IPv4 address as itself", () => {
    expect(addressTag("203.0.113.7")).toBe("ip:203.0.113.7");
    expect(addressTag(" 203.0.113.7 ")).toBe("ip:203.0.113.7");
    expect(addressTag("203.0.113.8")).not.toBe(addressTag("203.0.113.7"));
  });

  it("tags every address of one IPv6 /64 alike, and another /64 apart", () => {
    const tag = addressTag("2001:db8:1:2::1");
    expect(tag).toBe(addressTag("2001:DB8:1:2:ffff:ffff:ffff:ffff"));
    expect(tag).not.toBe(addressTag("2001:db8:1:3::1"));
  });

  it("leaves requests without the header or from loopback uncounted (tests, wrangler dev)", () => {
    for (const ip of [null, "127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) expect(addressTag(ip)).toBeNull();
  });

  it("counts malformed values together rather than not at all", () => {
    expect(addressTag("not an ip")).toBe(addressTag("also bad"));
    expect(addressTag("not an ip")).not.toBeNull();
  });
});
