// When a viewer may claim new live segments at the edge (client/claim-policy.ts).
import { describe, expect, it } from "vitest";
import { CLAIM_POLICY, ClaimPolicy, SlowUplink, UplinkGauge, WEAK_UPLINK } from "../../../client/claim-policy";

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

// The lab's stream: ~212 KB per 2 s segment, written by the core in 64 KB messages: two at
// once (the data channel takes them), then one each time 64 KB has left.
const SEG = 212_000;
const STREAM = SEG / 2;
const K64 = 65_535;
/** The chunk events of one segment upload to `peer` starting at `t0`, on an uplink of `bps` bytes/s; `cut`: the asker gives up after this many messages. */
function upload(g: UplinkGauge, peer: string, t0: number, bps: number, cut = 4): number {
  const chunks = [K64, K64, K64, SEG - 3 * K64];
  const at = [t0, t0, t0 + K64 / bps, t0 + (2 * K64) / bps];
  for (let i = 0; i < cut; i++) g.onChunk(peer, chunks[i]!, at[i]!);
  return t0 + SEG / bps;
}

describe("UplinkGauge", () => {
  it("rates a 0.3 Mbit/s uplink at its real rate from the pace of the core's messages, once two peers were served", () => {
    const g = new UplinkGauge();
    const t = upload(g, "a", 0, 37_500);
    expect(g.rate(t)).toBeNull(); // one peer: it might be that receiver
    upload(g, "b", t, 37_500);
    const r = g.rate(t + 6)!;
    expect(r).toBeGreaterThan(0.25 * STREAM);
    expect(r).toBeLessThan(WEAK_UPLINK.share * STREAM);
  });

  it("tells back-to-back uploads to one peer apart, so each new upload's first message is not taken for a fast drain", () => {
    const g = new UplinkGauge();
    // The 0.3 Mbit/s viewer serves peer a three segments in a row (the next asked at once),
    // then one that a cancels after its third message and a fourth 0.1 s later; b one segment.
    let t = 0;
    for (let i = 0; i < 3; i++) t = upload(g, "a", t, 37_500) - (SEG - 3 * K64) / 37_500 + 0.01;
    const cut = upload(g, "a", t, 37_500, 3);
    upload(g, "a", t + (2 * K64) / 37_500 + 0.1, 37_500);
    upload(g, "b", cut, 37_500);
    expect(g.rate(cut + 10)!).toBeLessThan(WEAK_UPLINK.share * STREAM);
  });

  it("answers 0 when the askers gave up before the first 64 KB after the burst left", () => {
    const g = new UplinkGauge();
    upload(g, "a", 0, 37_500, 2);
    upload(g, "b", 1, 37_500, 2);
    expect(g.rate(1 + WEAK_UPLINK.judgeS - 0.1)).toBeNull(); // b not judged yet
    expect(g.rate(1 + WEAK_UPLINK.judgeS)).toBe(0);
  });

  it("rates 3 and 1 Mbit/s uplinks above the bar, and one slow receiver does not make a fast uplink slow", () => {
    for (const bps of [375_000, 120_000]) {
      const g = new UplinkGauge();
      const t = upload(g, "slow-receiver", 0, 30_000);
      upload(g, "b", t, bps);
      expect(g.rate(t + 3)!).toBeGreaterThan(WEAK_UPLINK.share * STREAM);
    }
  });

  it("counts a segment written whole with the burst as fast (too small to tell)", () => {
    const g = new UplinkGauge();
    for (const peer of ["a", "b"]) {
      g.onChunk(peer, K64, 0);
      g.onChunk(peer, 30_000, 0);
    }
    expect(g.rate(WEAK_UPLINK.judgeS)).toBe(Infinity);
  });

  it("forgets peers after the window", () => {
    const g = new UplinkGauge();
    upload(g, "a", 0, 37_500);
    upload(g, "b", 6, 37_500);
    expect(g.rate(12)).not.toBeNull();
    expect(g.rate(12 + WEAK_UPLINK.windowS)).toBeNull();
  });
});

describe("SlowUplink", () => {
  it("finds an uplink below the bar slow once it has peers to leave the work to", () => {
    const u = new SlowUplink();
    expect(u.update(0.35 * STREAM, STREAM, 0, 10)).toBe(false); // alone
    expect(u.update(0.35 * STREAM, STREAM, 2, 10)).toBe(true);
  });

  it("keeps an uplink at or above the bar, and a viewer that has measured nothing yet", () => {
    const u = new SlowUplink();
    expect(u.update(1.05 * STREAM, STREAM, 3, 10)).toBe(false); // the lab's dsl
    expect(u.update(WEAK_UPLINK.share * STREAM, STREAM, 3, 10)).toBe(false);
    expect(u.update(null, STREAM, 3, 10)).toBe(false);
    expect(u.update(0.1 * STREAM, undefined, 3, 10)).toBe(false);
  });

  it("stays slow for the hold (nothing measures it with uploads off), then judges afresh", () => {
    const u = new SlowUplink();
    expect(u.update(0.3 * STREAM, STREAM, 1, 100)).toBe(true);
    expect(u.update(null, STREAM, 1, 100 + WEAK_UPLINK.holdS - 1)).toBe(true);
    expect(u.update(null, STREAM, 1, 100 + WEAK_UPLINK.holdS)).toBe(false);
  });

  it("holds from a slow probe at once, alone or not, and not from a fast, failed or unplaced one", () => {
    const u = new SlowUplink();
    expect(u.probed(1.05 * STREAM, STREAM, 10)).toBe(false); // the lab's dsl
    expect(u.probed(null, STREAM, 10)).toBe(false); // the probe failed
    expect(u.probed(0.1 * STREAM, undefined, 10)).toBe(false); // the stream's rate unknown
    expect(u.update(null, STREAM, 0, 10)).toBe(false);
    expect(u.probed(0.35 * STREAM, STREAM, 10)).toBe(true);
    expect(u.update(null, STREAM, 0, 11)).toBe(true); // alone, and nothing measured by uploads
    expect(u.update(null, STREAM, 0, 10 + WEAK_UPLINK.holdS)).toBe(false);
  });

  it("a probe never shortens a hold already running", () => {
    const u = new SlowUplink();
    expect(u.update(0.3 * STREAM, STREAM, 1, 100)).toBe(true);
    expect(u.probed(0.3 * STREAM, STREAM, 50)).toBe(true);
    expect(u.update(null, STREAM, 1, 100 + WEAK_UPLINK.holdS - 1)).toBe(true);
  });
});
