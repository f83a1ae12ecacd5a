// When a peerless tracker client announces again (client/reannounce.ts).
import { describe, expect, it } from "vitest";
import { PeerlessReannounce, REANNOUNCE } from "../../../client/reannounce";

/** The first time from `t` (in 0.5 s steps) at which an announce is due. */
function nextDue(p: PeerlessReannounce, t: number): number {
  let next = t;
  while (!p.due(next)) next += 0.5;
  return next;
}

describe("PeerlessReannounce", () => {
  it("announces again 2 s after an announce that brought no peer while others are in the swarm", () => {
    const p = new PeerlessReannounce();
    p.onReply(1, 2, 10);
    expect(p.due(10 + REANNOUNCE.firstS - 0.1)).toBe(false);
    expect(p.due(10 + REANNOUNCE.firstS)).toBe(true);
  });

  it("backs off 2, 4, 8, 16 s up to the 30 s ceiling", () => {
    const p = new PeerlessReannounce();
    p.onReply(0, 3, 0);
    let t = 0;
    const gaps: number[] = [];
    for (let i = 0; i < 6; i++) {
      const next = nextDue(p, t);
      gaps.push(next - t);
      p.onAnnounce(next);
      t = next;
    }
    expect(gaps).toEqual([2, 4, 8, 16, 30, 30]);
  });

  it("waits when alone in the swarm: a newcomer's offers will reach it", () => {
    const p = new PeerlessReannounce();
    p.onReply(0, 1, 0);
    expect(p.due(1000)).toBe(false);
  });

  it("stays quiet while connected, and announces 2 s after its last peer left", () => {
    const p = new PeerlessReannounce();
    p.onReply(0, 4, 0);
    p.onConnect();
    p.onConnect();
    expect(p.due(100)).toBe(false);
    p.onClose(100, 60);
    expect(p.due(110)).toBe(false); // one peer left
    p.onClose(110, 70);
    expect(p.due(110 + REANNOUNCE.firstS - 0.1)).toBe(false);
    expect(p.due(110 + REANNOUNCE.firstS)).toBe(true);
  });

  it("a connection that lasted resets the back-off", () => {
    const p = new PeerlessReannounce();
    p.onReply(0, 4, 0);
    for (const t of [2, 6, 14]) p.onAnnounce(t);
    expect(p.delayS()).toBe(16);
    p.onConnect();
    p.onClose(40, REANNOUNCE.stableS);
    expect(p.delayS()).toBe(REANNOUNCE.firstS);
  });

  it("keeps backing off from a peer that is dropped at once (a liar), instead of redialling it every 2 s", () => {
    const p = new PeerlessReannounce();
    p.onReply(0, 2, 0);
    let t = 0;
    const gaps: number[] = [];
    for (let i = 0; i < 5; i++) {
      const next = nextDue(p, t);
      p.onAnnounce(next);
      p.onConnect(); // the liar answers our offers…
      p.onClose(next + 1, 1); // …and is dropped on its first segment
      gaps.push(next - t);
      t = next + 1;
    }
    expect(gaps).toEqual([2, 4, 8, 16, 30]); // seconds after each drop
  });

  it("takes a reply with missing counts as a swarm of nobody else", () => {
    const p = new PeerlessReannounce();
    p.onReply(Number.NaN, Number.NaN, 0);
    expect(p.due(100)).toBe(false);
  });
});
