// attach(video, src, options): plays an HLS stream in a <video> with hls.js, loading
// segments from peers through p2p-media-loader when their SHA-256 checks out and over HTTP
// otherwise. Only wiring: `wire` builds the P2P engine (whose core callbacks forward to the
// plug-ins' hooks) for one hls.js instance and installs the plug-ins (plugins/*.ts: stats,
// scheduling, edge seeding, integrity, tracker health); attach() makes that instance itself,
// with-edgeswarm.ts lets a page's own Hls class make it. The numbers live in limits.ts, the
// settings in engine-config.ts.
import Hls from "hls.js";
import { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";
import type { CoreConfig, CoreEventMap } from "p2p-media-loader-core";
import { CORE_TUNING, HLS_TUNING } from "./engine-config";
import { Emitter } from "./events";
import { countingLoader, tokenLoader } from "./hls-bridge";
import { HLS_RECOVERIES } from "./limits";
import { resolveOptions, type AttachOptions, type OptionProblem, type ResolvedOptions } from "./options";
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
  /**
   * This viewer's uplink as measured: by the uplink probe (before it serves anyone) or by its
   * uploads to peers. `slow`: below half the stream's rate, so it neither claims segments at
   * the edge nor uploads for a while (docs/fetchers.md). Bytes per second; null: no figure.
   */
  uplink: { source: "probe" | "peers"; bytesPerS: number | null; slow: boolean };
  tracker: { state: TrackerState };
  error: EdgeSwarmError;
}

/** What every integration gives the page to read and listen to: the stats and the typed events. */
export interface EdgeSwarmView {
  stats(): S.Stats;
  on<K extends keyof EdgeSwarmEvents>(type: K, fn: (e: EdgeSwarmEvents[K]) => void): () => void;
  off<K extends keyof EdgeSwarmEvents>(type: K, fn: (e: EdgeSwarmEvents[K]) => void): void;
}

/** attach()'s player: the view, plus the video, the options in force and destroy(). */
export interface EdgeSwarmHandle extends EdgeSwarmView {
  readonly video: HTMLVideoElement;
  readonly options: Readonly<ResolvedOptions>;
  destroy(): void;
}

const handles = new WeakMap<HTMLVideoElement, EdgeSwarmHandle>();

/** The handle attached to a video, if any (script-tag pages use this to read stats). */
export function handleOf(video: HTMLVideoElement): EdgeSwarmHandle | undefined {
  return handles.get(video);
}

/** One player's EdgeSwarm parts on one source, as `wire` returns them. */
export interface Wired {
  /** The hls.js instance `bind` gave, when hls.js plays. */
  readonly hls: Hls | undefined;
  readonly mode: S.Stats["mode"];
  stats(): S.Stats;
  /** Removes every plug-in and the P2P engine; the hls.js instance is the caller's. */
  dispose(): void;
}

export interface WireArgs {
  opts: ResolvedOptions;
  problems: OptionProblem[];
  events: Emitter<EdgeSwarmEvents>;
  /** The element playing (the wrapper learns it only at attachMedia, so it is asked late). */
  video(): HTMLVideoElement;
  /** Gives the hls.js instance that plays with `config` (EdgeSwarm's loaders and tuning over
   * the page's); absent when hls.js does not play (native HLS, or no way to play at all). */
  bind?: (config: Record<string, unknown>) => Hls;
  /** The loader for plain requests: hls.js's default, or the page's own `loader`. */
  plainLoader?: unknown;
  /** The browser plays HLS itself (stats say "native"; nothing is counted). */
  native?: boolean;
}

/**
 * The wiring attach() and withEdgeSwarm() share, for one source: counting and token loaders,
 * the P2P engine with its core callbacks forwarding to the plug-ins' hooks, the plug-ins, the
 * upload policy and the stats. Error recovery is the caller's (attach recovers; a page that
 * runs its own hls.js keeps its own policy).
 */
