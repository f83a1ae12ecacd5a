// Edge seeding, the part loaded on demand (extras.ts "seeding"): the seeder that fetches new
// live segments at the edge (claims, or the role the tracker shard gives this viewer) and
// stores them under the core's own ids, the claim policy that says when claiming helps, the
// bridge that feeds it hls.js's live playlists, and the fetcher role's reports. The plug-in
// (plugins/edge-seeding.ts) keeps in the main bundle only what the core needs from the first
// request: the segment store and the stream-id pairing. Until this module is loaded (tens of
// milliseconds after attach, before the first live playlist as a rule) nothing is seeded.
// Stateful parts of the main bundle are handed in: an extra is a separate bundle.
import { ClaimPolicy, SlowUplink, UplinkGauge } from "./claim-policy";
import { installFetcherRole, type FrameHooks } from "./fetcher-role";
import { MAX_HANDED } from "./limits";
import type { P2PContext } from "./plugins/context";
import { bridgeSeeder } from "./seed-bridge";
import { EdgeSeeder } from "./seeder";
import type { SegmentStore } from "./segment-store";
import type { StreamIdBook } from "./stream-ids";
import { uploadSlots } from "./upload-slots";

export interface Seeding {
  /** A request with the bytes of `url` when this viewer already fetched it (handover), else undefined. */
  handover(url: string, ranged: boolean, signal: AbortSignal): Promise<Request | undefined>;
  /** Of HTTP bytes the core reports, those that crossed the origin. */
  originBytes(bytes: number): number;
  /** True once per handed-over `url` (its `segment` event already went out). */
  handedOver(url: string): boolean;
  onUpload(bytes: number): void;
  /** A whole segment (`mediaS` seconds) went out to a peer in `ms`, `conc` uploads running at once (segment-store.ts). */
  onTransfer(bytes: number, ms: number, mediaS: number, conc: number): void;
  /** Peers in the main stream's swarm. */
  onPeers(n: number): void;
  dispose(): void;
}

export function installSeeding(
  ctx: P2PContext,
  store: () => SegmentStore | undefined,
  ids: StreamIdBook,
  frames: FrameHooks,
  /** The main bundle's SHA-256 (integrity.ts): its JS fallback is loaded there, not here. */
  hash: (data: Uint8Array) => Promise<string>,
): Seeding {
  const claims = new ClaimPolicy();
  const nowS = () => ctx.now() / 1000;
  // A viewer slower than the stream neither claims nor uploads (claim-policy.ts SlowUplink).
  // Uploads are switched off in the core (it then announces nothing and answers "absent"), and
  // back to the player's upload policy when the hold ends.
  const slowUplink = new SlowUplink();
  const gauge = new UplinkGauge();
  let peers = 0;
  let slow = false;
  // The stream's bytes per second: a running mean of segment sizes (one segment's weight:
  // 1/8) over the played level's target duration.
  let segBytes = 0;
  ctx.on("onSegmentLoaded", (e) => (segBytes = segBytes === 0 ? e.bytesLength : segBytes + (e.bytesLength - segBytes) / 8));
  ctx.on("onChunkUploaded", (bytes, peerId) => gauge.onChunk(peerId, bytes, nowS()));
  const checkUplink = (): boolean => {
    const td = ctx.hls.levels?.[ctx.hls.currentLevel]?.details?.targetduration;
    const now = slowUplink.update(gauge.rate(nowS()), td && segBytes > 0 ? segBytes / td : undefined, peers, nowS());
    if (now !== slow) {
      slow = now;
      ctx.configure({ isP2PUploadDisabled: slow || !ctx.uploading() });
    }
    return slow;
  };
  const seeder = new EdgeSeeder(store, ctx.opts.channel, {
    fetch: ctx.hooks.fetch,
    onHttpBytes: ctx.http,
    onStored: (url, bytes) => {
      claims.onWin(nowS());
      ctx.segment({ source: "http", bytes, url });
    },
    gate: () => !checkUplink() && claims.allowed(nowS()),
    hash,
    authed: ctx.authed,
  });
  /** URLs of handed-over segments: their `segment` event went out when the seeder stored them. */
  const handed = new Set<string>();
  const unbridge = bridgeSeeder(
    ctx.hls,
    seeder,
    ids,
    () => ctx.video.currentTime,
    () => ctx.uploading() && !ctx.destroyed(),
  );
  const role = installFetcherRole(ctx, seeder, frames);
  // How many uploads the store serves at once (upload-slots.ts), here rather than in the
  // store: the main bundle has no room for it, and until this loads the store serves one.
  const slots = uploadSlots();
  return {
    async handover(url, ranged, signal) {
      const req = await seeder.handoverRequest(url, signal, ranged);
      if (req) {
        handed.add(url);
        if (handed.size > MAX_HANDED) handed.delete(handed.values().next().value!);
      }
      return req;
    },
    originBytes: (bytes) => seeder.originBytes(bytes),
    handedOver: (url) => handed.delete(url),
    onUpload(bytes) {
      claims.onUpload(bytes, nowS());
      checkUplink();
    },
    onTransfer(bytes, ms, mediaS, conc) {
      role.onTransfer(bytes, ms);
      const s = store();
      if (s) s.maxUploads = slots.done(mediaS, nowS() - ms / 1000, conc, nowS());
      checkUplink();
    },
    onPeers(n) {
      peers = n;
      claims.onPeers(n);
    },
    dispose() {
      role.dispose();
      seeder.destroy();
      unbridge();
    },
  };
}
