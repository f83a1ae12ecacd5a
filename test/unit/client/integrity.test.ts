// Hashes from #EXT-X-EDGESWARM-SHA256 tags, and the check with real SHA-256 (WebCrypto).
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HASH_TAG, HashBook, MAX_HASHES, hashOfFragment, sha256Hex } from "../../../client/integrity";

const bytes = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;
const hex = (s: string) => createHash("sha256").update(s).digest("hex");

describe("hashOfFragment", () => {
  it("reads the tag hls.js keeps in frag.tagList", () => {
    expect(hashOfFragment({ url: "u", tagList: [["INF", "2"], [HASH_TAG, hex("a")]] })).toBe(hex("a"));
  });
  it("ignores malformed hashes (uppercase, short, missing)", () => {
    expect(hashOfFragment({ url: "u", tagList: [[HASH_TAG, hex("a").toUpperCase()]] })).toBeUndefined();
    expect(hashOfFragment({ url: "u", tagList: [[HASH_TAG, "abc"]] })).toBeUndefined();
    expect(hashOfFragment({ url: "u", tagList: [[HASH_TAG]] })).toBeUndefined();
    expect(hashOfFragment({ url: "u" })).toBeUndefined();
  });
});

describe("HashBook.verify", () => {
  const book = new HashBook();
  const known = book.learn([
    { url: "https://w/s/1.ts", tagList: [[HASH_TAG, hex("segment one")]] },
    { url: "https://w/s/2.ts", tagList: [["INF", "2"]] },
    { url: "https://w/s/3.ts", byteRange: [100, 200], tagList: [[HASH_TAG, hex("ranged")]] },
  ]);

  it("says which fragments carry a hash", () => {
    expect(known).toEqual([true, false, true]);
  });
  it("accepts bytes that match the Worker's hash", async () => {
    expect(await book.verify("https://w/s/1.ts", undefined, bytes("segment one"))).toBe("ok");
  });
  it("rejects bytes that differ by one character", async () => {
    expect(await book.verify("https://w/s/1.ts", undefined, bytes("segment onE"))).toBe("mismatch");
  });
  it("never accepts a segment without a published hash", async () => {
    expect(await book.verify("https://w/s/2.ts", undefined, bytes("anything"))).toBe("unknown");
    expect(await book.verify("https://w/s/9.ts", undefined, bytes("anything"))).toBe("unknown");
  });
  it("keys byte-range segments by their inclusive range", async () => {
    expect(await book.verify("https://w/s/3.ts", { start: 100, end: 199 }, bytes("ranged"))).toBe("ok");
    expect(await book.verify("https://w/s/3.ts", undefined, bytes("ranged"))).toBe("unknown");
  });
});

describe("HashBook bounds", () => {
  it("forgets the oldest hashes past MAX_HASHES and keeps the newest", () => {
    const book = new HashBook();
    const frags = Array.from({ length: MAX_HASHES + 10 }, (_, i) => ({ url: `u${i}`, tagList: [[HASH_TAG, hex(String(i))]] }));
    book.learn(frags);
    expect(book.size).toBe(MAX_HASHES);
    expect(book.has("u0")).toBe(false);
    expect(book.get(`u${MAX_HASHES + 9}`)).toBe(hex(String(MAX_HASHES + 9)));
  });
});

describe("sha256Hex", () => {
  it("matches node:crypto", async () => {
    expect(await sha256Hex(bytes("hello"))).toBe(hex("hello"));
  });
});
