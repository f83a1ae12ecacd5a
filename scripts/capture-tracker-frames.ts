// Captures real WebTorrent-tracker frames for the tracker's protocol fixtures.
// Runs bittorrent-tracker's own Server behind a recording `ws` proxy and points
// real clients at it, all over node-datachannel WebRTC:
//  1. bittorrent-tracker's Client with hex ids, as webtorrent uses it;
//  2. the same Client with p2p-media-loader's id scheme (`-PM0203-` peer ids, base64
//     info hashes), two swarms sharing one socket;
//  3. p2p-media-loader-core 2.3.1 itself (harness/virtual-viewer), two viewers
//     playing the Worker's VOD sample under `wrangler dev`.
// Writes test/fixtures/tracker/captured-frames.json. Not run by tests; rerun with
//   npx tsx scripts/capture-tracker-frames.ts
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { WebSocket, WebSocketServer } from "ws";
import wrtc from "node-datachannel/polyfill";
import { startDevWorker } from "../harness/dev-worker.ts";
import { VirtualViewer } from "../harness/virtual-viewer/viewer.ts";

interface Frame {
  dir: "client→server" | "server→client";
  conn: number;
  client: string;
  text: string;
}
const frames: Frame[] = [];

interface Peer {
  connected: boolean;
  on(ev: string, fn: (...a: unknown[]) => void): void;
  destroy(): void;
}
interface Client {
  start(): void;
  stop(): void;
  scrape(): void;
  complete(): void;
  destroy(cb?: () => void): void;
  on(ev: string, fn: (...a: never[]) => void): void;
}
type ClientCtor = new (o: Record<string, unknown>) => Client;
interface TrackerServer {
  listen(port: number, host: string, cb: () => void): void;
  close(cb: () => void): void;
  http: { address(): { port: number } | string | null };
  on(ev: string, fn: (e: Error) => void): void;
}
type ServerCtor = new (o: Record<string, unknown>) => TrackerServer;

const BT_CLIENT = "bittorrent-tracker/client";
const BT_SERVER = "bittorrent-tracker/server";

function btVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(resolve(import.meta.dirname, "../node_modules/bittorrent-tracker/package.json"), "utf8"));
  return typeof pkg === "object" && pkg !== null && "version" in pkg && typeof pkg.version === "string" ? pkg.version : "?";
}

