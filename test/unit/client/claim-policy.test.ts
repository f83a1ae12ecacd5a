// When a viewer may claim new live segments at the edge (client/claim-policy.ts).
import { describe, expect, it } from "vitest";
import { CLAIM_POLICY, ClaimPolicy } from "../../../client/claim-policy";

const { takeWindowS, pauseS, aloneS } = CLAIM_POLICY;

describe("ClaimPolicy", () => {
  it("claims while still alone in its first seconds: it plays what it wins, and the next viewers find it held", () => {
    const p = new ClaimPolicy();
    expect(p.allowed(100)).toBe(true);
    expect(p.allowed(100 + aloneS - 0.1)).toBe(true);
  });

  it("stops claiming when no peer has come by then (nobody can reach it), until one connects", () => {
    const p = new ClaimPolicy();
    expect(p.allowed(0)).toBe(true);
    expect(p.allowed(aloneS)).toBe(false);
    p.onPeers(1);
    expect(p.allowed(aloneS)).toBe(true);
  });

  it("stops claiming once its last peer left, until a peer connects again", () => {
    const p = new ClaimPolicy();
    p.allowed(0);
    p.onPeers(2);
    p.onPeers(0);
    expect(p.allowed(1)).toBe(false);
    p.onPeers(1);
    expect(p.allowed(1)).toBe(true);
  });

  it("stops after two untaken wins even while alone, until a peer connects", () => {
    const p = new ClaimPolicy();
    p.allowed(0);
    p.onWin(0);
    p.onWin(1);
    expect(p.allowed(1 + takeWindowS)).toBe(false);
    p.onPeers(1);
    expect(p.allowed(1 + takeWindowS)).toBe(true);
  });

  it("keeps claiming while its wins are followed by uploads", () => {
    const p = new ClaimPolicy();
    p.onPeers(2);
    for (let t = 0; t < 100; t += 2) {
      p.onWin(t);
      p.onUpload(50_000, t + 1);
      expect(p.allowed(t + 1.5)).toBe(true);
    }
  });

  it("pauses after two wins in a row that no peer took, then tries again after the pause", () => {
    const p = new ClaimPolicy();
    p.onPeers(1);
    p.onWin(0);
    p.onWin(2);
    expect(p.allowed(2 + takeWindowS - 0.1)).toBe(true); // second win not settled yet
    expect(p.allowed(2 + takeWindowS)).toBe(false);
    expect(p.allowed(2 + takeWindowS + pauseS - 0.1)).toBe(false);
    expect(p.allowed(2 + takeWindowS + pauseS)).toBe(true);
  });

  it("one untaken win between taken ones does not pause", () => {
    const p = new ClaimPolicy();
    p.onPeers(1);
    p.onWin(0);
    p.onUpload(1, 1);
    p.onWin(2); // not taken
    p.onWin(4);
    p.onUpload(1, 5);
    expect(p.allowed(4 + takeWindowS + 1)).toBe(true);
  });

  it("an upload before a win does not count as that win taken", () => {
    const p = new ClaimPolicy();
    p.onPeers(1);
    p.onUpload(1000, 0);
    p.onWin(1);
    p.onWin(2);
    expect(p.allowed(2 + takeWindowS)).toBe(false);
  });

  it("a newly connected peer ends a pause at once", () => {
    const p = new ClaimPolicy();
    p.onPeers(1);
    p.onWin(0);
    p.onWin(0);
    expect(p.allowed(takeWindowS)).toBe(false);
    p.onPeers(2);
    expect(p.allowed(takeWindowS)).toBe(true);
  });

  it("ignores upload counts that are not positive numbers", () => {
    const p = new ClaimPolicy();
    p.onPeers(1);
    p.onWin(0);
    p.onUpload(0, 1);
    p.onUpload(Number.NaN, 1);
    p.onWin(1);
    expect(p.allowed(1 + takeWindowS)).toBe(false);
  });
});
