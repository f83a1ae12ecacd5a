// Edge-seeding plug-in (live): the segment store the core serves peers from, the seeder that
// claims new segments at the edge and stores the ones it wins under the core's own ids
// (stream-ids.ts, from the store's request callback), the claim policy that says when
// claiming helps, and the handover of won bytes to the core's own request for them.
// Only a viewer that uploads may seed: a winner that shares nothing sends everyone to HTTP.
// With the page's own windows the page decides, so no seeding either.
import { ClaimPolicy } from "../claim-policy";
import { MAX_HANDED } from "../limits";
import { pageSetsWindows } from "../scheduling/window-policy";
import { bridgeSeeder } from "../seed-bridge";
import { EdgeSeeder } from "../seeder";
import { SegmentStore } from "../segment-store";
import { streamIdBook } from "../stream-ids";
import type { Dispose, P2PContext } from "./context";

export function installEdgeSeeding(ctx: P2PContext): Dispose {
  const { counters, hooks } = ctx;
  const claims = new ClaimPolicy();
  const nowS = () => ctx.now() / 1000;
  const ids = streamIdBook();
  // Ours rather than the core's built-in store, so the seeder can add the segments it wins;
  // the core builds a new one when P2P is switched off and on.
  let store: SegmentStore | undefined;
  hooks.storage = () => {
    store = new SegmentStore();
    store.onRequest = (swarmId, streamId, sn, type) => {
      if (type === "main") ids.onCoreRequest(swarmId, streamId, sn);
    };
    return store;
  };
  const seeder = new EdgeSeeder(() => store, ctx.opts.channel, {
    fetch: hooks.fetch,
    onHttpBytes: ctx.http,
    onStored: (url, bytes) => {
      claims.onWin(nowS());
      ctx.segment({ source: "http", bytes, url });
    },
    gate: () => claims.allowed(nowS()),
  });
  /** URLs of handed-over segments: their `segment` event went out when the seeder stored them. */
  const handed = new Set<string>();
  // A segment this viewer won by claim is not fetched twice (seeder.ts handover).
  hooks.handover = async (url, ranged, signal) => {
    const handover = await seeder.handoverRequest(url, signal, ranged);
    if (handover) {
      handed.add(url);
      if (handed.size > MAX_HANDED) handed.delete(handed.values().next().value!);
    }
    return handover;
  };
  hooks.originBytes = (bytes) => seeder.originBytes(bytes);
  hooks.handedOver = (url) => handed.delete(url);
  /** Peers in the main stream's swarm, the one the seeder claims for. */
  const mainPeers = () => {
    let n = 0;
    for (const k of counters.peers) if (k.startsWith("main:")) n++;
    return n;
  };
  ctx.on("onChunkUploaded", (bytes) => {
    store?.noteUploaded(bytes); // frees the upload slot (segment-store.ts)
    claims.onUpload(bytes, nowS());
  });
  ctx.on("onPeerConnect", () => claims.onPeers(mainPeers()));
  ctx.on("onPeerClose", () => claims.onPeers(mainPeers()));
  hooks.peersReset = () => claims.onPeers(0);
  const unbridge = pageSetsWindows(ctx.opts.coreConfig)
    ? undefined
    : bridgeSeeder(
        ctx.hls,
        seeder,
        ids,
        () => ctx.video.currentTime,
        () => ctx.uploading() && !ctx.destroyed(),
      );
  return () => {
    seeder.destroy();
    unbridge?.();
  };
}
