// Edge seeding leans on p2p-media-loader-core's ids: the seeder stores won segments under the
// swarm id and stream id the core hands its segment storage (client/stream-ids.ts), and the
// core finds them there and announces them to the stream's swarm. This drives the real core
// (in Node, over a real WebSocket tracker) with a small live playlist and checks both ends:
// the ids the seeder sees name the swarm the core announces to (the tracker's info_hash is
// the core's hash of that stream id), and a segment stored under them is the one the core
// then serves itself, with no HTTP request. If the library changes its id scheme or stops
// handing the ids over, this fails rather than seeding silently doing nothing.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocketServer } from "ws";
import type { Core } from "p2p-media-loader-core";
import { loadCore } from "../../../harness/virtual-viewer/node-globals.ts";
import { SegmentStore } from "../../../client/segment-store";
import { streamIdBook } from "../../../client/stream-ids";

const SEGMENT = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);

describe("stream ids from the real p2p-media-loader-core", () => {
  let http: Server;
  let tracker: WebSocketServer;
  let base = "";
  let trackerUrl = "";
  const hits: string[] = [];
  const infoHashes = new Set<string>();
  let core: Core | undefined;

  beforeAll(async () => {
    http = createServer((req, res) => {
      hits.push(req.url ?? "");
      res.writeHead(200, { "content-type": "video/mp2t" }).end(Buffer.from(SEGMENT));
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    tracker = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    tracker.on("connection", (ws) =>
      ws.on("message", (raw) => {
        const msg = JSON.parse(String(raw)) as { action?: string; info_hash?: string };
        if (msg.action === "announce" && typeof msg.info_hash === "string") infoHashes.add(msg.info_hash);
      }),
    );
    await new Promise<void>((r) => tracker.on("listening", r));
    trackerUrl = `ws://127.0.0.1:${(tracker.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    core?.destroy();
    for (const c of tracker?.clients ?? []) c.terminate();
    await new Promise<void>((r) => tracker?.close(() => r()));
    await new Promise<void>((r) => http?.close(() => r()));
  });

  it("hands the seeder the ids it announces under and reads seeded segments from", async () => {
    const { Core, generateStreamShortId } = await loadCore();
    const ids = streamIdBook();
    const store = new SegmentStore();
    store.onRequest = (swarmId, streamId, sn, type) => {
      if (type === "main") ids.onCoreRequest(swarmId, streamId, sn);
    };
    core = new Core({ announceTrackers: [trackerUrl], rtcConfig: { iceServers: [] }, customSegmentStorageFactory: () => store });
    // As p2p-media-loader-hlsjs wires hls.js to the core (segment-manager.ts).
    const level = `${base}/live/c/hi.m3u8`;
    core.setManifestResponseUrl(`${base}/live/c/master.m3u8`);
    core.addStreamIfNoneExists({
      runtimeId: level,
      type: "main",
      index: generateStreamShortId({ bitrate: 800_000, codecs: "avc1.64001f", width: 640, height: 360 }),
    });
    core.setIsLive(true);
    const segs = [40, 41, 42].map((sn) => ({
      runtimeId: `${base}/live/c/hi/${sn}.ts`,
      url: `${base}/live/c/hi/${sn}.ts`,
      externalId: sn,
      startTime: (sn - 40) * 2,
      endTime: (sn - 39) * 2,
    }));
    core.updateStream(level, segs, []);
    core.updatePlayback(0, 1);
    const load = (sn: number) =>
      new Promise<ArrayBuffer>((resolve, reject) => {
        ids.onFragmentLoad(level, sn); // hls.js's FRAG_LOADING, before the core's request
        void core!.loadSegment(`${base}/live/c/hi/${sn}.ts`, { onSuccess: (r) => resolve(r.data), onError: reject });
      });

    // The core's first request pairs the playlist with its ids.
    expect((await load(40)).byteLength).toBe(SEGMENT.byteLength);
    const got = ids.idsOf(level);
    expect(got).toBeDefined();
    expect(store.isKnownStream(got!.streamId)).toBe(true);

    // The swarm the core announces that stream in is the one named by those ids.
    const coreEntry = import.meta.resolve("p2p-media-loader-core");
    const { getStreamHash } = (await import(new URL("./utils/peer.js", coreEntry).href)) as { getStreamHash: (id: string) => string };
    await vi.waitFor(() => expect(infoHashes.size).toBeGreaterThan(0), { timeout: 20_000, interval: 50 });
    expect([...infoHashes]).toEqual([getStreamHash(got!.streamId)]);

    // A segment stored under those ids (what the seeder does with a win) is the one the core
    // serves when hls.js asks for it: no HTTP request for it leaves.
    const won = SEGMENT.slice().reverse();
    await store.storeSegment(got!.swarmId, got!.streamId, 41, won.buffer, 2, 4, "main", true);
    const before = hits.length;
    expect(Buffer.from(await load(41)).equals(Buffer.from(won))).toBe(true);
    expect(hits.slice(before).filter((u) => u.endsWith("/41.ts"))).toEqual([]);
  }, 30_000);
});
