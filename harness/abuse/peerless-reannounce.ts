// Gives the bittorrent-tracker clients of this process the EdgeSwarm client's re-announce while
// peerless, so a Node virtual viewer asks the tracker again as a browser with the EdgeSwarm
// bundle does. In the bundle, scripts/build.mjs swaps the core's bittorrent-tracker import for
// client/tracker-client.ts; Node has no such swap, so this wraps the shared Client's start()
// instead and drives the same pure policy (client/reannounce.ts) on the same events ("update"
// replies, "peer" connects and closes) with the same 1 s tick. Without it a viewer whose one
// connection attempt failed (node-datachannel now and then: "Got a remote candidate without
// ICE transport") stays peerless until the 60 s announce interval.
// It does not add the peer size guard the bundle's client also installs, and it never announces
// for a client the core did not start.
// @ts-expect-error -- bittorrent-tracker ships no types; only start/update/on/destroyed are used.
import Client from "bittorrent-tracker";
import { PeerlessReannounce } from "../../client/reannounce.ts";
import { REANNOUNCE_TICK_MS } from "../../client/limits.ts";

interface PeerLike {
  once(ev: "connect" | "close", fn: () => void): void;
}
interface ClientLike {
  destroyed: boolean;
  on(ev: "peer", fn: (p: PeerLike) => void): void;
  on(ev: "update", fn: (d: { complete?: number; incomplete?: number }) => void): void;
  start(opts?: unknown): void;
  update(): void;
}

const live = new Map<ClientLike, PeerlessReannounce>();
let timer: ReturnType<typeof setInterval> | undefined;
let installed = false;
const nowS = () => performance.now() / 1000;

/** Re-announces since install, for the printout. */
export const reannounced = { count: 0 };

function tick(): void {
  for (const [client, policy] of live) {
    if (client.destroyed) {
      live.delete(client);
      continue;
    }
    if (!policy.due(nowS())) continue;
    policy.onAnnounce(nowS());
    reannounced.count++;
    try {
      client.update();
    } catch {
      /* a client torn down under us: the next tick forgets it */
    }
  }
}

function watch(client: ClientLike): void {
  const policy = new PeerlessReannounce();
  live.set(client, policy);
  client.on("update", (d) => policy.onReply(Number(d?.complete), Number(d?.incomplete), nowS()));
  client.on("peer", (peer) => {
    let connectedAt: number | undefined;
    peer.once("connect", () => {
      connectedAt = nowS();
      policy.onConnect();
    });
    peer.once("close", () => {
      if (connectedAt !== undefined) policy.onClose(nowS(), nowS() - connectedAt);
    });
  });
  if (!timer) {
    timer = setInterval(tick, REANNOUNCE_TICK_MS);
    timer.unref();
  }
}

/** Idempotent; affects every bittorrent-tracker Client started in this process afterwards. */
export function installPeerlessReannounce(): void {
  if (installed) return;
  installed = true;
  const proto = (Client as { prototype: ClientLike }).prototype;
  const start = proto.start;
  proto.start = function (this: ClientLike, opts?: unknown) {
    start.call(this, opts);
    if (!live.has(this)) watch(this);
  };
}
