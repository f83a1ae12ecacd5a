// attach(video, src, options): plays an HLS stream in a <video> with hls.js, loading
// segments from peers through p2p-media-loader when their SHA-256 checks out and over HTTP
// otherwise. Owns the wiring and the handle (stats, typed events, destroy); the tuned values
// live in engine-config.ts, the hash rules in integrity.ts, the counters in stats.ts.
import Hls from "hls.js";
import { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";
import type { CoreConfig, CoreEventMap } from "p2p-media-loader-core";
import { CORE_TUNING, HLS_TUNING, JOIN_SEGMENTS, TRACKER_RESTART_GAP_MS, windowsFor } from "./engine-config";
import { Emitter } from "./events";
import { countingLoader, engineView } from "./hls-bridge";
import { HashBook, useJsSha256, type JsSha256 } from "./integrity";
import { loadExtra } from "./extras";
import { resolveOptions, type AttachOptions, type ResolvedOptions } from "./options";
import type { Overlay } from "./overlay";
import type { Reporter } from "./reporter";
import * as S from "./stats";
import { bridgeSeeder } from "./seed-bridge";
import { ClaimPolicy } from "./claim-policy";
import { EdgeSeeder } from "./seeder";
import { SegmentStore } from "./segment-store";
import { HttpTiming, timedFetch } from "./http-timing";
import { installUploadCorruption } from "./test-hooks";
import { watchTrackerSockets } from "./tracker-socket";
import { isPeerFailure, TrackerWatch, type TrackerState } from "./tracker-watch";
import { readConnection, shouldUpload } from "./upload-policy";

/** Errors are data, never exceptions thrown at the page: `fatal` means playback stopped. */
export interface EdgeSwarmError {
  type: "network" | "media" | "tracker" | "option" | "unsupported" | "other";
  details: string;
  fatal: boolean;
}

export interface EdgeSwarmEvents {
  /** Every second while attached. */
  stats: S.Stats;
  /** A segment arrived (p2p: verified, with the peer it came from). */
  segment: { source: "http" | "p2p", bytes: number, url: string, peerId?: string };
  /** Bytes sent to one peer (a chunk of a segment it asked for). */
  upload: { peerId: string, bytes: number };
  /** A peer's bytes were thrown away: they did not match the Worker's hash, or it has none. */
  rejected: { reason: "hash-mismatch" | "hash-unknown", url: string, bytes: number };
  peer: { event: "connect" | "close", peerId: string };
  tracker: { state: TrackerState };
  error: EdgeSwarmError;
}

export interface EdgeSwarmHandle {
  readonly video: HTMLVideoElement;
  readonly options: Readonly<ResolvedOptions>;
  stats(): S.Stats;
  on<K extends keyof EdgeSwarmEvents>(type: K, fn: (e: EdgeSwarmEvents[K]) => void): () => void;
  off<K extends keyof EdgeSwarmEvents>(type: K, fn: (e: EdgeSwarmEvents[K]) => void): void;
  destroy(): void;
}

const handles = new WeakMap<HTMLVideoElement, EdgeSwarmHandle>();

/** The handle attached to a video, if any (script-tag pages use this to read stats). */
export function handleOf(video: HTMLVideoElement): EdgeSwarmHandle | undefined {
  return handles.get(video);
}

function message(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (err && typeof err === "object" && "message" in err) return String((err as { message: unknown }).message);
  return String(err);
}

export function attach(video: HTMLVideoElement, src: string, options: AttachOptions = {}, scriptUrl?: string): EdgeSwarmHandle {
  if (typeof HTMLVideoElement === "undefined" || !(video instanceof HTMLVideoElement)) throw new TypeError("edgeswarm: attach() needs a <video> element");
  handles.get(video)?.destroy();
  const { resolved: opts, problems } = resolveOptions(src, options, scriptUrl);
  const events = new Emitter<EdgeSwarmEvents>();
  const counters = S.newCounters();
  const book = new HashBook();
  const conn = readConnection(typeof navigator !== "undefined" ? navigator : undefined);
  let uploading = opts.p2p && shouldUpload(opts.upload, conn);
  let mode: S.Stats["mode"] = "http";
  let destroyed = false;
  const cleanups: Array<() => void> = [];
  const snapshot = () => S.snapshot(counters, uploading, mode);
  const fail = (e: EdgeSwarmError) => queueMicrotask(() => events.emit("error", e));
  for (const p of problems) fail({ type: "option", details: `${p.option}: ${p.reason}`, fatal: false });

  let hls: Hls | undefined;
  let engine: HlsJsP2PEngine | undefined;
  let watch: TrackerWatch | undefined;
  /** HTTP segment fetch times, which size the live high-demand window (engine-config.ts). */
  const timing = new HttpTiming();
  /** Segments the core has delivered: a live viewer is joining until JOIN_SEGMENTS (windowsFor). */
  let segmentsLoaded = 0;
  let applyWindows: () => void = () => {};
  /** Whether claiming new live segments can help the swarm now (claim-policy.ts). */
  const claims = new ClaimPolicy();
  const nowS = () => performance.now() / 1000;
  /** The edge seeder (live, P2P on): claims new segments and hands won ones to the core. */
  let seederNow: EdgeSeeder | undefined;
  /** URLs of handed-over segments: their "segment" event went out when the seeder stored them. */
  const handed = new Set<string>();

  if (!Hls.isSupported()) {
    // No MSE (e.g. iPhone Safari): the browser plays HLS itself; no peers, no counters.
    if (video.canPlayType("application/vnd.apple.mpegurl")) {
      mode = "native";
      video.src = opts.src;
    } else {
      fail({ type: "unsupported", details: "this browser has neither Media Source Extensions nor native HLS", fatal: true });
    }
  } else {
    const Loader = countingLoader(Hls.DefaultConfig.loader as never, (n: number) => S.addHttp(counters, n)) as unknown as typeof Hls.DefaultConfig.loader;
    const hlsConfig: Record<string, unknown> = { ...HLS_TUNING, ...opts.hlsConfig, loader: Loader };
    if (opts.p2p) {
      mode = "p2p";
      if (typeof __EDGESWARM_TEST__ !== "undefined" && __EDGESWARM_TEST__ && opts.testCorruptUploads) installUploadCorruption();
      // Our store rather than the core's built-in one, so the edge seeder can add the
      // segments it wins; the core builds a new one when P2P is switched off and on.
      let store: SegmentStore | undefined;
      const seeder = new EdgeSeeder(() => store, opts.channel, {
        fetch: timedFetch(timing, () => applyWindows()),
        onHttpBytes: (n) => S.addHttp(counters, n),
        onStored: (url, bytes) => {
          claims.onWin(nowS());
          events.emit("segment", { source: "http", bytes, url });
        },
        gate: () => claims.allowed(nowS()),
      });
      cleanups.push(() => seeder.destroy());
      seederNow = seeder;
      engine = new HlsJsP2PEngine({
        core: {
          ...CORE_TUNING,
          customSegmentStorageFactory: () => (store = new SegmentStore()),
          ...opts.coreConfig,
          httpRequestSetup: async (url, byteRange, signal, requestByteRange) => {
            // A segment this viewer won by claim is not fetched twice (seeder.ts handover).
            const handover = await seeder.handoverRequest(url, signal, !!byteRange || !!requestByteRange);
            if (handover) {
              handed.add(url);
              if (handed.size > 64) handed.delete(handed.values().next().value!);
              return handover;
            }
            timing.start(url, performance.now());
            const page = opts.coreConfig.httpRequestSetup as CoreConfig["httpRequestSetup"];
            return page ? page(url, byteRange, signal, requestByteRange) : undefined;
          },
          announceTrackers: [opts.tracker],
          rtcConfig: opts.rtcConfig,
          swarmId: opts.swarmId,
          isP2PUploadDisabled: !uploading,
          validateP2PSegment: async (url, byteRange, data) => {
            const verdict = await book.verify(url, byteRange, data);
            if (verdict === "ok") return true;
            // Not a verdict on the bytes: the page has no SHA-256 and P2P is being turned off.
            if (verdict === "unavailable") return false;
            S.addRejected(counters, data.byteLength);
            S.countError(counters, verdict === "mismatch" ? "p2p-hash-mismatch" : "p2p-hash-unknown");
            events.emit("rejected", { reason: verdict === "mismatch" ? "hash-mismatch" : "hash-unknown", url, bytes: data.byteLength });
            return false; // the core drops this peer's bytes, destroys the peer and retries
          },
        },
      });
      const p2pEngine = engine;
      Object.assign(hlsConfig, p2pEngine.getConfigForHlsJs());
      // Without crypto.subtle (a page outside a secure context) peer bytes are checked by the
      // JS SHA-256, loaded now beside the script. If it cannot be had, nothing could be
      // verified: P2P goes off for this player rather than trust or blame peers.
      useJsSha256(() => loadExtra<{ sha256: JsSha256 }>("sha256", opts.assets).then((m) => m.sha256))?.catch((err: unknown) => {
        if (destroyed) return;
        p2pEngine.applyDynamicConfig({ core: { isP2PDisabled: true } });
        fail({ type: "unsupported", details: `no SHA-256 on this page (${message(err)}): playing over HTTP only`, fatal: false });
      });
      hls = new Hls(hlsConfig);
      // Registered before loadSource, so it runs before the engine sizes hls.js's buffer.
      const userWindows = ["highDemandTimeWindow", "httpDownloadTimeWindow", "p2pDownloadTimeWindow"].some((k) => k in opts.coreConfig);
      let level: { td: number, live: boolean } | undefined;
      let lastWindows = "";
      applyWindows = () => {
        if (userWindows || !level) return;
        const w = windowsFor(level.td, level.live, timing.slowest(), segmentsLoaded < JOIN_SEGMENTS);
        const key = JSON.stringify(w);
        if (key === lastWindows) return;
        lastWindows = key;
        p2pEngine.applyDynamicConfig({ core: w });
      };
      hls.on(Hls.Events.LEVEL_UPDATED, (_e, data) => {
        level = { td: data.details.targetduration, live: data.details.live };
        applyWindows();
      });
      // Live: the edge picks who fetches each new segment over HTTP (seeder.ts). Only a
      // viewer that uploads may seed: a winner that shares nothing sends everyone to HTTP.
      // With the page's own windows the page decides, so no seeding either.
      if (!userWindows) cleanups.push(bridgeSeeder(hls, seeder, opts.swarmId, () => video.currentTime, () => uploading && !destroyed));
      p2pEngine.bindHls(engineView(hls, book));
      wireCore(p2pEngine, () => store);
      watch = new TrackerWatch({
        url: opts.tracker,
        onState: (state) => events.emit("tracker", { state }),
        restart: async () => {
          // Dropping P2P destroys the core's tracker clients (and their sockets); turning it
          // back on makes the next segment request build fresh ones that connect right away.
          watch?.quiet(TRACKER_RESTART_GAP_MS + 500);
          p2pEngine.applyDynamicConfig({ core: { isP2PDisabled: true } });
          counters.peers.clear();
          claims.onPeers(0);
          await new Promise((r) => setTimeout(r, TRACKER_RESTART_GAP_MS));
          if (!destroyed) p2pEngine.applyDynamicConfig({ core: { isP2PDisabled: false } });
        },
      });
      const trackerKey = opts.tracker.replace(/\/$/, "");
      cleanups.push(watchTrackerSockets((url, notice) => {
        if (url.replace(/\/$/, "") !== trackerKey) return;
        if (notice === "close") watch?.noteFailure();
        else watch?.noteConnect();
      }));
      if (conn && opts.upload === "auto") {
        const onChange = () => {
          uploading = shouldUpload(opts.upload, conn);
          p2pEngine.applyDynamicConfig({ core: { isP2PUploadDisabled: !uploading } });
        };
        conn.addEventListener?.("change", onChange);
        cleanups.push(() => conn.removeEventListener?.("change", onChange));
      }
    } else {
      hls = new Hls(hlsConfig);
    }
    wireHls(hls);
    hls.attachMedia(video);
    hls.loadSource(opts.src);
  }

  /** Peers in the main stream's swarm, the one the edge seeder claims for. */
  function mainPeers(): number {
    let n = 0;
    for (const k of counters.peers) if (k.startsWith("main:")) n++;
    return n;
  }

  function wireCore(e: HlsJsP2PEngine, store: () => SegmentStore | undefined): void {
    const on = <K extends keyof CoreEventMap>(k: K, fn: CoreEventMap[K]) => {
      e.addEventListener(k, fn);
      cleanups.push(() => e.removeEventListener(k, fn));
    };
    // HTTP bytes are counted per chunk, so a transfer the core aborts still counts (the origin sent it).
    on("onChunkDownloaded", (bytes, source) => {
      if (source !== "http") return;
      S.addHttp(counters, seederNow ? seederNow.originBytes(bytes) : bytes);
    });
    on("onSegmentLoaded", (d) => {
      if (d.downloadSource === "http") timing.end(d.segmentUrl, performance.now());
      segmentsLoaded++;
      applyWindows(); // reconfigures the core only when the windows change
      if (d.downloadSource === "p2p") S.addP2P(counters, d.bytesLength);
      if (d.downloadSource === "http" && handed.delete(d.segmentUrl)) return;
      events.emit("segment", { source: d.downloadSource, bytes: d.bytesLength, url: d.segmentUrl, ...(d.peerId ? { peerId: d.peerId } : {}) });
    });
    on("onChunkUploaded", (bytes, peerId) => {
      S.addUploaded(counters, bytes);
      store()?.noteUploaded(bytes); // frees the upload slot (segment-store.ts)
      claims.onUpload(bytes, nowS());
      events.emit("upload", { peerId, bytes });
    });
    on("onPeerConnect", (p) => {
      counters.peers.add(`${p.streamType}:${p.peerId}`);
      claims.onPeers(mainPeers());
      events.emit("peer", { event: "connect", peerId: p.peerId });
      watch?.noteConnect();
    });
    on("onPeerClose", (p) => {
      counters.peers.delete(`${p.streamType}:${p.peerId}`);
      claims.onPeers(mainPeers());
      events.emit("peer", { event: "close", peerId: p.peerId });
    });
    on("onSegmentError", (d) => {
      const t = S.classifySegmentError(d.downloadSource, d.error.type);
      if (t) S.countError(counters, t);
    });
    const trackerTrouble = (err: unknown) => {
      const details = message(err);
      // A peer whose WebRTC connection failed is reported through the tracker client too,
      // but the tracker is fine: restarting the tracker clients for it would abort the
      // segment loads in flight (it did, every few seconds, on a loaded machine).
      if (isPeerFailure(details)) return events.emit("error", { type: "other", details, fatal: false });
      events.emit("error", { type: "tracker", details, fatal: false });
      watch?.noteFailure();
    };
    on("onTrackerError", (d) => trackerTrouble(d.error));
    on("onTrackerWarning", (d) => trackerTrouble(d.warning));
  }

  function wireHls(h: Hls): void {
    let recoveries = 0;
    h.on(Hls.Events.ERROR, (_e, data) => {
      const type: EdgeSwarmError["type"] = data.type === Hls.ErrorTypes.NETWORK_ERROR ? "network" : data.type === Hls.ErrorTypes.MEDIA_ERROR ? "media" : "other";
      // hls.js retries non-fatal errors itself; fatal ones get a bounded number of recoveries.
      let fatal = data.fatal;
      if (fatal && recoveries < 5) {
        recoveries++;
        if (type === "network") {
          h.startLoad();
          fatal = false;
        } else if (type === "media") {
          h.recoverMediaError();
          fatal = false;
        }
      }
      events.emit("error", { type, details: data.details, fatal });
    });
    h.on(Hls.Events.FRAG_BUFFERED, () => {
      recoveries = 0;
    });
  }

  let overlay: Overlay | undefined;
  if (opts.debug && typeof document !== "undefined") {
    loadExtra<typeof import("./overlay")>("overlay", opts.assets).then(
      (m) => { if (!destroyed) overlay = new m.Overlay(video); },
      (err: unknown) => fail({ type: "other", details: `debug overlay not loaded: ${message(err)}`, fatal: false }),
    );
  }
  const tick = setInterval(() => {
    const s = snapshot();
    events.emit("stats", s);
    overlay?.update(s, opts.tracker);
  }, 1000);
  // The reporter is an extra too: its first report goes out seconds after start anyway, and a
  // page where it cannot load plays the same (stats must never disturb playback).
  let reporter: Reporter | undefined;
  const reportUrl = opts.reportUrl;
  if (reportUrl && mode !== "native") {
    loadExtra<typeof import("./reporter")>("reporter", opts.assets).then(
      (m) => { if (!destroyed) reporter = new m.Reporter(reportUrl, opts.channel, snapshot); },
      () => {},
    );
  }

  const handle: EdgeSwarmHandle = {
    video,
    options: opts,
    stats: snapshot,
    on: (type, fn) => events.on(type, fn),
    off: (type, fn) => events.off(type, fn),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      clearInterval(tick);
      reporter?.stop();
      watch?.destroy();
      overlay?.destroy();
      for (const c of cleanups.splice(0)) c();
      hls?.destroy(); // also destroys the P2P engine (it listens for hlsDestroying)
      if (mode === "native") {
        video.removeAttribute("src");
        video.load();
      }
      events.clear();
      if (handles.get(video) === handle) handles.delete(video);
    },
  };
  handles.set(video, handle);
  return handle;
}
