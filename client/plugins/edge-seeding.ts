// Edge-seeding plug-in (live). In the main bundle only what the core needs from its first
// request: the segment store it serves peers from (ours, so the seeder can add the segments
// it fetches, with one upload at a time) and the stream-id pairing fed by the store's request
// callback (stream-ids.ts). The seeder itself, its claim policy, the playlist bridge and the
// fetcher role are an extra (seeding.ts), loaded at attach: the core's hooks ask it once it is
// there (handover of fetched bytes to the core's own request, origin bytes).
// Only a viewer that uploads may seed: a winner that shares nothing sends everyone to HTTP.
// With the page's own windows the page decides, so no seeding either.
import { loadExtra } from "../extras";
import { sha256Hex } from "../integrity";
import { pageSetsWindows } from "../scheduling/window-policy";
import type { installSeeding, Seeding } from "../seeding";
import { SegmentStore } from "../segment-store";
import { streamIdBook } from "../stream-ids";
import { frameHooks } from "../tracker-socket";
import type { Dispose, P2PContext } from "./context";

type SeedingModule = { installSeeding: typeof installSeeding };

export function installEdgeSeeding(ctx: P2PContext, load = () => loadExtra<SeedingModule>("seeding", ctx.opts.assets)): Dispose {
  const { counters, hooks } = ctx;
  const ids = streamIdBook();
  // Ours rather than the core's built-in store, so the seeder can add the segments it wins;
  // the core builds a new one when P2P is switched off and on.
  let store: SegmentStore | undefined;
  hooks.storage = () => {
    store = new SegmentStore();
    store.onRequest = (swarmId, streamId, sn, type) => {
      if (type === "main") ids.onCoreRequest(swarmId, streamId, sn);
    };
    store.onUploadDone = (...a) => seeding?.onTransfer(...a);
    return store;
  };
  let seeding: Seeding | undefined;
  let gone = false;
  // A segment this viewer fetched at the edge is not fetched twice (seeder.ts handover).
  hooks.handover = async (url, ranged, signal) => seeding?.handover(url, ranged, signal);
  hooks.originBytes = (bytes) => (seeding ? seeding.originBytes(bytes) : bytes);
  hooks.handedOver = (url) => seeding?.handedOver(url) ?? false;
  /** Peers in the main stream's swarm, the one the seeder fetches for. */
  const mainPeers = () => {
    let n = 0;
    for (const k of counters.peers) if (k.startsWith("main:")) n++;
    return n;
  };
  ctx.on("onChunkUploaded", (bytes, peerId) => {
    store?.noteUploaded(bytes, peerId); // frees the upload slot (segment-store.ts)
    seeding?.onUpload(bytes);
  });
  ctx.on("onPeerConnect", () => seeding?.onPeers(mainPeers()));
  ctx.on("onPeerClose", () => seeding?.onPeers(mainPeers()));
  hooks.peersReset = () => seeding?.onPeers(0);
  if (!pageSetsWindows(ctx.opts.coreConfig)) {
    // If it cannot be loaded (offline, CSP, an old deploy), the core's own P2P goes on.
    load().then(
      (m) => {
        if (!gone) seeding = m.installSeeding(ctx, () => store, ids, frameHooks, sha256Hex);
      },
      () => {},
    );
  }
  return () => {
    gone = true;
    seeding?.dispose();
  };
}
