// Stats arithmetic: bytes by source, offload, error classification, baselines.
import { describe, expect, it } from "vitest";
import * as S from "../../../client/stats";

describe("counters", () => {
  it("adds bytes by source and derives the offload ratio", () => {
    const c = S.newCounters();
    S.addHttp(c, 250);
    S.addP2P(c, 750);
    S.addUploaded(c, 100);
    c.peers.add("main:a");
    const s = S.snapshot(c, true, "p2p");
    expect(s).toMatchObject({ httpBytes: 250, p2pBytes: 750, uploadedBytes: 100, peers: 1, offload: 0.75, uploading: true, mode: "p2p" });
  });
  it("ignores negative, NaN and infinite byte counts", () => {
    const c = S.newCounters();
    S.addHttp(c, -5);
    S.addHttp(c, Number.NaN);
    S.addP2P(c, Number.POSITIVE_INFINITY);
    S.addRejected(c, 10.7);
    expect(S.snapshot(c, false, "http")).toMatchObject({ httpBytes: 0, p2pBytes: 0, p2pRejectedBytes: 10 });
  });
  it("reports offload 0 before any byte", () => {
    expect(S.offload(0, 0)).toBe(0);
  });
  it("returns a copy, so callers cannot change the counters", () => {
    const c = S.newCounters();
    const s = S.snapshot(c, true, "p2p");
    s.errors["http-failed"] = 99;
    expect(c.errors["http-failed"]).toBe(0);
  });
});

describe("classifySegmentError", () => {
  it("does not count aborts (the scheduler cancels on purpose) or hash failures twice", () => {
    expect(S.classifySegmentError("p2p", "abort")).toBeNull();
    expect(S.classifySegmentError("p2p", "p2p-segment-validation-failed")).toBeNull();
  });
  it("counts peer and HTTP failures by source", () => {
    expect(S.classifySegmentError("p2p", "peer-closed")).toBe("p2p-failed");
    expect(S.classifySegmentError("p2p", "bytes-receiving-timeout")).toBe("p2p-failed");
    expect(S.classifySegmentError("http", "http-error")).toBe("http-failed");
  });
});

describe("minus", () => {
  it("subtracts a baseline and never goes below zero", () => {
    const c = S.newCounters();
    S.addHttp(c, 100);
    S.countError(c, "p2p-failed");
    const d = S.minus(S.snapshot(c, true, "p2p"), {
      httpBytes: 40,
      p2pBytes: 10,
      uploadedBytes: 0,
      errors: { ...S.snapshot(c, true, "p2p").errors, "p2p-failed": 0 },
    });
    expect(d.httpBytes).toBe(60);
    expect(d.p2pBytes).toBe(0);
    expect(d.errors["p2p-failed"]).toBe(1);
  });
});
