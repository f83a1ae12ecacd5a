// The segment-hash tag: what the Worker writes, the client reads back, and nothing else.
import { describe, expect, it } from "vitest";
import { HASH_TAG, hashTagLine, isHashTagLine, isSha256Hex, readHashTagLine, readHashTagValue } from "../../../shared/hash-tag";

const H = "0123456789abcdef".repeat(4);

describe("hash tag", () => {
  it("round-trips: the reader returns what the writer wrote", () => {
    expect(hashTagLine(H)).toBe(`#${HASH_TAG}:${H}`);
    expect(readHashTagLine(hashTagLine(H))).toBe(H);
  });

  it("reads only lowercase 64-hex values, trimming whitespace", () => {
    expect(readHashTagValue(` ${H} `)).toBe(H);
    expect(readHashTagValue(H.toUpperCase())).toBeNull();
    expect(readHashTagValue(H.slice(1))).toBeNull();
    expect(readHashTagValue("")).toBeNull();
    expect(isSha256Hex(H)).toBe(true);
    expect(isSha256Hex(`${H}0`)).toBe(false);
  });

  it("recognises a tag line even when its value is malformed, so incoming ones can be dropped", () => {
    expect(isHashTagLine(`#${HASH_TAG}:nonsense`)).toBe(true);
    expect(readHashTagLine(`#${HASH_TAG}:nonsense`)).toBeNull();
    expect(isHashTagLine("#EXTINF:2.0,")).toBe(false);
    expect(readHashTagLine(H)).toBeNull();
  });
});
