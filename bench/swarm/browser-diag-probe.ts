// Runs inside the EdgeSwarm bench page (bundled into its page script): records what
// browser-diag.ts needs to say where each segment came from, using only what any page can
// see. Installed before EdgeSwarm.attach, so it wraps window.fetch (the P2P core's HTTP
// loader and the edge seeder call it at each request) and WebSocket.prototype (the tracker
// client's announces carry this page's peer_id; es_role frames come in on the same socket).
// The P2P core's segment events are reached through hls.js's fragment loader class, which
// p2p-media-loader-hlsjs gives a static getEngine(); listening changes nothing.
// It records; it never alters a request, a frame or a response.
import { emptyDiag, MAX_DIAG_ENTRIES, type DiagLog } from "./browser-diag.ts";

const push = <T>(list: T[], item: T) => {
  if (list.length < MAX_DIAG_ENTRIES) list.push(item);
};

export interface DiagRecorder {
  log: DiagLog;
  /** Called with the Hls instance once hls.js builds its components (the probe's controller). */
  bindHls(hls: { config?: { fLoader?: unknown }; on(event: string, fn: (e: string, data: unknown) => void): void }): void;
}

export function installDiag(): DiagRecorder {
  const log = emptyDiag();

  const origFetch = window.fetch;
  window.fetch = async function (this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const url = typeof input === "string" ? input : input instanceof Request ? input.url : String(input);
    const rec = { t: Date.now(), th: undefined as number | undefined, url, status: 0, claim: null as string | null, error: undefined as string | undefined };
    push(log.fetches, rec);
    try {
      const res = await origFetch.call(this, input, init);
      rec.th = Date.now();
      rec.status = res.status;
      rec.claim = res.headers.get("x-edgeswarm-claim");
      return res;
    } catch (e) {
      rec.error = e instanceof Error ? e.name : String(e);
      throw e;
    }
  } as typeof fetch;

  const proto = WebSocket.prototype;
  const origSend = proto.send;
  proto.send = function (this: WebSocket, data: Parameters<WebSocket["send"]>[0]) {
    if (typeof data === "string" && data.includes('"announce"')) {
      try {
        const f = JSON.parse(data) as { peer_id?: unknown };
        if (typeof f.peer_id === "string" && !log.peerIds.includes(f.peer_id)) push(log.peerIds, f.peer_id);
      } catch {
        /* not JSON */
      }
    }
    return origSend.call(this, data);
  };
  const onmessage = Object.getOwnPropertyDescriptor(proto, "onmessage");
  if (onmessage?.set && onmessage.get) {
    Object.defineProperty(proto, "onmessage", {
      configurable: true,
      get(this: WebSocket) {
        return onmessage.get!.call(this);
      },
      set(this: WebSocket, fn: ((ev: MessageEvent) => unknown) | null) {
        const tap = (ev: MessageEvent) => {
          if (typeof ev.data === "string" && ev.data.includes('"es_role"')) {
            try {
              const f = JSON.parse(ev.data) as { mode?: unknown; classes?: unknown };
              push(log.roles, { t: Date.now(), mode: String(f.mode), classes: Array.isArray(f.classes) ? f.classes.length : 0 });
            } catch {
              /* not JSON */
            }
          }
        };
        onmessage.set!.call(
          this,
          fn
            ? function (this: WebSocket, ev: MessageEvent) {
                tap(ev);
                return fn.call(this, ev);
              }
            : null,
        );
      },
    });
  }

  const bindHls: DiagRecorder["bindHls"] = (hls) => {
    hls.on("hlsFragLoading", (_e, data) => {
      const frag = (data as { frag?: { type?: string; url?: string } }).frag;
      if (frag?.type === "main" && typeof frag.url === "string") push(log.frags, { t: Date.now(), url: frag.url });
    });
    const loader = hls.config?.fLoader as { getEngine?: () => { addEventListener(k: string, fn: (...a: never[]) => void): void } } | undefined;
    const engine = typeof loader?.getEngine === "function" ? loader.getEngine() : undefined;
    if (!engine) return;
    log.coreSeen = true;
    type Seg = { segment?: { url?: string }; downloadSource?: "http" | "p2p"; peerId?: string };
    const rec = (ev: "start" | "loaded" | "error" | "abort", d: Seg, extra: { bytes?: number; type?: string } = {}) => {
      if (!d.segment?.url || !d.downloadSource) return;
      push(log.core, { t: Date.now(), ev, url: d.segment.url, src: d.downloadSource, peer: d.peerId, ...extra });
    };
    engine.addEventListener("onSegmentStart", ((d: Seg) => rec("start", d)) as never);
    engine.addEventListener("onSegmentLoaded", ((d: { segmentUrl?: string; downloadSource?: "http" | "p2p"; peerId?: string; bytesLength?: number }) =>
      rec("loaded", { segment: { url: d.segmentUrl }, downloadSource: d.downloadSource, peerId: d.peerId }, { bytes: d.bytesLength ?? 0 })) as never);
    engine.addEventListener("onSegmentError", ((d: Seg & { error?: { type?: string } }) => rec("error", d, { type: d.error?.type ?? "error" })) as never);
    engine.addEventListener("onSegmentAbort", ((d: Seg) => rec("abort", d)) as never);
    engine.addEventListener("onChunkUploaded", ((bytes: number, peerId: string) => {
      if (Object.keys(log.uploads).length < 64 || peerId in log.uploads) log.uploads[peerId] = (log.uploads[peerId] ?? 0) + bytes;
    }) as never);
  };
  return { log, bindHls };
}
