// The segment-hash tag: what the Worker writes, the client reads back, and nothing else.
import { describe, expect, it } from "vitest";
import {
  HASH_TAG,
  SIZE_TAG,
  hashTagLine,
  hashTagLines,
  isEdgeSwarmTagLine,
  isHashTagLine,
  isSha256Hex,
  readHashTagLine,
  readHashTagValue,
  readSizeTagLine,
  readSizeTagValue,
} from "../../../shared/hash-tag";
import { MAX_PUBLISHED_SEGMENT_BYTES } from "../../../shared/limits";
import { MAX_SEGMENT_BYTES } from "../../../worker/origin/limits";

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

describe("size tag", () => {
  it("precedes the hash line, which stays directly before the URI, and round-trips through the reader", () => {
    expect(hashTagLines(H, 1234)).toEqual([`#${SIZE_TAG}:1234`, hashTagLine(H)]);
    expect(readSizeTagLine(hashTagLines(H, 1234)[0]!)).toBe(1234);
    expect(readSizeTagValue(" 1234 ")).toBe(1234);
  });

  it("is left out when the size is unknown or not a publishable size", () => {
    expect(hashTagLines(H)).toEqual([hashTagLine(H)]);
    for (const bad of [0, -1, 1.5, NaN, MAX_PUBLISHED_SEGMENT_BYTES + 1]) expect(hashTagLines(H, bad)).toEqual([hashTagLine(H)]);
  });

  it("refuses malformed sizes and sizes over the limit", () => {
    for (const bad of ["", "0", "-5", "+5", "012", "1e3", "1.0", "0x10", "12a", "1 2", "9999999999", String(MAX_PUBLISHED_SEGMENT_BYTES + 1)])
      expect(readSizeTagValue(bad), bad).toBeNull();
    expect(readSizeTagValue(String(MAX_PUBLISHED_SEGMENT_BYTES))).toBe(MAX_PUBLISHED_SEGMENT_BYTES);
    expect(readSizeTagLine(`#${HASH_TAG}:12`)).toBeNull();
  });

  it("counts as the Worker's own tag, so incoming copies are dropped like hash tags", () => {
    expect(isEdgeSwarmTagLine(`#${SIZE_TAG}:nonsense`)).toBe(true);
    expect(isEdgeSwarmTagLine(`#${HASH_TAG}:x`)).toBe(true);
    expect(isEdgeSwarmTagLine("#EXT-X-BYTERANGE:100@0")).toBe(false);
  });

  it("never publishes more than the Worker stores or proxies", () => {
    expect(MAX_SEGMENT_BYTES).toBeLessThanOrEqual(MAX_PUBLISHED_SEGMENT_BYTES);
  });
});
