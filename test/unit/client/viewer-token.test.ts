// The viewer token on the client's requests: only the Worker's URLs get `?token=`, every
// other parameter stays, and what a page may pass as a token.
import { describe, expect, it } from "vitest";
import { MAX_TOKEN_CHARS } from "../../../shared/viewer-token";
import { isTokenShaped, segmentRequest, withToken } from "../../../client/viewer-token";

const W = "https://w.example";
const T = "eyJhbGciOiJIUzI1NiJ9.eyJzdHJlYW0iOiJsb29wIn0.sig-_x";

describe("withToken", () => {
  it("adds the token to a URL on the Worker's origin", () => {
    expect(withToken("https://w.example/live/loop/master.m3u8", T, W)).toBe(`https://w.example/live/loop/master.m3u8?token=${T}`);
  });

  it("keeps the URL's other parameters (claims, a signed URL's own query)", () => {
    expect(withToken("https://w.example/live/loop/hi/9.ts?es_claim=loop&sig=1", T, W)).toBe(
      `https://w.example/live/loop/hi/9.ts?es_claim=loop&sig=1&token=${T}`,
    );
  });

  it("replaces a token already on the URL rather than sending two", () => {
    const u = new URL(withToken("https://w.example/a.m3u8?token=old&x=1", T, W));
    expect(u.searchParams.getAll("token")).toEqual([T]);
    expect(u.searchParams.get("x")).toBe("1");
  });

  it("treats the Worker's ws:/wss: tracker as the Worker's origin", () => {
    expect(withToken("wss://w.example/announce/loop", T, W)).toBe(`wss://w.example/announce/loop?token=${T}`);
    expect(withToken("ws://127.0.0.1:8787/announce/loop", T, "http://127.0.0.1:8787")).toBe(`ws://127.0.0.1:8787/announce/loop?token=${T}`);
  });

  it("leaves every other origin alone: another host, scheme or port, a ws: tracker of an https Worker", () => {
    for (const url of [
      "https://tracker.example/announce",
      "https://cdn.example/live/loop/hi/9.ts",
      "http://w.example/a.m3u8",
      "https://w.example:8443/a.m3u8",
      "ws://w.example/announce/loop",
      "blob:https://w.example/7f9c",
    ])
      expect(withToken(url, T, W)).toBe(url);
  });

  it("leaves URLs alone without a token, and unparsable ones", () => {
    expect(withToken("https://w.example/a.m3u8", null, W)).toBe("https://w.example/a.m3u8");
    expect(withToken("https://w.example/a.m3u8", "", W)).toBe("https://w.example/a.m3u8");
    expect(withToken("/relative.m3u8", T, W)).toBe("/relative.m3u8");
  });
});

describe("isTokenShaped", () => {
  it("accepts a compact JWT (base64url parts and dots) up to MAX_TOKEN_CHARS", () => {
    expect(isTokenShaped(T)).toBe(true);
    expect(isTokenShaped("a".repeat(MAX_TOKEN_CHARS))).toBe(true);
  });

  it("refuses empty, too long, non-strings and characters a query would need to escape", () => {
    for (const t of ["", "a".repeat(MAX_TOKEN_CHARS + 1), "a b", "a+b/c=", "a&token=b", "a#b", "é", 42, null])
      expect(isTokenShaped(t), String(t).slice(0, 20)).toBe(false);
  });
});

describe("segmentRequest", () => {
  it("asks for the tokened URL with the core's Range and abort signal", () => {
    const abort = new AbortController();
    const r = segmentRequest(`https://w.example/v/1.ts?token=${T}`, { start: 100, end: 199 }, abort.signal);
    expect(r.url).toBe(`https://w.example/v/1.ts?token=${T}`);
    expect(r.headers.get("range")).toBe("bytes=100-199");
    expect(segmentRequest("https://w.example/v/1.ts", { start: 100 }, abort.signal).headers.get("range")).toBe("bytes=100-");
    expect(segmentRequest("https://w.example/v/1.ts", undefined, abort.signal).headers.get("range")).toBeNull();
    abort.abort();
    expect(r.signal.aborted).toBe(true);
  });
});