async function main(): Promise<void> {
  const { default: Server } = (await import(BT_SERVER)) as { default: ServerCtor };
  const { default: Client } = (await import(BT_CLIENT)) as { default: ClientCtor };
  const server = new Server({ udp: false, http: false, ws: true, stats: false });
  server.on("warning", () => {});
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.http.address();
  const upstreamPort = typeof addr === "object" && addr ? addr.port : 0;

  let connNo = 0;
  const proxy = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  proxy.on("connection", (down, req) => {
    const conn = ++connNo;
    const client = new URL(req.url ?? "/", "http://x").searchParams.get("who") ?? "?";
    const up = new WebSocket(`ws://127.0.0.1:${upstreamPort}`);
    const early: string[] = [];
    down.on("message", (d) => {
      const text = d.toString();
      frames.push({ dir: "client→server", conn, client, text });
      if (up.readyState === WebSocket.OPEN) up.send(text);
      else early.push(text);
    });
    up.on("open", () => early.splice(0).forEach((t) => up.send(t)));
    up.on("message", (d) => {
      const text = d.toString();
      frames.push({ dir: "server→client", conn, client, text });
      down.send(text);
    });
    down.on("close", () => up.close());
    up.on("close", () => down.close());
  });
  await new Promise<void>((r) => proxy.once("listening", () => r()));
  const pa = proxy.address();
  const base = `ws://127.0.0.1:${typeof pa === "object" && pa ? pa.port : 0}/announce`;
  const rtcConfig = { iceServers: [] };

  const connected = (c: Client, label: string) =>
    new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`${label}: no peer connection`)), 60_000);
      c.on("peer", ((p: Peer) => {
        p.on("connect", () => {
          clearTimeout(t);
          res();
        });
        p.on("error", () => {});
      }) as never);
    });

  // 1) webtorrent-shaped: hex info hash and peer ids, left given, completed + stopped + scrape.
  const hash = randomBytes(20).toString("hex");
  const wt1 = new Client({
    infoHash: hash,
    peerId: randomBytes(20).toString("hex"),
    announce: [`${base}?who=bt-a`],
    port: 6881,
    wrtc,
    rtcConfig,
    getAnnounceOpts: () => ({ left: 0 }),
  });
  const wt2 = new Client({
    infoHash: hash,
    peerId: randomBytes(20).toString("hex"),
    announce: [`${base}?who=bt-b`],
    port: 6881,
    wrtc,
    rtcConfig,
    getAnnounceOpts: () => ({ left: 1000 }),
  });
  for (const c of [wt1, wt2]) {
    c.on("warning", () => {});
    c.on("error", () => {});
  }
  wt1.start();
  await new Promise((r) => setTimeout(r, 500));
  const p1 = connected(wt1, "bt-a");
  wt2.start();
  await p1;
  wt2.scrape();
  await new Promise((r) => setTimeout(r, 300));
  wt2.complete();
  await new Promise((r) => setTimeout(r, 300));
  wt2.stop();
  await new Promise((r) => setTimeout(r, 300));

  // 2) p2p-media-loader-shaped: its info hash (btoa of sha1 prefix) and -PM0203- peer ids,
  //    two swarms (video level 0 and 1) sharing one socket per viewer.
  const pmHash = (s: string) => btoa(createHash("sha1").update(s).digest().toString("latin1").slice(0, 15));
  const SYMBOLS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const pmPeer = () => "-PM0203-" + Array.from({ length: 12 }, () => SYMBOLS[Math.floor(Math.random() * 62)]).join("");
  const enc = (s: string) => new TextEncoder().encode(s);
  const pm: Client[] = [];
  for (const who of ["pm-a", "pm-b"]) {
    for (const level of [0, 1]) {
      const c = new Client({
        infoHash: enc(pmHash(`v2-http://127.0.0.1/live/loop/master.m3u8-main-${level}`)),
        peerId: enc(pmPeer()),
        announce: [`${base}?who=${who}`],
        port: 6881,
        wrtc,
        rtcConfig,
      });
      c.on("warning", () => {});
      c.on("error", () => {});
      pm.push(c);
    }
  }
  pm[0]!.start();
  pm[1]!.start();
  await new Promise((r) => setTimeout(r, 500));
  const p2 = connected(pm[0]!, "pm-a level 0");
  pm[2]!.start();
  pm[3]!.start();
  await p2;
  await new Promise((r) => setTimeout(r, 500));

  for (const c of [wt1, wt2, ...pm]) c.destroy();
  await new Promise((r) => setTimeout(r, 500));

  // 3) p2p-media-loader-core itself: two viewers of the VOD sample served by the Worker.
  const worker = await startDevWorker({ timeoutMs: 120_000 });
  try {
    const viewers = ["pmc-a", "pmc-b"].map(
      (who) =>
        new VirtualViewer({
          id: who,
          masterUrl: `${worker.url}/streams/sample/master.m3u8`,
          core: { rtcConfig },
          announceTrackers: [`${base}?who=${who}`],
          integrity: true,
          rendition: "lowest",
        }),
    );
    await viewers[0]!.start();
    await new Promise((r) => setTimeout(r, 3000));
    await viewers[1]!.start();
    const deadline = Date.now() + 40_000;
    const pmcAnswers = () => frames.filter((f) => f.client.startsWith("pmc") && f.text.includes('"answer"')).length;
    while (Date.now() < deadline && pmcAnswers() < 2) await new Promise((r) => setTimeout(r, 500));
    for (const v of viewers) v.stop();
  } finally {
    await worker.stop();
  }
  await new Promise((r) => setTimeout(r, 500));
  proxy.close();
  await new Promise<void>((r) => server.close(() => r()));

  const out = resolve(import.meta.dirname, "../test/fixtures/tracker/captured-frames.json");
  const meta = {
    capturedWith: `bittorrent-tracker ${btVersion()} Client + Server, node-datachannel polyfill, scripts/capture-tracker-frames.ts`,
    frames,
  };
  writeFileSync(out, JSON.stringify(meta, null, 1) + "\n");
  console.log(`wrote ${frames.length} frames to ${out}`);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
