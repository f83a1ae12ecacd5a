// Stands in for @thaunknown/simple-websocket inside bittorrent-tracker (scripts/build.mjs
// redirects that one import here) so the player learns when a tracker socket opens or closes.
// bittorrent-tracker emits nothing on a clean close and then waits 10 s–5 min to reconnect;
// tracker-watch.ts uses these notices to bring P2P back as soon as the tracker is reachable.
// It also remembers the peer_id of the page's latest announce per tracker: the stats reporter
// sends it, because the Worker counts a new viewer only if its tracker has seen that peer_id.
// @ts-expect-error -- untyped CommonJS-free ESM package; only its constructor and events are used.
import Socket from "@thaunknown/simple-websocket";

export type SocketNotice = "connect" | "close";
type Watcher = (url: string, notice: SocketNotice) => void;

const watchers = new Set<Watcher>();

export function watchTrackerSockets(fn: Watcher): () => void {
  watchers.add(fn);
  return () => watchers.delete(fn);
}

function notify(url: string, notice: SocketNotice): void {
  for (const w of [...watchers]) {
    try {
      w(url, notice);
    } catch {
      /* a watcher's bug must not break the tracker client */
    }
  }
}

/** A tracker socket as the fetcher-role extra uses it. */
export interface TrackerSocket {
  send(text: string): void;
}

/**
 * EdgeSwarm's own tracker frames (es_role, worker/tracker/protocol.ts) must never reach
 * bittorrent-tracker, which takes an unknown action for a broken socket; and the role extra
 * needs to see which swarms the page announces in. Set by fetcher-role.ts (loaded on demand).
 */
export const frameHooks: {
  incoming?: (socket: TrackerSocket, text: string) => void;
  outgoing?: (socket: TrackerSocket, text: string) => void;
} = {};

/** Latest announced peer_id per tracker URL (without its query, where a token may sit). */
const announced = new Map<string, string>();

/** The peer_id this page last announced on `trackerUrl`, if any. */
export function announcedPeerId(trackerUrl: string): string | undefined {
  return announced.get(trackerUrl.split("?")[0]!);
}

function noteAnnounce(url: string, text: string): void {
  try {
    const f = JSON.parse(text) as { action?: unknown; peer_id?: unknown; event?: unknown };
    if (f.action !== "announce" || typeof f.peer_id !== "string") return;
    const key = url.split("?")[0]!;
    if (f.event !== "stopped") announced.set(key, f.peer_id);
    else if (announced.get(key) === f.peer_id) announced.delete(key);
  } catch {
    /* not JSON: not ours to read */
  }
}

type Base = new (opts: unknown) => { once(ev: string, fn: () => void): void; send(chunk: unknown): void; _handleMessage(e: { data: unknown }): void };

/** Same class as simple-websocket, plus notices on connect and close, and frameHooks. */
export default class WatchedSocket extends (Socket as Base) {
  private readonly url: string;

  constructor(opts: unknown) {
    super(opts);
    const url = typeof opts === "string" ? opts : String((opts as { url?: unknown } | null)?.url ?? "");
    this.url = url;
    this.once("connect", () => notify(url, "connect"));
    this.once("close", () => notify(url, "close"));
  }

  override send(chunk: unknown): void {
    if (typeof chunk === "string") {
      frameHooks.outgoing?.(this, chunk);
      noteAnnounce(this.url, chunk);
    }
    super.send(chunk);
  }

  override _handleMessage(e: { data: unknown }): void {
    if (typeof e.data === "string" && e.data.startsWith('{"action":"es_')) frameHooks.incoming?.(this, e.data);
    else super._handleMessage(e);
  }
}
