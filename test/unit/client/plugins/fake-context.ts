// A P2PContext for plug-in unit tests: the real Emitter and counters, and stand-ins for
// hls.js (on/off/emit, config) and the P2P engine (core events, applied configs, bindHls)
// that record what a plug-in does with them.
import type { CoreEventMap } from "p2p-media-loader-core";
import { Emitter } from "../../../../client/events";
import { resolveOptions, type AttachOptions } from "../../../../client/options";
import type { EdgeSwarmEvents } from "../../../../client/player";
import type { P2PContext } from "../../../../client/plugins/context";
import * as S from "../../../../client/stats";
import { withToken } from "../../../../client/viewer-token";

type Fn = (...a: never[]) => unknown;

export interface FakeHls {
  config: { maxBufferLength: number };
  on(event: string, fn: Fn): void;
  off(event: string, fn: Fn): void;
  emit(event: string, data: unknown): void;
  listeners(event: string): number;
}

export function fakeHls(): FakeHls {
  const map = new Map<string, Set<Fn>>();
  return {
    config: { maxBufferLength: 4 },
    on: (e, fn) => {
      if (!map.has(e)) map.set(e, new Set());
      map.get(e)!.add(fn);
    },
    off: (e, fn) => {
      map.get(e)?.delete(fn);
    },
    emit: (e, data) => {
      for (const fn of map.get(e) ?? []) (fn as (e: string, d: unknown) => void)(e, data);
    },
    listeners: (e) => map.get(e)?.size ?? 0,
  };
}

export interface Fake {
  ctx: P2PContext;
  hls: FakeHls;
  /** Fires a core event at the plug-ins' listeners. */
  core<K extends keyof CoreEventMap>(k: K, ...args: Parameters<CoreEventMap[K]>): void;
  /** Every config the plug-ins applied (applyDynamicConfig's core part). */
  applied: object[];
  bound: unknown[];
  events: Array<[keyof EdgeSwarmEvents, unknown]>;
  http: number[];
  time: { now: number };
  dispose: Array<() => void>;
}

export function fakeContext(options: AttachOptions = {}, extra: { uploading?: boolean; currentTime?: number } = {}): Fake {
  const { resolved } = resolveOptions("https://w.example/live/c/master.m3u8", options, "https://w.example/edgeswarm.js");
  const emitter = new Emitter<EdgeSwarmEvents>();
  const events: Fake["events"] = [];
  for (const k of ["stats", "segment", "upload", "rejected", "peer", "tracker", "uplink", "error"] as const) emitter.on(k, (e) => events.push([k, e]));
  const listeners = new Map<string, Set<Fn>>();
  const applied: object[] = [];
  const bound: unknown[] = [];
  const http: number[] = [];
  const counters = S.newCounters();
  const hls = fakeHls();
  const time = { now: 0 };
  const dispose: Array<() => void> = [];
  const engine = {
    addEventListener: (k: string, fn: Fn) => {
      if (!listeners.has(k)) listeners.set(k, new Set());
      listeners.get(k)!.add(fn);
    },
    removeEventListener: (k: string, fn: Fn) => {
      listeners.get(k)?.delete(fn);
    },
    applyDynamicConfig: (c: { core: object }) => {
      applied.push(c.core);
    },
    bindHls: (h: unknown) => {
      bound.push(h);
    },
  };
  let destroyed = false;
  dispose.push(() => {
    destroyed = true;
  });
  const ctx: P2PContext = {
    video: { currentTime: extra.currentTime ?? 0 } as HTMLVideoElement,
    opts: resolved,
    events: emitter,
    counters,
    now: () => time.now,
    uploading: () => extra.uploading ?? true,
    mode: () => "p2p",
    destroyed: () => destroyed,
    fail: (e) => emitter.emit("error", e),
    http: (n) => {
      http.push(n);
      S.addHttp(counters, n);
    },
    authed: (u) => withToken(u, resolved.token, resolved.workerOrigin),
    hls: hls as unknown as P2PContext["hls"],
    engine: engine as unknown as P2PContext["engine"],
    hooks: {},
    on: (k, fn) => {
      engine.addEventListener(k, fn as Fn);
      dispose.push(() => engine.removeEventListener(k, fn as Fn));
    },
    configure: (core) => engine.applyDynamicConfig({ core }),
    segment: (e) => emitter.emit("segment", e),
  };
  return {
    ctx,
    hls,
    applied,
    bound,
    events,
    http,
    time,
    dispose,
    core: (k, ...args) => {
      for (const fn of listeners.get(k) ?? []) (fn as (...a: unknown[]) => void)(...args);
    },
  };
}
