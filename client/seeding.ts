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
import { MAX_HANDED, UPLINK_PROBE, WEAK_UPLINK } from "./limits";
import type { P2PContext } from "./plugins/context";
import { bridgeSeeder } from "./seed-bridge";
import { EdgeSeeder } from "./seeder";
import type { SegmentStore } from "./segment-store";
import type { StreamIdBook } from "./stream-ids";
import { uploadSlots } from "./upload-slots";
import { probeUplink } from "./uplink-probe";
import { UPLINK_PROBE_PATH } from "../shared/uplink-probe";

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
  ctx.on("onChunkUploaded", (bytes, peerId) => gauge.onChunk(peerId, bytes, nowS()));
  const streamRate = (): number | undefined => {
    const td = ctx.hls.levels?.[ctx.hls.currentLevel]?.details?.targetduration;
    return td && segBytes > 0 ? segBytes / td : undefined;
  };
  const setSlow = (now: boolean): void => {
    slow = now;
    ctx.configure({ isP2PUploadDisabled: slow || !ctx.uploading() });
  };
  const checkUplink = (): boolean => {
    const rate = gauge.rate(nowS());
    const now = slowUplink.update(rate, streamRate(), peers, nowS());
    if (now !== slow) {
      setSlow(now);
      ctx.events.emit("uplink", { source: "peers", bytesPerS: rate, slow });
    }
    return slow;
  };
  // The uplink probe (uplink-probe.ts), once the stream's rate is known (the first segment)
  // if this viewer uploads: a slow verdict holds before any claim or upload, and nothing is
  // claimed or uploaded until it has answered (at most UPLINK_PROBE.timeoutS). While it holds,
  // the probe runs again just before the hold ends, and may extend it.
  let probeTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * Until the first probe answers, nothing is claimed and nothing uploaded: a weak viewer's
   * wins cost its peers a fallback each, and uploads sharing its link would spoil the probe
   * (measured: 52 KiB/s read on a 37 KiB/s uplink beside them) and the viewer's own downloads.
   */
  let probed = false;
  if (ctx.uploading()) ctx.configure({ isP2PUploadDisabled: true });
  const probe = (): void => {
    if (ctx.destroyed()) return;
    if (!ctx.uploading()) {
      if (!probed) setSlow(slow);
      probed = true;
      return;
    }
    const url = ctx.authed(`${ctx.opts.workerOrigin}${UPLINK_PROBE_PATH}`);
    const stream = streamRate();
    const bar = stream !== undefined ? WEAK_UPLINK.share * stream : undefined;
    void probeUplink({ fetch: (input, init) => fetch(input, init), url, nowMs: ctx.now, bar }).then((rate) => {
      if (ctx.destroyed()) return;
      const first = !probed;
      probed = true;
      const held = slowUplink.probed(rate, streamRate(), nowS());
      ctx.events.emit("uplink", { source: "probe", bytesPerS: rate, slow: held });
      if (!held) {
        if (first) setSlow(false);
        return;
      }
      setSlow(true);
      probeTimer = setTimeout(probe, (WEAK_UPLINK.holdS - UPLINK_PROBE.timeoutS) * 1000);
    });
  };
  // The probe starts at the viewer's UPLINK_PROBE.afterSegments-th segment, when the player
  // holds a few seconds ahead: a slow uplink filled by the probe delays the acknowledgements
  // of the viewer's own downloads (right after the first segment it cost the lab's weak
  // viewer a 0.26–0.62 s stall in 2 of 4 runs), or maxWaitS after the first at the latest.
  let loaded = 0;
  let started = false;
  const startProbe = (): void => {
    if (started) return;
    started = true;
    clearTimeout(probeTimer);
    setTimeout(probe);
  };
  ctx.on("onSegmentLoaded", (e) => {
    segBytes = segBytes === 0 ? e.bytesLength : segBytes + (e.bytesLength - segBytes) / 8;
    loaded++;
    if (loaded === 1) probeTimer = setTimeout(startProbe, UPLINK_PROBE.maxWaitS * 1000);
    if (loaded === UPLINK_PROBE.afterSegments) startProbe();
  });
  const seeder = new EdgeSeeder(store, ctx.opts.channel, {
    fetch: ctx.hooks.fetch,
    onHttpBytes: ctx.http,
    onStored: (url, bytes) => {
      claims.onWin(nowS());
      ctx.segment({ source: "http", bytes, url });
    },
    gate: () => probed && !checkUplink() && claims.allowed(nowS()),
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
      clearTimeout(probeTimer);
      role.dispose();
      seeder.destroy();
      unbridge();
    },
  };
}
