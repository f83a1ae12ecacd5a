// Stands in for bittorrent-tracker's Client inside p2p-media-loader-core (scripts/build.mjs
// redirects that one import here): the same class, plus a re-announce while it has no peers
// (reannounce.ts decides when). The core keeps its tracker clients private and gives no way
// to announce; `update()` is bittorrent-tracker's public call for exactly that.
// Every peer connection also gets the size guard (peer-size-guard.ts) before the core sees it.
// It changes nothing else: the core still owns every client, its peers and its lifetime.
// @ts-expect-error -- bittorrent-tracker ships no types; only the members below are used.
import Client from "bittorrent-tracker";
import { REANNOUNCE_TICK_MS } from "./limits";
import { PeerlessReannounce } from "./reannounce";
import { guardConnection, type ConnectionLike } from "./peer-size-guard";

interface PeerLike extends ConnectionLike {
  once(ev: "connect" | "close", fn: () => void): void;
}
export interface ClientLike {
  destroyed: boolean;
  on(ev: "peer", fn: (p: PeerLike) => void): void;
  on(ev: "update", fn: (d: { complete?: number; incomplete?: number }) => void): void;
  update(): void;
  destroy(cb?: () => void): void;
}

const live = new Map<ClientLike, PeerlessReannounce>();
let timer: ReturnType<typeof setInterval> | undefined;
const nowS = () => performance.now() / 1000;

function tick(): void {
  for (const [client, policy] of live) {
    if (client.destroyed) {
      live.delete(client);
      continue;
    }
    if (!policy.due(nowS())) continue;
    policy.onAnnounce(nowS());
    try {
      client.update();
    } catch {
      /* a client torn down under us: the next tick forgets it */
    }
  }
  if (live.size === 0 && timer !== undefined) {
    clearInterval(timer);
    timer = undefined;
  }
}

/** How many tracker clients are being watched now (tests and the debug overlay). */
export function watchedTrackerClients(): number {
  return live.size;
}

/**
 * Re-announces `client` while it has no peers, and guards each of its peer connections. The
 * bundle's class below calls it for every client; Node harnesses (no build redirect) call it
 * for clients they start, so they run this exact driver.
 */
export function watchTrackerClient(client: ClientLike): void {
  if (live.has(client)) return;
  const policy = new PeerlessReannounce();
  live.set(client, policy);
  client.on("update", (d) => policy.onReply(Number(d?.complete), Number(d?.incomplete), nowS()));
  client.on("peer", (peer) => {
    // Before the core builds its Peer on this connection (peer-size-guard.ts, issue 14 M6).
    guardConnection(peer);
    // The core destroys duplicate connections before they connect: count only real ones.
    let connectedAt: number | undefined;
    peer.once("connect", () => {
      connectedAt = nowS();
      policy.onConnect();
    });
    peer.once("close", () => {
      if (connectedAt !== undefined) policy.onClose(nowS(), nowS() - connectedAt);
    });
  });
  timer ??= setInterval(tick, REANNOUNCE_TICK_MS);
}

export default class ReannouncingClient extends (Client as new (opts: unknown) => ClientLike) {
  constructor(opts: unknown) {
    super(opts);
    watchTrackerClient(this);
  }

  override destroy(cb?: () => void): void {
    live.delete(this);
    super.destroy(cb);
  }
}
