// attach(video, src, options): plays an HLS stream in a <video> with hls.js, loading
// segments from peers through p2p-media-loader when their SHA-256 checks out and over HTTP
// otherwise. Only wiring: it resolves the options, builds hls.js and the P2P engine (whose
// core callbacks forward to the plug-ins' hooks), installs the plug-ins (plugins/*.ts: stats,
// scheduling, edge seeding, integrity, tracker health) and returns the handle. The numbers
// live in limits.ts, the settings in engine-config.ts.
import Hls from "hls.js";
import { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";
import type { CoreConfig, CoreEventMap } from "p2p-media-loader-core";
import { CORE_TUNING, HLS_TUNING } from "./engine-config";
import { Emitter } from "./events";
import { countingLoader, tokenLoader } from "./hls-bridge";
import { HLS_RECOVERIES } from "./limits";
import { resolveOptions, type AttachOptions, type ResolvedOptions } from "./options";
import * as S from "./stats";
import { installUploadCorruption } from "./test-hooks";
import type { TrackerState } from "./tracker-watch";
import { readConnection, shouldUpload } from "./upload-policy";
import { segmentRequest, withToken } from "./viewer-token";
import type { CoreHooks, Dispose, P2PContext, PlayerContext } from "./plugins/context";
import { installEdgeSeeding } from "./plugins/edge-seeding";
import { installIntegrity } from "./plugins/integrity";
import { installScheduling } from "./plugins/scheduling";
import { installCoreStats, installStats, snapshotOf } from "./plugins/stats";
import { installTrackerHealth } from "./plugins/tracker-health";

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
  segment: { source: "http" | "p2p"; bytes: number; url: string; peerId?: string };
  /** Bytes sent to one peer (a chunk of a segment it asked for). */
  upload: { peerId: string; bytes: number };
  /** A peer's bytes were thrown away: they did not match the Worker's hash, or it has none. */
  rejected: { reason: "hash-mismatch" | "hash-unknown"; url: string; bytes: number };
  peer: { event: "connect" | "close"; peerId: string };
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

export function attach(video: HTMLVideoElement, src: string, options: AttachOptions = {}, scriptUrl?: string): EdgeSwarmHandle {
  if (typeof HTMLVideoElement === "undefined" || !(video instanceof HTMLVideoElement)) throw new TypeError("edgeswarm: attach() needs a <video> element");
  handles.get(video)?.destroy();
  const { resolved: opts, problems } = resolveOptions(src, options, scriptUrl);
  const events = new Emitter<EdgeSwarmEvents>();
  const counters = S.newCounters();
  const conn = readConnection(typeof navigator !== "undefined" ? navigator : undefined);
  let uploading = opts.p2p && shouldUpload(opts.upload, conn);
  let mode: S.Stats["mode"] = "http";
  let destroyed = false;
  const disposers: Dispose[] = [];
  const base: PlayerContext = {
    video,
    opts,
    events,
    counters,
    now: () => performance.now(),
    uploading: () => uploading,
    mode: () => mode,
    destroyed: () => destroyed,
    fail: (e) => queueMicrotask(() => events.emit("error", e)),
    http: (n) => S.addHttp(counters, n),
    authed: (url) => withToken(url, opts.token, opts.workerOrigin),
  };
  for (const p of problems) base.fail({ type: "option", details: `${p.option}: ${p.reason}`, fatal: false });

  let hls: Hls | undefined;
  if (!Hls.isSupported()) {
    // No MSE (e.g. iPhone Safari): the browser plays HLS itself; no peers, no counters.
    if (video.canPlayType("application/vnd.apple.mpegurl")) {
      mode = "native";
      // Only the master playlist: the browser loads variants and segments itself, tokenless.
      video.src = base.authed(opts.src);
    } else {
      base.fail({ type: "unsupported", details: "this browser has neither Media Source Extensions nor native HLS", fatal: true });
    }
  } else {
    // Fragments hls.js fetches itself (segments without a hash) are HTTP bytes too. Every
    // request hls.js makes (playlists, keys, those fragments) gets the viewer token here.
    const Plain = Hls.DefaultConfig.loader as never;
    const Loader = countingLoader(opts.token ? tokenLoader(Plain, base.authed) : Plain, base.http) as unknown as typeof Hls.DefaultConfig.loader;
    const hlsConfig: Record<string, unknown> = { ...HLS_TUNING, ...opts.hlsConfig, loader: Loader };
    if (opts.p2p) {
      mode = "p2p";
      if (typeof __EDGESWARM_TEST__ !== "undefined" && __EDGESWARM_TEST__ && opts.testCorruptUploads) installUploadCorruption();
      const hooks: CoreHooks = {};
      const engine = new HlsJsP2PEngine({
        core: {
          ...CORE_TUNING,
          customSegmentStorageFactory: () => hooks.storage!(),
          ...opts.coreConfig,
          httpRequestSetup: async (url, byteRange, signal, requestByteRange) => {
            // A segment this viewer won by claim is not fetched twice (seeder.ts handover).
            const handover = await hooks.handover?.(url, !!byteRange || !!requestByteRange, signal);
            if (handover) return handover;
            hooks.httpStart?.(url);
            const page = opts.coreConfig.httpRequestSetup as CoreConfig["httpRequestSetup"];
            // The core keys segments by their playlist URL; only the request carries the token.
            const sent = base.authed(url);
            if (page) return page(sent, byteRange, signal, requestByteRange);
            return sent === url ? undefined : segmentRequest(sent, requestByteRange, signal);
          },
          announceTrackers: [opts.tracker],
          rtcConfig: opts.rtcConfig,
          swarmId: opts.swarmId,
          isP2PUploadDisabled: !uploading,
          validateP2PSegment: (url, byteRange, data) => hooks.validate!(url, byteRange, data),
        },
      });
      Object.assign(hlsConfig, engine.getConfigForHlsJs());
      const h = (hls = new Hls(hlsConfig));
      const ctx: P2PContext = {
        ...base,
        hls: h,
        engine,
        hooks,
        on<K extends keyof CoreEventMap>(k: K, fn: CoreEventMap[K]) {
          engine.addEventListener(k, fn);
          disposers.push(() => engine.removeEventListener(k, fn));
        },
        configure: (core) => engine.applyDynamicConfig({ core }),
        segment: (e) => events.emit("segment", e),
      };
      // Order matters: stats count before the others read the counters, and integrity binds
      // the engine to hls.js last (the engine's listeners run after the plug-ins').
      for (const install of [installCoreStats, installScheduling, installEdgeSeeding, installIntegrity, installTrackerHealth]) disposers.push(install(ctx));
      if (conn && opts.upload === "auto") {
        const onChange = () => {
          uploading = shouldUpload(opts.upload, conn);
          ctx.configure({ isP2PUploadDisabled: !uploading });
        };
        conn.addEventListener?.("change", onChange);
        disposers.push(() => conn.removeEventListener?.("change", onChange));
      }
    } else {
      hls = new Hls(hlsConfig);
    }
    recoverErrors(hls, events);
    hls.attachMedia(video);
    hls.loadSource(opts.src);
  }
  disposers.push(installStats(base));

  const handle: EdgeSwarmHandle = {
    video,
    options: opts,
    stats: () => snapshotOf(base),
    on: (type, fn) => events.on(type, fn),
    off: (type, fn) => events.off(type, fn),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const d of disposers.splice(0).reverse()) d();
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

/** hls.js retries non-fatal errors itself; fatal ones get HLS_RECOVERIES recoveries, reset by every buffered fragment. */
function recoverErrors(h: Hls, events: Emitter<EdgeSwarmEvents>): void {
  let recoveries = 0;
  h.on(Hls.Events.ERROR, (_e, data) => {
    const type: EdgeSwarmError["type"] = data.type === Hls.ErrorTypes.NETWORK_ERROR ? "network" : data.type === Hls.ErrorTypes.MEDIA_ERROR ? "media" : "other";
    let fatal = data.fatal;
    if (fatal && recoveries < HLS_RECOVERIES) {
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
