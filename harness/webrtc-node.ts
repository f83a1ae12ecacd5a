// Real WebRTC peers and tracker clients in Node, for integration tests and the tracker
// bench: node-datachannel's polyfill as `wrtc`, loopback-only ICE, the reference
// bittorrent-tracker Server, and typed handles on the (untyped) bittorrent-tracker and
// webtorrent packages. It does not mock anything: every object here is the real library.
import { randomBytes } from "node:crypto";
import wrtc from "node-datachannel/polyfill";

export { wrtc };

// No STUN server is reachable on these machines; host candidates on loopback connect.
export const rtcConfig = { iceServers: [] as { urls: string }[] };

/** A 20-byte id as 40 hex chars (what bittorrent-tracker's Client takes as infoHash/peerId). */
export function randomHex20(): string {
  return randomBytes(20).toString("hex");
}

// --- minimal typings for the parts of the untyped packages we use -------------------

export interface SimplePeer {
  id?: string;
  connected: boolean;
  send(data: Uint8Array | string): void;
  destroy(): void;
  on(ev: "data", fn: (d: Uint8Array) => void): void;
  on(ev: "connect" | "close", fn: () => void): void;
  on(ev: "error", fn: (e: Error) => void): void;
  once(ev: "connect" | "close", fn: () => void): void;
}

export interface TrackerClient {
  start(): void;
  /** Re-announce now (fresh offers over WebSocket trackers). */
  update(): void;
  stop(): void;
  destroy(cb?: (err?: Error) => void): void;
  on(ev: "peer", fn: (p: SimplePeer) => void): void;
  on(ev: "warning" | "error", fn: (e: Error) => void): void;
  on(ev: "update", fn: (d: { complete: number; incomplete: number }) => void): void;
}

export interface TrackerClientOptions {
  infoHash: string;
  peerId: string;
  announce: string[];
  wrtc: unknown;
  rtcConfig: unknown;
  getAnnounceOpts?: () => Record<string, unknown>;
}

interface ReferenceServer {
  listen(port: number, host: string, cb: () => void): void;
  close(cb: () => void): void;
  on(ev: "error" | "warning", fn: (e: Error) => void): void;
  /** Peer events ("start", "stop", "update", "complete"): (peer id or address, announce params). */
  on(ev: string, fn: (peer: unknown, params: Record<string, unknown>) => void): void;
  http: { address(): { port: number } | string | null };
}

// Non-literal specifiers keep TypeScript from demanding declarations for these
// untyped JS packages without adding a project-wide ambient `declare module`.
const BT_CLIENT = "bittorrent-tracker/client";
const BT_SERVER = "bittorrent-tracker/server";
const WEBTORRENT = "webtorrent";

export async function createTrackerClient(opts: TrackerClientOptions): Promise<TrackerClient> {
  const mod = (await import(BT_CLIENT)) as { default: new (o: TrackerClientOptions) => TrackerClient };
  // The Client insists on a listen `port` (used only in HTTP/UDP announces); ws ignores it.
  return new mod.default({ port: 6881, ...opts } as TrackerClientOptions);
}

export async function loadWebTorrent(): Promise<new (opts: Record<string, unknown>) => WebTorrentClient> {
  const mod = (await import(WEBTORRENT)) as { default: new (opts: Record<string, unknown>) => WebTorrentClient };
  await patchWebTorrentInfoHashBug();
  return mod.default;
}

interface ParsedTorrent {
  infoHash: string;
  announce: string[];
  urlList: string[];
  private?: boolean;
}
interface TorrentInternals {
  destroyed: boolean;
  infoHash: string;
  _debugId: string;
  private?: boolean;
  announce?: string[];
  urlList?: string[];
  client: { tracker?: { announce?: string[] } | false };
  magnetURI: string;
  torrentFile: Uint8Array;
  _onParsedTorrent(p: ParsedTorrent): void;
  _destroy(err: Error): void;
}

/**
 * webtorrent 2.8.5 calls uint8-util's `arr2hex(parsedTorrent.infoHash)` on a hex *string*
 * (only to build a debug id). uint8-util 2.3.x, which parse-torrent 11.0.24 requires, takes
 * only byte arrays and throws, so every seed/add dies in an unhandled rejection and never
 * starts (known upstream: webtorrent/webtorrent-cli#365). We replace the two methods that
 * contain that line with the same logic minus the throwing call. The patch installs itself
 * only while the bug is present, so it goes away once the dependency is fixed.
 */
