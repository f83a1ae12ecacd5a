// Compatibility of the Worker's WebSocket tracker with the real clients: bittorrent-tracker's
// Client and webtorrent, each with real WebRTC (node-datachannel) over loopback. The same
// tests run against bittorrent-tracker's own Server as a control, so a failure that shows
// only on the Worker points at the Worker, not at the harness. It does not test limits or
// hostile input (those live with the tracker's own tests).
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDevWorker, type DevWorker } from "../helpers/wrangler-dev.ts";
import {
  createTrackerClient,
  loadWebTorrent,
  randomHex20,
  rtcConfig,
  startReferenceTracker,
  waitFor,
  webtorrentOptions,
  wrtc,
  type SimplePeer,
  type TrackerClient,
  type WebTorrentClient,
  type WebTorrentTorrent,
} from "../helpers/webrtc-node.ts";

interface Target {
  name: string;
  start(): Promise<{ announceBase: string; stop(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: "bittorrent-tracker Server (control)",
    start: async () => {
      const s = await startReferenceTracker();
      return { announceBase: s.wsUrl, stop: s.stop };
    },
  },
  {
    name: "EdgeSwarm Worker under wrangler dev",
    start: async () => {
      const w: DevWorker = await startDevWorker();
      return { announceBase: `${w.wsUrl}/announce`, stop: w.stop };
    },
  },
];

// bittorrent-tracker pools WebSockets per announce URL for the whole process. Two
// "viewers" in one test process would otherwise share one socket, which is not what two
// browsers do; a distinct query string per client gives each its own socket while the
// path (and so the channel / Durable Object) stays the same.
function announceUrl(base: string, channel: string, who: string): string {
  return `${base}/${channel}?client=${who}-${randomHex20().slice(0, 8)}`;
}

describe.each(targets)("tracker compatibility: $name", (target) => {
  let server: { announceBase: string; stop(): Promise<void> };
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    server = await target.start();
  });
  afterEach(async () => {
    // Tear down in reverse order; one failed destroy must not leak the others.
    while (cleanups.length) {
      try {
        await cleanups.pop()!();
      } catch {
        /* already gone */
      }
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("two bittorrent-tracker clients find each other and exchange exact bytes both ways", async () => {
    const infoHash = randomHex20();
    const channel = `compat-${randomHex20().slice(0, 10)}`;
    const peerIds = [randomHex20(), randomHex20()];
    const clients: TrackerClient[] = [];
    const peers: SimplePeer[][] = [[], []];
    const warnings: string[] = [];
    for (const i of [0, 1]) {
      const c = await createTrackerClient({
        infoHash,
        peerId: peerIds[i]!,
        announce: [announceUrl(server.announceBase, channel, `c${i}`)],
        wrtc,
        rtcConfig,
      });
      c.on("peer", (p) => peers[i]!.push(p));
      c.on("warning", (e) => warnings.push(`client ${i} warning: ${e.message}`));
      c.on("error", (e) => warnings.push(`client ${i} error: ${e.message}`));
      clients.push(c);
      cleanups.push(() => new Promise<void>((r) => c.destroy(() => r())));
    }
    // Start one, then the other: the second's offers reach the first through the tracker.
    clients[0]!.start();
    await new Promise((r) => setTimeout(r, 1000));
    clients[1]!.start();

    const connected = (i: number) => peers[i]!.find((p) => p.connected);
    await waitFor(() => !!connected(0) && !!connected(1), `a connected data channel on both sides (${warnings.join("; ")})`, 60_000);
    const a = connected(0)!;
    const b = connected(1)!;
    // Each side learnt the other's peer_id from the relayed offer/answer.
    expect(a.id).toBe(peerIds[1]);
    expect(b.id).toBe(peerIds[0]);

    const fromA = new Uint8Array(randomBytes(4096));
    const fromB = new Uint8Array(randomBytes(4096));
    const gotAtA: Uint8Array[] = [];
    const gotAtB: Uint8Array[] = [];
    a.on("data", (d) => gotAtA.push(new Uint8Array(d)));
    b.on("data", (d) => gotAtB.push(new Uint8Array(d)));
    a.send(fromA);
    b.send(fromB);
    const total = (xs: Uint8Array[]) => xs.reduce((n, x) => n + x.length, 0);
    await waitFor(() => total(gotAtA) >= fromB.length && total(gotAtB) >= fromA.length, "bytes over the data channel", 30_000);
    expect(Buffer.concat(gotAtB).equals(Buffer.from(fromA))).toBe(true);
    expect(Buffer.concat(gotAtA).equals(Buffer.from(fromB))).toBe(true);
  });

  it("a webtorrent leecher downloads a seeded file byte for byte through the tracker alone", async () => {
    const WebTorrent = await loadWebTorrent();
    const channel = `wt-${randomHex20().slice(0, 10)}`;
    const payload = randomBytes(300 * 1024);
    const errors: string[] = [];
    const mk = (): WebTorrentClient => {
      const c = new WebTorrent(webtorrentOptions());
      c.on("error", (e) => errors.push(String(e)));
      cleanups.push(() => new Promise<void>((r) => c.destroy(() => r())));
      return c;
    };
    const seeder = mk();
    const leecher = mk();

    const seeded = await new Promise<WebTorrentTorrent>((r) =>
      seeder.seed(payload, { name: "random.bin", announce: [announceUrl(server.announceBase, channel, "seed")] }, r),
    );
    // The leecher knows only the info hash and our tracker: no DHT, LSD, web seeds or
    // tracker list inherited from a magnet link, so the tracker is the only way to meet.
    const leech = leecher.add(seeded.infoHash, { announce: [announceUrl(server.announceBase, channel, "leech")] });
    leech.on("error", (e) => errors.push(String(e)));
    await waitFor(() => leech.done, `download to finish (${errors.join("; ")})`, 90_000);

    expect(leech.files).toHaveLength(1);
    const got = Buffer.from(await leech.files[0]!.arrayBuffer());
    expect(got.length).toBe(payload.length);
    expect(got.equals(payload)).toBe(true);
  });
});
