// withEdgeSwarm(Hls): for pages that build their own hls.js player. It returns a subclass of
// the page's Hls class (the page's class itself is left untouched, unlike a mixin that patches
// it) whose instances take `edgeswarm: { ...options }` beside the hls.js config and play with
// the same wiring as attach() (player.ts `wire`: integrity, edge seeding, stats, reporting,
// typed events on `hls.edgeswarm`). It does not attach media, load sources or recover from
// errors: the page keeps calling attachMedia/loadSource and keeps its own error policy.
//
// Why at loadSource: the swarm id, channel and tracker derive from the stream URL, and hls.js
// only learns it there. hls.js reads `config.loader`, `fLoader` and `pLoader` from its config
// object at each request (playlist-loader.ts, fragment-loader.ts), and nothing loads before
// loadSource, so setting them then is the same as passing them to the constructor (the P2P
// engine itself changes that object's buffer lengths the same way).
import type Hls from "hls.js";
import type { HlsConfig } from "hls.js";
import { HLS_TUNING } from "./engine-config";
import { Emitter } from "./events";
import { resolveOptions, type AttachOptions, type ResolvedOptions } from "./options";
import { errorEvents, wire, type EdgeSwarmEvents, type EdgeSwarmView, type Wired } from "./player";
import * as S from "./stats";

/**
 * The constructor's argument: hls.js's config plus EdgeSwarm's options. Their `hlsConfig` has
 * no place here (this object is the hls.js config): the type leaves it out, and a page that
 * passes it anyway gets an `option` error at loadSource.
 */
export type EdgeSwarmHlsConfig = Partial<HlsConfig> & { edgeswarm?: Omit<AttachOptions, "hlsConfig"> };

/** `hls.edgeswarm`: stats, typed events and the options in force (null before loadSource). */
export interface EdgeSwarmHlsView extends EdgeSwarmView {
  readonly options: Readonly<ResolvedOptions> | null;
}

/** An instance of the wrapped class: the page's Hls with `edgeswarm`. */
export type HlsWithEdgeSwarm<H extends Hls = Hls> = H & { readonly edgeswarm: EdgeSwarmHlsView };

/** The wrapped class: constructs with EdgeSwarm's options and keeps the page class's statics (isSupported, Events…). */
export type HlsClassWithEdgeSwarm<C extends typeof Hls = typeof Hls> = Omit<C, "prototype"> & {
  new (config?: EdgeSwarmHlsConfig): HlsWithEdgeSwarm<InstanceType<C>>;
  readonly prototype: HlsWithEdgeSwarm<InstanceType<C>>;
};

/** The request loaders EdgeSwarm sets on hls.js's config; the page's own are kept for the plain requests. */
const LOADER_KEYS = ["loader", "fLoader", "pLoader"] as const;

/** One wrapped instance's EdgeSwarm state; `wired` is the current source's. */
interface State {
  options: AttachOptions;
  pageLoaders: Partial<HlsConfig>;
  events: Emitter<EdgeSwarmEvents>;
  resolved: ResolvedOptions | null;
  wired?: Wired;
}

export function withEdgeSwarm<C extends typeof Hls>(HlsClass: C): HlsClassWithEdgeSwarm<C> {
  const Base = HlsClass as typeof Hls;

  class HlsEdgeSwarm extends Base {
    readonly edgeswarm: EdgeSwarmHlsView;
    private readonly es: State;
    private esVideo?: HTMLVideoElement;

    constructor(config: EdgeSwarmHlsConfig = {}) {
      const { edgeswarm = {}, ...hlsConfig } = config;
      // EdgeSwarm's hls.js tuning under the page's: what the page sets wins.
      super({ ...(HLS_TUNING as Partial<HlsConfig>), ...hlsConfig });
      const events = new Emitter<EdgeSwarmEvents>();
      const pageLoaders: Partial<HlsConfig> = {};
      for (const k of LOADER_KEYS) (pageLoaders as Record<string, unknown>)[k] = this.config[k];
      const es: State = (this.es = { options: edgeswarm, pageLoaders, events, resolved: null });
      const idle = S.newCounters();
      this.edgeswarm = {
        get options() {
          return es.resolved;
        },
        stats: () => es.wired?.stats() ?? S.snapshot(idle, false, "http"),
        on: (type, fn) => events.on(type, fn),
        off: (type, fn) => events.off(type, fn),
      };
      errorEvents(this, events, false);
    }

    override loadSource(url: string): void {
      const es = this.es;
      es.wired?.dispose();
      const { resolved, problems } = resolveOptions(url, es.options, undefined);
      if ("hlsConfig" in es.options)
        problems.push({ option: "hlsConfig", reason: "not used by withEdgeSwarm: put hls.js settings in the constructor's config" });
      es.resolved = resolved;
      es.wired = wire({
        opts: resolved,
        problems,
        events: es.events,
        video: () => this.videoElement(),
        plainLoader: es.pageLoaders.loader,
        bind: (config) => {
          // The page's loaders first (a source played without P2P uses them), then ours.
          const target = this.config as unknown as Record<string, unknown>;
          for (const k of LOADER_KEYS) target[k] = k in config ? config[k] : es.pageLoaders[k];
          return this;
        },
      });
      super.loadSource(url);
    }

    override destroy(): void {
      this.es.wired?.dispose();
      this.es.wired = undefined;
      super.destroy();
      this.es.events.clear();
    }

    /** The element hls.js plays into; a detached stand-in until the page attaches one (it is only read, e.g. for currentTime). */
    private videoElement(): HTMLVideoElement {
      const m = this.media;
      if (m instanceof HTMLVideoElement) return m;
      return (this.esVideo ??= document.createElement("video"));
    }
  }
  return HlsEdgeSwarm as unknown as HlsClassWithEdgeSwarm<C>;
}
