// Gives the bittorrent-tracker clients of this process the EdgeSwarm client's re-announce while
// peerless (and its peer size guard), so a Node virtual viewer asks the tracker again as a
// browser with the EdgeSwarm bundle does. In the bundle, scripts/build.mjs swaps the core's
// bittorrent-tracker import for client/tracker-client.ts; Node has no such swap, so this wraps
// the shared Client's start() and hands each started client to that module's own driver
// (watchTrackerClient). Without it a viewer whose one connection attempt failed
// (node-datachannel now and then: "Got a remote candidate without ICE transport") stays
// peerless until the 60 s announce interval. It never announces for a client the core did not start.
// @ts-expect-error -- bittorrent-tracker ships no types; only start is used here.
import Client from "bittorrent-tracker";
import { watchTrackerClient, type ClientLike } from "../../client/tracker-client.ts";

let installed = false;

/** Idempotent; affects every bittorrent-tracker Client started in this process afterwards. */
export function installPeerlessReannounce(): void {
  if (installed) return;
  installed = true;
  const proto = (Client as { prototype: ClientLike & { start(opts?: unknown): void } }).prototype;
  const start = proto.start;
  proto.start = function (this: ClientLike, opts?: unknown) {
    start.call(this, opts);
    watchTrackerClient(this);
  };
}
