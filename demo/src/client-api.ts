// The one place the demo touches EdgeSwarm's client script (/edgeswarm.mjs, client/):
// it loads the ESM build the Worker serves, attaches it to the page's <video>, and turns
// the client's handle and events into the small DemoSession the viewer page draws from.
// When the client's API changes, this file is the only edit. No DOM beyond the <video>.
import type { SegmentSource } from "./timeline";

export interface DemoStats {
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
  peers: number;
  /** Segment errors by type (e.g. p2p-hash-mismatch). */
  errors: Record<string, number>;
}

export type TrackerState = "connecting" | "connected" | "unreachable" | "off";

export interface DemoEvents {
  segment: (e: { source: SegmentSource; bytes: number; label: string }) => void;
  peerConnect: (peerId: string) => void;
  peerClose: (peerId: string) => void;
  peerBytes: (e: { peerId: string; direction: "down" | "up"; bytes: number }) => void;
  tracker: (state: TrackerState, detail: string) => void;
  error: (e: { type: string; details: string; fatal: boolean }) => void;
}

export interface DemoSession {
  stats(): DemoStats;
  destroy(): void;
}

export interface SessionOptions {
  rtcConfig?: { iceServers: { urls: string }[] };
}

// --- what we rely on from /edgeswarm.mjs (client/index.ts, client/player.ts) -------
// Typed loosely on purpose: the bundle is loaded at run time, so every field is checked
// as it is read (n/s/o below) rather than trusted.
interface ClientHandle {
  options?: unknown;
  stats(): unknown;
  on(name: string, fn: (...args: unknown[]) => void): unknown;
  off?(name: string, fn: (...args: unknown[]) => void): void;
  destroy(): void;
}
interface ClientModule {
  attach(video: HTMLVideoElement, src: string, options?: Record<string, unknown>): ClientHandle;
}

function isClientModule(m: unknown): m is ClientModule {
  return typeof m === "object" && m !== null && typeof (m as { attach?: unknown }).attach === "function";
}

const n = (x: unknown): number => (typeof x === "number" && Number.isFinite(x) && x >= 0 ? x : 0);
const s = (x: unknown): string => (typeof x === "string" ? x : "");
const o = (x: unknown): Record<string, unknown> => (typeof x === "object" && x !== null ? (x as Record<string, unknown>) : {});

/** Loads the client. Kept apart so the page can say "client script missing" plainly. */
export async function loadClient(): Promise<ClientModule> {
  // A variable specifier keeps esbuild from trying to resolve the Worker's URL at build time.
  const url = "/edgeswarm.mjs";
  const mod: unknown = await import(/* @vite-ignore */ url);
  if (!isClientModule(mod)) throw new Error("/edgeswarm.mjs does not export attach()");
  return mod;
}

/**
 * Asks the tracker whether it accepts connections: opens a bare WebSocket and closes it
 * as soon as it opens. The client only reports tracker *changes* (it starts out assuming
 * "up" and says "down" on trouble), so without this a lone viewer whose tracker is fine
 * would show "connecting" forever. One short socket per page load; no announce is sent.
 */
function probeTracker(url: string, timeoutMs = 8000): Promise<boolean> {
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      resolve(false);
      return;
    }
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      ws.onopen = ws.onerror = ws.onclose = null;
      try {
        ws.close(1000);
      } catch {
        /* already closed */
      }
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    ws.onopen = () => finish(true);
    ws.onerror = () => finish(false);
    ws.onclose = () => finish(false);
  });
}

export function startSession(client: ClientModule, video: HTMLVideoElement, src: string, options: SessionOptions, on: Partial<DemoEvents>): DemoSession {
  const handle = client.attach(video, src, options.rtcConfig ? { rtcConfig: options.rtcConfig } : {});
  const sub = (name: string, fn: (e: unknown) => void) => handle.on(name, fn as (...args: unknown[]) => void);
  const label = (url: string) => url.split("?")[0]!.split("/").slice(-2).join("/") || "segment";
  let destroyed = false;
  let heardFromClient = false;

  // segment: { source: "http" | "p2p", bytes, url, peerId? }. peerId is used when the
  // client provides it (per-peer bytes in the peer table).
  sub("segment", (e) => {
    const ev = o(e);
    const source: SegmentSource = ev.source === "p2p" ? "p2p" : "http";
    on.segment?.({ source, bytes: n(ev.bytes), label: label(s(ev.url)) });
    if (source === "p2p" && s(ev.peerId)) on.peerBytes?.({ peerId: s(ev.peerId), direction: "down", bytes: n(ev.bytes) });
  });
  // rejected: { reason: "hash-mismatch" | "hash-unknown", url, bytes }
  sub("rejected", (e) => {
    const ev = o(e);
    on.segment?.({ source: "rejected", bytes: n(ev.bytes), label: `${label(s(ev.url))} (${s(ev.reason) || "rejected"})` });
  });
  // peer: { event: "connect" | "close", peerId }
  sub("peer", (e) => {
    const ev = o(e);
    const id = s(ev.peerId);
    if (!id) return;
    if (ev.event === "connect") {
      on.peerConnect?.(id);
      // A peer arrived through the tracker, so the tracker works.
      if (!heardFromClient) on.tracker?.("connected", "a peer connected through the tracker");
    } else if (ev.event === "close") on.peerClose?.(id);
  });
  // upload: { peerId, bytes } — only if the client emits it (per-peer upload bytes).
  sub("upload", (e) => {
    const ev = o(e);
    if (s(ev.peerId)) on.peerBytes?.({ peerId: s(ev.peerId), direction: "up", bytes: n(ev.bytes) });
  });
  // tracker: { state: "up" | "down" }, emitted on changes only.
  sub("tracker", (e) => {
    heardFromClient = true;
    const st = o(e).state;
    on.tracker?.(st === "up" ? "connected" : "unreachable", st === "up" ? "" : "the tracker refused or dropped the connection");
  });
  sub("error", (e) => {
    const ev = o(e);
    on.error?.({ type: s(ev.type), details: s(ev.details), fatal: ev.fatal === true });
  });

  const opts = o((handle as { options?: unknown }).options);
  const tracker = s(opts.tracker);
  const mode = s(o(handle.stats()).mode);
  if (mode && mode !== "p2p") on.tracker?.("off", mode === "native" ? "this browser plays HLS natively, without P2P" : "P2P is turned off");
  else if (/^wss?:\/\//.test(tracker)) {
    void probeTracker(tracker).then((ok) => {
      // The client's own events are fresher than a probe that raced with them.
      if (!destroyed && !heardFromClient) on.tracker?.(ok ? "connected" : "unreachable", ok ? "" : "no answer from the tracker");
    });
  }

  return {
    stats() {
      const st = o(handle.stats());
      return {
        httpBytes: n(st.httpBytes),
        p2pBytes: n(st.p2pBytes),
        uploadedBytes: n(st.uploadedBytes),
        peers: n(st.peers),
        errors: Object.fromEntries(Object.entries(o(st.errors)).map(([k, v]) => [k, n(v)])),
      };
    },
    destroy() {
      destroyed = true;
      handle.destroy();
    },
  };
}
