// The naming rules every room checks: channel, viewer id, file and segment names.
import { describe, expect, it } from "vitest";
import { CHANNEL_RULE, FILE_NAME_RE, isChannelName, isSegmentFileName, MAX_CHANNEL_CHARS, MAX_FILE_NAME_CHARS, VIEWER_ID_RE } from "../../../shared/names";

describe("channel names", () => {
  it("accepts url-safe names up to MAX_CHANNEL_CHARS and nothing else", () => {
    expect(isChannelName("live_loop-1")).toBe(true);
    expect(isChannelName("a".repeat(MAX_CHANNEL_CHARS))).toBe(true);
    expect(isChannelName("a".repeat(MAX_CHANNEL_CHARS + 1))).toBe(false);
    for (const bad of ["", "a.b", "a/b", "!registry", "%2e", "é", null, undefined]) expect(isChannelName(bad)).toBe(false);
  });

  it("quotes the rule it enforces, for error messages", () => {
    expect(CHANNEL_RULE).toBe("[A-Za-z0-9_-]{1,64}");
  });
});

describe("viewer ids", () => {
  it("want 8..64 url-safe chars", () => {
    expect(VIEWER_ID_RE.test("a".repeat(8))).toBe(true);
    expect(VIEWER_ID_RE.test("a".repeat(7))).toBe(false);
    expect(VIEWER_ID_RE.test("a".repeat(65))).toBe(false);
  });
});

describe("file and segment names", () => {
  it("refuse hidden files, dot-dot and over-long names", () => {
    expect(FILE_NAME_RE.test("seg-000123.ts")).toBe(true);
    expect(FILE_NAME_RE.test(".hidden")).toBe(false);
    expect(FILE_NAME_RE.test("a".repeat(MAX_FILE_NAME_CHARS))).toBe(true);
    expect(FILE_NAME_RE.test("a".repeat(MAX_FILE_NAME_CHARS + 1))).toBe(false);
  });

  it("know a live segment by its extension", () => {
    for (const ok of ["0.ts", "seg_1.m4s", "a.b.aac"]) expect(isSegmentFileName(ok)).toBe(true);
    for (const bad of ["index.m3u8", "init.mp4", "ts", ".ts", "a..ts", "a/b.ts"]) expect(isSegmentFileName(bad)).toBe(false);
  });
});
