// parseReport: every field of POST /api/report is checked, and each refusal says why.
import { describe, expect, it } from "vitest";
import { MAX_PEERS } from "../../../shared/limits";
import { ERROR_TYPES, parseReport } from "../../../shared/stats-report";

const good = { v: 1, stream: "loop", viewer: "viewer-0001", http: 10, p2p: 20, up: 5, peers: 2, errors: { "p2p-hash-mismatch": 1 } };

describe("parseReport", () => {
  it("accepts a well-formed report and fills missing error types with zero", () => {
    const r = parseReport(good);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.errors).toEqual({ "p2p-hash-mismatch": 1, "p2p-hash-unknown": 0, "p2p-failed": 0, "http-failed": 0 });
    expect(r.value.p2p).toBe(20);
  });

  it("accepts a report without an errors object", () => {
    const { errors: _e, ...rest } = good;
    expect(parseReport(rest).ok).toBe(true);
  });

  it("accepts the reporter's tracker peer_id, binary chars included, and keeps it", () => {
    for (const peer of ["-PM0102-abcdefghijkl", "\u0000\u00ff".repeat(10)]) {
      const r = parseReport({ ...good, peer });
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.value.peer).toBe(peer);
    }
    const none = parseReport(good);
    expect(none.ok && none.value.peer).toBeUndefined();
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ["a 19-char peer_id", { ...good, peer: "p".repeat(19) }, /peer must be a 20-char/],
    ["a 21-char peer_id", { ...good, peer: "p".repeat(21) }, /peer must be a 20-char/],
    ["a peer_id with a char code over 255", { ...good, peer: "\u0100".repeat(20) }, /peer must be a 20-char/],
    ["a numeric peer_id", { ...good, peer: 12345 }, /peer must be a 20-char/],
    ["null", null, /object/],
    ["an array", [good], /object/],
    ["a string", "hello", /object/],
    ["a wrong version", { ...good, v: 2 }, /v must be 1/],
    ["an unknown field", { ...good, extra: 1 }, /unknown field: extra/],
    ["a missing stream", { ...good, stream: undefined }, /stream/],
    ["a stream with a slash", { ...good, stream: "a/b" }, /stream/],
    ["a 65-char stream", { ...good, stream: "a".repeat(65) }, /stream/],
    ["a short viewer id", { ...good, viewer: "abc" }, /viewer/],
    ["a viewer id with spaces", { ...good, viewer: "abc def ghi" }, /viewer/],
    ["a negative counter", { ...good, http: -1 }, /http must be/],
    ["a fractional counter", { ...good, p2p: 1.5 }, /p2p must be/],
    ["a string counter", { ...good, up: "5" }, /up must be/],
    ["a counter beyond 2^53", { ...good, http: 2 ** 60 }, /http must be/],
    ["NaN-like counter (null)", { ...good, http: null }, /http must be/],
    ["too many peers", { ...good, peers: MAX_PEERS + 1 }, /peers must be/],
    ["errors as an array", { ...good, errors: [1] }, /errors must be an object/],
    ["an unknown error type", { ...good, errors: { boom: 1 } }, /unknown error type: boom/],
    ["a negative error count", { ...good, errors: { "p2p-failed": -3 } }, /errors.p2p-failed/],
  ];
  for (const [name, input, reason] of bad) {
    it(`refuses ${name}`, () => {
      const r = parseReport(input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(reason);
    });
  }

  it("knows exactly the error types the client counts", () => {
    expect([...ERROR_TYPES].sort()).toEqual(["http-failed", "p2p-failed", "p2p-hash-mismatch", "p2p-hash-unknown"]);
  });
});
