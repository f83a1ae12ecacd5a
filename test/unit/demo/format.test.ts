import { describe, expect, it } from "vitest";
import { formatBitrate, formatBytes, formatCount, formatPercent, formatRate, offloadRatio, shortPeerId } from "../../../demo/src/format";

describe("formatBytes", () => {
  it("uses decimal units with three significant digits", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1000)).toBe("1.00 kB");
    expect(formatBytes(12_345)).toBe("12.3 kB");
    expect(formatBytes(123_456_789)).toBe("123 MB");
    expect(formatBytes(2.5e12)).toBe("2.50 TB");
  });
  it("shows a dash for negative, NaN and infinite input instead of a wrong number", () => {
    expect(formatBytes(-1)).toBe("–");
    expect(formatBytes(Number.NaN)).toBe("–");
    expect(formatBytes(Infinity)).toBe("–");
  });
});

describe("formatBitrate", () => {
  it("converts bytes per second to bits per second", () => {
    expect(formatBitrate(0)).toBe("0 bit/s");
    expect(formatBitrate(125)).toBe("1.0 kbit/s");
    expect(formatBitrate(125_000)).toBe("1.00 Mbit/s");
    expect(formatBitrate(2_500_000)).toBe("20.0 Mbit/s");
    expect(formatBitrate(-5)).toBe("–");
  });
});

describe("formatPercent", () => {
  it("shows a dash when nothing was downloaded (null), not 0%", () => {
    expect(formatPercent(null)).toBe("–");
    expect(formatPercent(undefined)).toBe("–");
  });
  it("rounds, keeps a decimal below 10% and clamps to 0..100", () => {
    expect(formatPercent(0)).toBe("0%");
    expect(formatPercent(0.0512)).toBe("5.1%");
    expect(formatPercent(0.685)).toBe("69%");
    expect(formatPercent(1.7)).toBe("100%");
    expect(formatPercent(-0.2)).toBe("0%");
  });
});

describe("formatRate and formatCount", () => {
  it("keeps one decimal for small rates and separators for large ones", () => {
    expect(formatRate(0)).toBe("0/s");
    expect(formatRate(0.333)).toBe("0.3/s");
    expect(formatRate(12_345.6)).toBe("12,346/s");
    expect(formatRate(Number.NaN)).toBe("–");
    expect(formatCount(1_234_567)).toBe("1,234,567");
  });
});

describe("offloadRatio", () => {
  it("is the peer share of all bytes, and null before any byte", () => {
    expect(offloadRatio(0, 0)).toBeNull();
    expect(offloadRatio(300, 700)).toBe(0.7);
    expect(offloadRatio(0, 5)).toBe(1);
  });
});

describe("shortPeerId", () => {
  it("drops the client prefix and shortens long ids", () => {
    expect(shortPeerId("-PM0203-abcdefghijkl")).toBe("abcd…ijkl");
    expect(shortPeerId("short")).toBe("short");
  });
  it("replaces unprintable binary-string chars so a hostile id cannot inject control chars", () => {
    expect(shortPeerId("\u0000\u0001ab")).toBe("??ab");
  });
});
