// The tracker's witness bookkeeping: a new peer_id or address is pushed once, within
// WITNESS_FLUSH_MS, in one batch; a steady viewer's announces cost nothing until
// WITNESS_REFRESH_MS has passed since its last push; a failed push is retried.
import { describe, expect, it } from "vitest";
import { createWitness, noteSeen, takeBatch, unmark } from "../../../worker/tracker/witness";
import { ANNOUNCE_INTERVAL_S, PEER_LIFETIME_MS, WITNESS_FLUSH_MS, WITNESS_REFRESH_MS, WITNESS_TTL_MS } from "../../../worker/tracker/limits";
import { REPORT_INTERVAL_MS } from "../../../shared/limits";

const T = 1_000_000;

describe("witness", () => {
  it("batches new sightings and makes them due WITNESS_FLUSH_MS after the first", () => {
    const w = createWitness();
    expect(noteSeen(w, "peer-a", "198.51.100.1", T)).toBe(T + WITNESS_FLUSH_MS);
    expect(noteSeen(w, "peer-b", "198.51.100.2", T + 300)).toBe(T + WITNESS_FLUSH_MS);
    expect(takeBatch(w, T + WITNESS_FLUSH_MS - 1)).toBeNull();
    expect(takeBatch(w, T + WITNESS_FLUSH_MS)).toEqual({ peers: ["peer-a", "peer-b"], addrs: ["198.51.100.1", "198.51.100.2"] });
    expect(takeBatch(w, T + 2 * WITNESS_FLUSH_MS)).toBeNull();
  });

  it("hands out a batch before it is due when asked to anyway (an alarm that runs for another reason)", () => {
    const w = createWitness();
    noteSeen(w, "peer-a", "198.51.100.1", T);
    expect(takeBatch(w, T + 10)).toBeNull();
    expect(takeBatch(w, T + 10, true)).toEqual({ peers: ["peer-a"], addrs: ["198.51.100.1"] });
    expect(w.dueAt).toBeNull();
  });

  it("does not push a peer again on its next announces until WITNESS_REFRESH_MS has passed", () => {
    const w = createWitness();
    noteSeen(w, "peer-a", "198.51.100.1", T);
    takeBatch(w, T + WITNESS_FLUSH_MS);
    const pushedAt = T + WITNESS_FLUSH_MS;
    expect(noteSeen(w, "peer-a", "198.51.100.1", pushedAt + 60_000)).toBeNull();
    expect(noteSeen(w, "peer-a", "198.51.100.1", pushedAt + WITNESS_REFRESH_MS - 1)).toBeNull();
    const due = noteSeen(w, "peer-a", "198.51.100.1", pushedAt + WITNESS_REFRESH_MS);
    expect(due).toBe(pushedAt + WITNESS_REFRESH_MS + WITNESS_FLUSH_MS);
    expect(takeBatch(w, due!)).toEqual({ peers: ["peer-a"], addrs: ["198.51.100.1"] });
  });

  it("pushes a second peer of a known address without the address again", () => {
    const w = createWitness();
    noteSeen(w, "peer-a", "198.51.100.1", T);
    takeBatch(w, T + WITNESS_FLUSH_MS);
    expect(noteSeen(w, "peer-b", "198.51.100.1", T + 5000)).not.toBeNull();
    expect(takeBatch(w, T + 5000 + WITNESS_FLUSH_MS)).toEqual({ peers: ["peer-b"], addrs: [] });
  });

  it("pushes the peer_id of a socket whose address it does not know", () => {
    const w = createWitness();
    noteSeen(w, "peer-a", null, T);
    expect(takeBatch(w, T + WITNESS_FLUSH_MS)).toEqual({ peers: ["peer-a"], addrs: [] });
  });

  it("pushes a failed batch again on the next announce", () => {
    const w = createWitness();
    noteSeen(w, "peer-a", "198.51.100.1", T);
    const batch = takeBatch(w, T + WITNESS_FLUSH_MS)!;
    unmark(w, batch);
    expect(noteSeen(w, "peer-a", "198.51.100.1", T + 2000)).toBe(T + 2000 + WITNESS_FLUSH_MS);
  });

  it("forgets push marks older than WITNESS_REFRESH_MS, so memory follows recent sightings", () => {
    const w = createWitness();
    for (let i = 0; i < 100; i++) noteSeen(w, `old-${i}`, `10.0.0.${i}`, T);
    takeBatch(w, T + WITNESS_FLUSH_MS);
    expect(w.peersPushed.size).toBe(100);
    noteSeen(w, "new", "10.0.1.1", T + WITNESS_FLUSH_MS + WITNESS_REFRESH_MS);
    takeBatch(w, T + 2 * WITNESS_FLUSH_MS + WITNESS_REFRESH_MS);
    expect([...w.peersPushed.keys()]).toEqual(["new"]);
    expect([...w.addrsPushed.keys()]).toEqual(["10.0.1.1"]);
  });

  it("WITNESS_FLUSH_MS lands a new viewer's sighting well before its first stats report", () => {
    expect(WITNESS_FLUSH_MS).toBeLessThanOrEqual(REPORT_INTERVAL_MS / 2);
  });

  it("WITNESS_TTL_MS outlasts the longest gap between pushes of a live viewer, with a missed announce", () => {
    expect(WITNESS_TTL_MS).toBeGreaterThanOrEqual(WITNESS_REFRESH_MS + 2 * ANNOUNCE_INTERVAL_S * 1000 + WITNESS_FLUSH_MS);
    // A viewer who left stops vouching within minutes (its tracker peer is gone after PEER_LIFETIME_MS).
    expect(WITNESS_TTL_MS).toBeLessThanOrEqual(2 * PEER_LIFETIME_MS + WITNESS_REFRESH_MS);
  });
});
