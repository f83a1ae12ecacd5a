import { describe, expect, it } from "vitest";
import { PeerTable } from "../../../demo/src/peers";

describe("PeerTable", () => {
  it("adds bytes per peer in each direction and lists connected peers first, busiest first", () => {
    const p = new PeerTable();
    p.connect("a", 0);
    p.connect("b", 0);
    p.received("a", 100, 1);
    p.sent("b", 500, 1);
    p.received("c", 9999, 1);
    p.disconnect("c", 2);
    expect(p.list().map((r) => [r.id, r.connected, r.downloaded, r.uploaded])).toEqual([
      ["b", true, 0, 500],
      ["a", true, 100, 0],
      ["c", false, 9999, 0],
    ]);
    expect(p.connectedCount()).toBe(2);
  });
  it("ignores non-positive and non-finite byte counts", () => {
    const p = new PeerTable();
    p.received("a", -10, 0);
    p.sent("a", Number.NaN, 0);
    expect(p.list()).toEqual([]);
  });
  it("stays bounded under peer churn, evicting departed peers before connected ones", () => {
    const p = new PeerTable(3);
    p.connect("keep1", 0);
    p.connect("keep2", 1);
    p.connect("gone", 2);
    p.disconnect("gone", 3);
    p.connect("new", 4);
    expect(
      p
        .list()
        .map((r) => r.id)
        .sort(),
    ).toEqual(["keep1", "keep2", "new"]);
    for (let i = 0; i < 100; i++) p.connect(`churn${i}`, 10 + i);
    expect(p.list()).toHaveLength(3);
  });
});
