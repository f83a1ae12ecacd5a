// The tracker tap (harness/abuse/tracker-tap.ts) between a real `ws` client and a real `ws`
// server standing in for the tracker: frames pass unchanged both ways, an announce's round
// trip is timed to its reply (not to an offer relayed in between), and the viewer's peer_id
// and failure frames are noted under the `viewer` query parameter.
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import type { AddressInfo } from "node:net";
import { startTrackerTap, type TrackerTap } from "../../../harness/abuse/tracker-tap.ts";

const REPLY_DELAY_MS = 80;
let server: WebSocketServer | undefined;
let tap: TrackerTap | undefined;

afterEach(async () => {
  await tap?.stop();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  tap = undefined;
});

/** A tracker that answers each announce after REPLY_DELAY_MS, sending an offer first. */
async function fakeTracker(): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = [];
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", (ws, req) => {
    paths.push(req.url ?? "");
    ws.on("message", (data) => {
      const f = JSON.parse(String(data)) as Record<string, unknown>;
      if (f.peer_id === "x".repeat(20)) {
        ws.send(JSON.stringify({ "failure reason": "swarm is full", action: "announce", info_hash: f.info_hash }));
        return;
      }
      ws.send(
        JSON.stringify({ action: "announce", offer: { type: "offer", sdp: "v=0" }, offer_id: "o".repeat(20), peer_id: "p".repeat(20), info_hash: f.info_hash }),
      );
      setTimeout(() => ws.send(JSON.stringify({ action: "announce", interval: 60, info_hash: f.info_hash, complete: 0, incomplete: 2 })), REPLY_DELAY_MS);
    });
  });
  await new Promise<void>((r) => server!.once("listening", r));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

describe("tracker tap", () => {
  it("relays frames unchanged, times each announce to its reply, notes peer_id and failures", async () => {
    const t = await fakeTracker();
    tap = await startTrackerTap(t.url);
    const ws = new WebSocket(`${tap.url}/announce/ch?viewer=v1`);
    const got: string[] = [];
    ws.on("message", (d) => got.push(String(d)));
    await new Promise((r) => ws.once("open", r));
    const hash = "h".repeat(20);
    const announce = JSON.stringify({ action: "announce", info_hash: hash, peer_id: "a".repeat(20), numwant: 5, offers: [] });
    ws.send(announce);
    await expect.poll(() => got.length).toBe(2);
    ws.send(JSON.stringify({ action: "announce", info_hash: hash, peer_id: "x".repeat(20) }));
    await expect.poll(() => got.length).toBe(3);
    ws.close();

    expect(t.paths).toEqual(["/announce/ch?viewer=v1"]);
    expect(JSON.parse(got[0]!)).toMatchObject({ offer_id: "o".repeat(20) });
    expect(JSON.parse(got[1]!)).toMatchObject({ interval: 60, incomplete: 2 });
    const v = tap.viewer("v1");
    expect(v.peers.get(hash)).toBe("x".repeat(20)); // the latest announce's peer_id
    expect(v.offersIn).toBe(1);
    expect(v.failures).toEqual(["swarm is full"]);
    expect(v.rttMs).toHaveLength(2);
    // The first reply came REPLY_DELAY_MS after the announce; the offer before it did not end the timing.
    expect(v.rttMs[0]).toBeGreaterThanOrEqual(REPLY_DELAY_MS - 5);
    expect(v.rttMs[1]).toBeLessThan(REPLY_DELAY_MS);
  });
});