async function patchWebTorrentInfoHashBug(): Promise<void> {
  const u8 = (await import("uint8-util" as string)) as { arr2hex(x: unknown): string };
  try {
    u8.arr2hex("ab");
    return; // this uint8-util accepts strings: nothing to patch
  } catch {
    /* the bug is present */
  }
  const torrentMod = (await import("webtorrent/lib/torrent.js" as string)) as { default: { prototype: TorrentInternals } };
  const pt = (await import("parse-torrent" as string)) as {
    default: (id: unknown) => Promise<ParsedTorrent>;
    remote: (id: unknown, cb: (err: Error | null, p?: ParsedTorrent) => void) => void;
    toMagnetURI: (p: ParsedTorrent) => string;
    toTorrentFile: (p: ParsedTorrent) => Uint8Array;
  };
  const proto = torrentMod.default.prototype as TorrentInternals & { __edgeswarmPatched?: boolean };
  if (proto.__edgeswarmPatched) return;
  proto.__edgeswarmPatched = true;
  (proto as unknown as { _onTorrentId(id: unknown): Promise<void> })._onTorrentId = async function (this: TorrentInternals, torrentId: unknown) {
    if (this.destroyed) return;
    let parsed: ParsedTorrent | undefined;
    try {
      parsed = await pt.default(torrentId);
    } catch {
      /* not parseable synchronously: fall through to `remote` as upstream does */
    }
    if (parsed) {
      const p = parsed;
      this.infoHash = p.infoHash;
      this._debugId = p.infoHash.slice(0, 7);
      queueMicrotask(() => {
        if (!this.destroyed) this._onParsedTorrent(p);
      });
    } else {
      pt.remote(torrentId, (err, p) => {
        if (this.destroyed) return;
        if (err || !p) return this._destroy(err ?? new Error("invalid torrent id"));
        this._onParsedTorrent(p);
      });
    }
  };
  (proto as unknown as { _processParsedTorrent(p: ParsedTorrent): void })._processParsedTorrent = function (this: TorrentInternals, p: ParsedTorrent) {
    this._debugId = p.infoHash.slice(0, 7);
    if (typeof this.private !== "undefined") p.private = this.private;
    if (Array.isArray(this.announce)) p.announce = p.announce.concat(this.announce);
    const tracker = this.client.tracker;
    if (tracker && Array.isArray(tracker.announce) && !p.private) p.announce = p.announce.concat(tracker.announce);
    if (this.urlList) p.urlList = p.urlList.concat(this.urlList);
    p.announce = Array.from(new Set(p.announce));
    p.urlList = Array.from(new Set(p.urlList));
    Object.assign(this, p);
    this.magnetURI = pt.toMagnetURI(p);
    this.torrentFile = pt.toTorrentFile(p);
  };
}

export interface WebTorrentFile {
  length: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface WebTorrentTorrent {
  /** torrent-discovery; its `tracker` is a bittorrent-tracker Client once started. */
  discovery?: { tracker?: { update(): void } | null } | null;
  infoHash: string;
  magnetURI: string;
  done: boolean;
  files: WebTorrentFile[];
  numPeers: number;
  on(ev: "done" | "ready" | "wire", fn: () => void): void;
  on(ev: "error" | "warning", fn: (e: Error | string) => void): void;
}

export interface WebTorrentClient {
  seed(input: Buffer, opts: Record<string, unknown>, cb: (t: WebTorrentTorrent) => void): void;
  add(id: string, opts: Record<string, unknown>, cb?: (t: WebTorrentTorrent) => void): WebTorrentTorrent;
  destroy(cb?: (err?: Error) => void): void;
  on(ev: "error" | "warning", fn: (e: Error | string) => void): void;
}

/** Re-announce a torrent to its trackers now (fresh WebRTC offers), if it has started. */
export function reannounce(t: WebTorrentTorrent): void {
  t.discovery?.tracker?.update();
}

/** WebTorrent options for a loopback-only, tracker-only client: no DHT/LSD/uTP/NAT. */
export function webtorrentOptions(): Record<string, unknown> {
  return {
    dht: false,
    lsd: false,
    utp: false,
    natUpnp: false,
    natPmp: false,
    webSeeds: false,
    tracker: { wrtc, rtcConfig },
  };
}

/**
 * bittorrent-tracker's own Server, WebSocket only, in this process, on a free loopback
 * port. It is the control: if a test passes here but fails on the Worker, the Worker
 * is at fault, not the harness.
 */
export async function startReferenceTracker(): Promise<{
  wsUrl: string;
  stop(): Promise<void>;
  /** The server's own peer events with the announce's parameters (what its tests listen to). */
  onPeerEvent(event: string, fn: (params: Record<string, unknown>) => void): void;
}> {
  const mod = (await import(BT_SERVER)) as { default: new (o: Record<string, unknown>) => ReferenceServer };
  const server = new mod.default({ http: false, udp: false, ws: true, stats: false });
  server.on("error", () => {}); // a client's bad frame must not crash the test process
  server.on("warning", () => {});
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.http.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    onPeerEvent: (event, fn) => server.on(event, (_peer, params) => fn(params)),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * Polls `cond` until true or the deadline (bounded loop), then throws naming `what`
 * and, if given, `detail()` (e.g. client warnings and the server's log tail).
 */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 60_000, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail()}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
