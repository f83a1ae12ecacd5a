// When a peerless tracker client announces again (client/reannounce.ts).
import { describe, expect, it } from "vitest";
import { PeerlessReannounce, REANNOUNCE } from "../../../client/reannounce";

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
      let next = t;
      while (!p.due(next)) next += 0.5;
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

  it("stays quiet while connected, and announces at once when its last peer leaves", () => {
    const p = new PeerlessReannounce();
    p.onReply(0, 4, 0);
    p.onConnect();
    p.onConnect();
    expect(p.due(100)).toBe(false);
    p.onClose(100);
    expect(p.due(100)).toBe(false); // one peer left
    p.onClose(101);
    expect(p.due(101)).toBe(true);
  });

  it("a connection resets the back-off", () => {
    const p = new PeerlessReannounce();
    p.onReply(0, 4, 0);
    for (const t of [2, 6, 14]) p.onAnnounce(t);
    expect(p.delayS()).toBe(16);
    p.onConnect();
    expect(p.delayS()).toBe(REANNOUNCE.firstS);
  });

  it("takes a reply with missing counts as a swarm of nobody else", () => {
    const p = new PeerlessReannounce();
    p.onReply(Number.NaN, Number.NaN, 0);
    expect(p.due(100)).toBe(false);
  });
});
