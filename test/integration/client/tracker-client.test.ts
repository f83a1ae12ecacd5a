// client/tracker-client.ts with the real bittorrent-tracker client over a real WebSocket:
// a peerless client announces again within seconds while the tracker counts others in its
// swarm, and keeps quiet when it is alone. The tracker here is a bare `ws` server that
// answers announces and relays nothing, which is what a swarm whose peers cannot reach
// this viewer (no TURN, a blocked network) looks like from the client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import type { AddressInfo } from "node:net";
import ReannouncingClient, { watchedTrackerClients } from "../../../client/tracker-client";
import { randomHex20, rtcConfig, waitFor, wrtc } from "../../../harness/webrtc-node.ts";

interface Announce {
  at: number;
  peer: string;
  event?: string;
}

describe("re-announce while peerless (client/tracker-client.ts)", () => {
  let wss: WebSocketServer;
  let url = "";
  const announces: Announce[] = [];
  /** What the stand-in tracker says about the swarm: complete/incomplete, us included. */
  const swarmOf = new Map<string, number>();
  beforeAll(async () => {
    wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((r) => wss.once("listening", () => r()));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    wss.on("connection", (ws) => {
      ws.on("message", (raw) => {
        const m = JSON.parse(String(raw)) as { action: string; info_hash: string; peer_id: string; event?: string; answer?: unknown };
        if (m.action !== "announce" || m.answer) return;
        announces.push({ at: performance.now(), peer: m.peer_id, ...(m.event ? { event: m.event } : {}) });
        ws.send(JSON.stringify({ action: "announce", interval: 120, info_hash: m.info_hash, complete: 0, incomplete: swarmOf.get(m.info_hash) ?? 1 }));
      });
    });
  });
  afterAll(() => new Promise<void>((r) => wss.close(() => r())));

  function client(swarm: number) {
    const infoHash = randomHex20();
    const peerId = randomHex20();
    swarmOf.set(Buffer.from(infoHash, "hex").toString("latin1"), swarm);
    const c = new ReannouncingClient({ infoHash, peerId, announce: [url], port: 6881, wrtc, rtcConfig }) as unknown as { start(): void; destroy(): void };
    c.start();
    return { c, peer: Buffer.from(peerId, "hex").toString("latin1") };
  }

  it("announces again about 2 s after its announce brought no peer, with others in the swarm", async () => {
    const { c, peer } = client(3);
    try {
      await waitFor(() => announces.filter((a) => a.peer === peer).length >= 2, "a second announce", 25_000);
      const mine = announces.filter((a) => a.peer === peer);
      expect(mine[0]?.event).toBe("started");
      expect(mine[1]?.event).toBeUndefined(); // an update, with fresh offers
      // The reply said interval 120: without the re-announce the next one would come after
      // 120 s. It is due 2 s after the reply; node-datachannel then takes a few seconds to
      // gather the offers it carries (browsers take well under one).
      expect(mine[1]!.at - mine[0]!.at).toBeLessThan(15_000);
    } finally {
      c.destroy();
    }
  });

  it("does not re-announce when the tracker says it is alone in the swarm", async () => {
    const { c, peer } = client(1);
    try {
      await waitFor(() => announces.some((a) => a.peer === peer), "the start announce", 20_000);
      await new Promise((r) => setTimeout(r, 5_000));
      expect(announces.filter((a) => a.peer === peer).length).toBe(1);
    } finally {
      c.destroy();
    }
  });

  it("forgets a client once it is destroyed", async () => {
    const { c } = client(3);
    expect(watchedTrackerClients()).toBeGreaterThan(0);
    c.destroy();
    expect(watchedTrackerClients()).toBe(0);
  });
});
