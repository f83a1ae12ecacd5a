// What every plug-in of the player gets (`install(ctx) → dispose`): the video, the resolved
// options, the typed events, the counters and a clock; P2P plug-ins also get hls.js, the P2P
// engine and the core hooks the engine forwards to. HTTP bytes are counted (`http`) and
// `segment` is emitted (`segment`) only through this context. Types only: player.ts builds
// the context, the plug-ins fill the hooks.
import type Hls from "hls.js";
import type { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";
import type { CoreConfig, CoreEventMap, SegmentStorage } from "p2p-media-loader-core";
import type { Emitter } from "../events";
import type { ResolvedOptions } from "../options";
import type { EdgeSwarmError, EdgeSwarmEvents } from "../player";
import type { Counters } from "../stats";

export type Dispose = () => void;

export interface PlayerContext {
  readonly video: HTMLVideoElement;
  readonly opts: Readonly<ResolvedOptions>;
  readonly events: Emitter<EdgeSwarmEvents>;
  readonly counters: Counters;
  /** Monotonic milliseconds (performance.now in the page). */
  readonly now: () => number;
  /** Whether this viewer uploads now (upload policy; changes with the connection). */
  uploading(): boolean;
  mode(): "p2p" | "http" | "native";
  destroyed(): boolean;
  /** Reports a problem to the page (on the next microtask: never inside a caller's stack). */
  fail(e: EdgeSwarmError): void;
  /** The one place HTTP bytes are counted: every byte the origin sent, whoever fetched it. */
  http(bytes: number): void;
  /** `url` as it is requested: with the viewer token when it is the Worker's (viewer-token.ts). */
  authed(url: string): string;
}

/** The core callbacks the engine is built with, forwarding here; set by plug-ins at install. */
export interface CoreHooks {
  storage?: () => SegmentStorage;
  /** Bytes this viewer already has for `url` as a request (edge seeding's handover), else undefined: fetch. */
  handover?: (url: string, ranged: boolean, signal: AbortSignal) => Promise<Request | undefined>;
  /** The core starts an HTTP fetch of `url` (scheduling times it). */
  httpStart?: (url: string) => void;
  validate?: NonNullable<CoreConfig["validateP2PSegment"]>;
  /** A fetch that times full responses (scheduling); edge seeding fetches claims with it. */
  fetch?: typeof fetch;
  /** Of HTTP bytes the core reports, those that crossed the origin (edge seeding's handover). */
  originBytes?: (bytes: number) => number;
  /** True when the core's HTTP load of `url` was a handover whose `segment` already went out. */
  handedOver?: (url: string) => boolean;
  /** The tracker clients were restarted and every peer dropped (tracker health tells edge seeding). */
  peersReset?: () => void;
}

export interface P2PContext extends PlayerContext {
  readonly hls: Hls;
  readonly engine: HlsJsP2PEngine;
  readonly hooks: CoreHooks;
  /** Listens to a core event until the player is destroyed. */
  on<K extends keyof CoreEventMap>(type: K, fn: CoreEventMap[K]): void;
  /** Changes the core's config (applyDynamicConfig). */
  configure(core: Partial<CoreConfig>): void;
  /** The one place `segment` is emitted. */
  segment(e: EdgeSwarmEvents["segment"]): void;
}

export type Plugin<C extends PlayerContext = P2PContext> = (ctx: C) => Dispose;
