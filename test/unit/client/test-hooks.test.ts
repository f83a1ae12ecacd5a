// The test-only upload corruption must leave peer commands intact, or peers could not talk.
import { describe, expect, it } from "vitest";
import { isPeerCommand } from "../../../client/test-hooks";

const enc = (s: string) => new TextEncoder().encode(s);

describe("isPeerCommand", () => {
  it("recognises p2p-media-loader's framed commands", () => {
    expect(isPeerCommand(enc("cstr....cend"))).toBe(true);
    expect(isPeerCommand(enc("dstr..xx..dend"))).toBe(true);
  });
  it("treats MPEG-TS segment bytes as data", () => {
    const ts = new Uint8Array(188 * 4).fill(0xff);
    ts[0] = 0x47;
    expect(isPeerCommand(ts)).toBe(false);
    expect(isPeerCommand(enc("cst"))).toBe(false);
  });
});
