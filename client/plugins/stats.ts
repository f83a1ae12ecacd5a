// Stats plug-ins. `installStats`: the `stats` event every second, the debug overlay and the
// stats reporter (both extras, loaded on demand: stats must never disturb playback).
// `installCoreStats`: the viewer's counters from the P2P core's events, the `peer` and
// `upload` events, and the `segment` event for what the core delivers.
import { loadExtra } from "../extras";
import { STATS_TICK_MS } from "../limits";
import type { Overlay } from "../overlay";
import type { Reporter } from "../reporter";
import * as S from "../stats";
import { message } from "../events";
import { announcedPeerId } from "../tracker-socket";
import type { Dispose, P2PContext, PlayerContext } from "./context";

export function snapshotOf(ctx: PlayerContext): S.Stats {
  return S.snapshot(ctx.counters, ctx.uploading(), ctx.mode());
}

export function installStats(ctx: PlayerContext): Dispose {
  const { opts } = ctx;
  let overlay: Overlay | undefined;
  if (opts.debug && typeof document !== "undefined") {
    loadExtra<typeof import("../overlay")>("overlay", opts.assets).then(
      (m) => {
        if (!ctx.destroyed()) overlay = new m.Overlay(ctx.video);
      },
      (err: unknown) => ctx.fail({ type: "other", details: `debug overlay not loaded: ${message(err)}`, fatal: false }),
    );
  }
  const tick = setInterval(() => {
    const s = snapshotOf(ctx);
    ctx.events.emit("stats", s);
    overlay?.update(s, opts.tracker);
  }, STATS_TICK_MS);
  // The reporter's first report goes out seconds after start anyway, and a page where it
  // cannot load plays the same.
  let reporter: Reporter | undefined;
  const reportUrl = opts.reportUrl;
  if (reportUrl && ctx.mode() !== "native") {
    loadExtra<typeof import("../reporter")>("reporter", opts.assets).then(
      (m) => {
        if (!ctx.destroyed())
          reporter = new m.Reporter(
            reportUrl,
            opts.channel,
            () => snapshotOf(ctx),
            () => announcedPeerId(opts.tracker),
          );
      },
      () => {},
    );
  }
  return () => {
    clearInterval(tick);
    reporter?.stop();
    overlay?.destroy();
  };
}

export function installCoreStats(ctx: P2PContext): Dispose {
  const { counters, events, hooks } = ctx;
  // HTTP bytes are counted per chunk, so a transfer the core aborts still counts (the origin sent it).
  ctx.on("onChunkDownloaded", (bytes, source) => {
    if (source === "http") ctx.http(hooks.originBytes ? hooks.originBytes(bytes) : bytes);
  });
  ctx.on("onSegmentLoaded", (d) => {
    if (d.downloadSource === "p2p") S.addP2P(counters, d.bytesLength);
    if (d.downloadSource === "http" && hooks.handedOver?.(d.segmentUrl)) return;
    ctx.segment({ source: d.downloadSource, bytes: d.bytesLength, url: d.segmentUrl, ...(d.peerId ? { peerId: d.peerId } : {}) });
  });
  ctx.on("onChunkUploaded", (bytes, peerId) => {
    S.addUploaded(counters, bytes);
    events.emit("upload", { peerId, bytes });
  });
  ctx.on("onPeerConnect", (p) => {
    counters.peers.add(`${p.streamType}:${p.peerId}`);
    events.emit("peer", { event: "connect", peerId: p.peerId });
  });
  ctx.on("onPeerClose", (p) => {
    counters.peers.delete(`${p.streamType}:${p.peerId}`);
    events.emit("peer", { event: "close", peerId: p.peerId });
  });
  ctx.on("onSegmentError", (d) => {
    const t = S.classifySegmentError(d.downloadSource, d.error.type);
    if (t) S.countError(counters, t);
  });
  return () => {};
}