export function wire(a: WireArgs): Wired {
  const { opts, events } = a;
  const counters = S.newCounters();
  const conn = readConnection(typeof navigator !== "undefined" ? navigator : undefined);
  let uploading = opts.p2p && shouldUpload(opts.upload, conn);
  const mode: S.Stats["mode"] = a.bind ? (opts.p2p ? "p2p" : "http") : a.native ? "native" : "http";
  let destroyed = false;
  const disposers: Dispose[] = [];
  const base: PlayerContext = {
    get video() {
      return a.video();
    },
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
  for (const p of a.problems) base.fail({ type: "option", details: `${p.option}: ${p.reason}`, fatal: false });

  let hls: Hls | undefined;
  if (a.bind) {
    // Fragments hls.js fetches itself (segments without a hash) are HTTP bytes too. Every
    // request hls.js makes (playlists, keys, those fragments) gets the viewer token here.
    const Plain = (a.plainLoader ?? Hls.DefaultConfig.loader) as never;
    const Loader = countingLoader(opts.token ? tokenLoader(Plain, base.authed) : Plain, base.http) as unknown as typeof Hls.DefaultConfig.loader;
    const hlsConfig: Record<string, unknown> = { ...HLS_TUNING, ...opts.hlsConfig, loader: Loader };
    if (opts.p2p) {
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
      // Last to run on dispose: the core goes once no plug-in can call it any more. attach()
      // destroys hls.js next (which would do this too); the wrapper keeps its hls.js.
      disposers.push(() => engine.destroy());
      Object.assign(hlsConfig, engine.getConfigForHlsJs());
      const h = (hls = a.bind(hlsConfig));
      const ctx: P2PContext = {
        ...base,
        // The spread copied the getter's value; the plug-ins must see the element of the moment.
        get video() {
          return a.video();
        },
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
      hls = a.bind(hlsConfig);
    }
  }
  disposers.push(installStats(base));
  return {
    hls,
    mode,
    stats: () => snapshotOf(base),
    dispose() {
      if (destroyed) return;
      destroyed = true;
      for (const d of disposers.splice(0).reverse()) d();
    },
  };
}

export function attach(video: HTMLVideoElement, src: string, options: AttachOptions = {}, scriptUrl?: string): EdgeSwarmHandle {
  if (typeof HTMLVideoElement === "undefined" || !(video instanceof HTMLVideoElement)) throw new TypeError("edgeswarm: attach() needs a <video> element");
  handles.get(video)?.destroy();
  const { resolved: opts, problems } = resolveOptions(src, options, scriptUrl);
  const events = new Emitter<EdgeSwarmEvents>();
  const supported = Hls.isSupported();
  // No MSE (e.g. iPhone Safari): the browser plays HLS itself; no peers, no counters.
  const native = !supported && video.canPlayType("application/vnd.apple.mpegurl") !== "";
  const wired = wire({ opts, problems, events, video: () => video, native, ...(supported ? { bind: (config) => new Hls(config) } : {}) });
  const hls = wired.hls;
  if (hls) {
    errorEvents(hls, events, true);
    hls.attachMedia(video);
    hls.loadSource(opts.src);
  } else if (native) {
    // Only the master playlist: the browser loads variants and segments itself, tokenless.
    video.src = withToken(opts.src, opts.token, opts.workerOrigin);
  } else {
    queueMicrotask(() =>
      events.emit("error", { type: "unsupported", details: "this browser has neither Media Source Extensions nor native HLS", fatal: true }),
    );
  }

  let destroyed = false;
  const handle: EdgeSwarmHandle = {
    video,
    options: opts,
    stats: () => wired.stats(),
    on: (type, fn) => events.on(type, fn),
    off: (type, fn) => events.off(type, fn),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      wired.dispose();
      hls?.destroy();
      if (native) {
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

/**
 * hls.js errors as `error` events. With `recover` (attach), hls.js retries non-fatal errors
 * itself and fatal ones get HLS_RECOVERIES recoveries, reset by every buffered fragment;
 * without (the wrapper), the page's own hls.js error handling stays the only one.
 */
export function errorEvents(h: Hls, events: Emitter<EdgeSwarmEvents>, recover: boolean): void {
  let recoveries = 0;
  h.on(Hls.Events.ERROR, (_e, data) => {
    const type: EdgeSwarmError["type"] = data.type === Hls.ErrorTypes.NETWORK_ERROR ? "network" : data.type === Hls.ErrorTypes.MEDIA_ERROR ? "media" : "other";
    let fatal = data.fatal;
    if (recover && fatal && recoveries < HLS_RECOVERIES) {
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
  if (recover) {
    h.on(Hls.Events.FRAG_BUFFERED, () => {
      recoveries = 0;
    });
  }
}
