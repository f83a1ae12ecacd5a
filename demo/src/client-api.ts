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

export type TrackerState = "connecting" | "connected" | "unreachable";

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

// --- what we rely on from /edgeswarm.mjs (see client/index.ts) ---------------------
interface ClientHandle {
  stats(): unknown;
  on(name: string, fn: (...args: unknown[]) => void): void;
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

export function startSession(
  client: ClientModule,
  video: HTMLVideoElement,
  src: string,
  options: SessionOptions,
  on: Partial<DemoEvents>,
): DemoSession {
  const handle = client.attach(video, src, options.rtcConfig ? { rtcConfig: options.rtcConfig } : {});
  const sub = (name: string, fn: (...args: unknown[]) => void) => handle.on(name, fn);

  sub("segment", (e) => {
    const ev = o(e);
    const src = s(ev.source);
    const source: SegmentSource = src === "p2p" ? "p2p" : "http";
    on.segment?.({ source, bytes: n(ev.bytes), label: s(ev.label) || s(ev.url).split("/").pop() || "segment" });
  });
  sub("peer-connect", (e) => on.peerConnect?.(s(o(e).peerId)));
  sub("peer-close", (e) => on.peerClose?.(s(o(e).peerId)));
  sub("chunk-downloaded", (e) => {
    const ev = o(e);
    if (ev.source === "p2p" && s(ev.peerId)) on.peerBytes?.({ peerId: s(ev.peerId), direction: "down", bytes: n(ev.bytes) });
  });
  sub("chunk-uploaded", (e) => {
    const ev = o(e);
    if (s(ev.peerId)) on.peerBytes?.({ peerId: s(ev.peerId), direction: "up", bytes: n(ev.bytes) });
  });
  sub("tracker", (e) => {
    const ev = o(e);
    const st = ev.state === "connected" ? "connected" : ev.state === "unreachable" || ev.state === "error" ? "unreachable" : "connecting";
    on.tracker?.(st, s(ev.detail));
  });
  sub("segment-rejected", (e) => {
    const ev = o(e);
    on.segment?.({ source: "rejected", bytes: n(ev.bytes), label: s(ev.label) || s(ev.url).split("/").pop() || "segment" });
  });
  sub("error", (e) => {
    const ev = o(e);
    on.error?.({ type: s(ev.type), details: s(ev.details), fatal: ev.fatal === true });
  });

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
      handle.destroy();
    },
  };
}
