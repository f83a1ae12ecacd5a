// The few browser globals p2p-media-loader-core 2.3.1 touches, provided for Node in one
// place, each with the line of the core that needs it. Nothing else is faked: WebRTC is the
// real node-datachannel (through @thaunknown/simple-peer → webrtc-polyfill, which the core's
// bittorrent-tracker client imports by itself in Node), fetch is Node's own.
// Load the core through `loadCore()`, which installs them first.
import type { Core as CoreType, CoreConfig } from "p2p-media-loader-core";

interface WindowLike {
  setTimeout: typeof setTimeout;
  clearTimeout: typeof clearTimeout;
  fetch: typeof fetch;
  location: { protocol: string };
}

let installed: Promise<void> | undefined;

export function installCoreGlobals(): Promise<void> {
  installed ??= install();
  return installed;
}

async function install(): Promise<void> {
  const g = globalThis as unknown as { window?: WindowLike; navigator?: { userAgent: string } };
  if (!g.window) {
    g.window = {
      // hybrid-loader.ts, request.ts, loaders-container.ts: `window.setTimeout(...)`.
      setTimeout: globalThis.setTimeout,
      clearTimeout: globalThis.clearTimeout,
      // http-loader.ts: `await window.fetch(request)`. Looked up per call, so a test that
      // swaps globalThis.fetch is honoured.
      fetch: (input, init) => globalThis.fetch(input, init),
      // bittorrent-tracker client.js skips ws:// trackers when `window.location.protocol`
      // is https:; a page served over http is what loopback tests are.
      location: { protocol: "http:" },
    };
  }
  // segment-memory-storage.ts and tracker-client.ts read `navigator.userAgent` (the latter
  // to limit Safari to one tracker). Node 20 has no navigator. No "safari" in this string.
  if (!g.navigator) g.navigator = { userAgent: "EdgeSwarm-virtual-viewer (Node)" };
  // performance, btoa, fetch, Headers, Request, DOMException, ReadableStream: Node 20 has them.

  // bittorrent-tracker client.js: `if (!process.browser && !opts.port) throw 'Option port is
  // required'`. The core never passes a port (a WebSocket tracker needs none; in the
  // browser bundle process.browser is true). Only that constructor is told "browser":
  // debug, webtorrent and the rest still see Node, whatever order they load in.
  const proc = process as unknown as { browser?: unknown };
  if (!Object.getOwnPropertyDescriptor(proc, "browser")) {
    Object.defineProperty(proc, "browser", {
      configurable: true,
      get: () => /bittorrent-tracker[\\/]client\.js/.test(new Error().stack ?? ""),
    });
  }

  // webrtc-polyfill (node-datachannel) never signals the end of ICE gathering with a null
  // candidate, as browsers do. simple-peer (trickle off, as the core's tracker client uses
  // it) sends an offer or answer only at that signal or after its 5 s iceComplete timeout,
  // so every Node connection took ~10 s where Chromium takes well under one. Deliver the
  // browser's end-of-candidates event when gathering completes.
  const { RTCPeerConnection } = (await import("webrtc-polyfill")) as unknown as { RTCPeerConnection: { prototype: PcLike } };
  const proto = RTCPeerConnection.prototype;
  if (!proto.__edgeswarmEndOfCandidates) {
    const dispatch = proto.dispatchEvent;
    proto.dispatchEvent = function (this: PcLike, ev: Event): boolean {
      const r = dispatch.call(this, ev);
      if (ev.type === "icegatheringstatechange" && this.iceGatheringState === "complete") {
        const end = new Event("icecandidate");
        Object.defineProperty(end, "candidate", { value: null });
        this.onicecandidate?.(end);
      }
      return r;
    };
    proto.__edgeswarmEndOfCandidates = true;
  }

  // One process hosts many viewers, but the core keeps the tracker peer_id for each swarm in
  // a static map (tracker-client.ts PEER_ID_BY_INFO_HASH), which in a browser is per tab.
  // Shared here, every viewer would announce the same peer_id and never meet the others.
  // The map only saves re-creating an id when a page switches back to a stream it left, so
  // making it always miss gives each viewer (each tracker client) its own id.
  const coreEntry = import.meta.resolve("p2p-media-loader-core");
  const trackerClientUrl = new URL("./p2p/tracker-client.js", coreEntry).href;
  const mod = (await import(trackerClientUrl)) as {
    P2PTrackerClient: { PEER_ID_BY_INFO_HASH?: Map<string, string> };
  };
  const map = mod.P2PTrackerClient.PEER_ID_BY_INFO_HASH;
  if (!(map instanceof Map)) throw new Error("p2p-media-loader-core internals changed: PEER_ID_BY_INFO_HASH not found");
  map.get = () => undefined;
}

interface PcLike {
  dispatchEvent(ev: Event): boolean;
  iceGatheringState: string;
  onicecandidate?: ((ev: Event) => void) | null;
  __edgeswarmEndOfCandidates?: boolean;
}

export type CoreCtor = new (config?: Partial<CoreConfig>) => CoreType;

export interface CoreModule {
  Core: CoreCtor;
  generateStreamShortId: (p: Record<string, unknown>) => string;
}

/**
 * The core's own modules, by file URL. Its package entry (lib/index.js) re-exports
 * `export { debug } from "debug"`, a named export Node's ESM loader cannot find in debug 4's
 * CommonJS build (bundlers can); every other module of the core imports debug's default
 * export, which Node resolves. Same files, same module instances as the entry would load.
 */
export async function loadCore(): Promise<CoreModule> {
  await installCoreGlobals();
  const entry = import.meta.resolve("p2p-media-loader-core");
  const core = (await import(new URL("./core.js", entry).href)) as { Core: CoreCtor };
  const stream = (await import(new URL("./utils/stream.js", entry).href)) as Pick<CoreModule, "generateStreamShortId">;
  return { Core: core.Core, generateStreamShortId: stream.generateStreamShortId };
}
