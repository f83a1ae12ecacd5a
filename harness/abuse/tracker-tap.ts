// A WebSocket relay between honest virtual viewers and the Worker's tracker that times each
// announce: from the announce frame the viewer sent to the tracker's reply to it (the frame
// with `interval`, or a `failure reason`, for the same info_hash on that socket), and notes
// each viewer's info_hash and peer_id (its reports must name the peer_id). Frames pass through
// unchanged, in order, both ways; the relay adds one loopback hop (well under a millisecond,
// counted in the RTT). It does not set CF-Connecting-IP: the Worker sees the relay's loopback
// address, as it sees every local viewer under wrangler dev. No HTTP, no media.
import { WebSocket, WebSocketServer, type RawData } from "ws";
import type { AddressInfo } from "node:net";

export interface TapViewer {
  /** The `viewer` query parameter the virtual viewer adds to its tracker URL. */
  id: string;
  /** info_hash → the peer_id it announced there. */
  peers: Map<string, string>;
  /** Round trip of every answered announce, ms. */
  rttMs: number[];
  /** `failure reason` frames the tracker sent this viewer. */
  failures: string[];
  /** Offers relayed to this viewer (each from some member of its swarm). */
  offersIn: number;
}

export interface TrackerTap {
  /** ws://127.0.0.1:<port>; announce URLs are `${url}/announce/<channel>`. */
  url: string;
  viewer(id: string): TapViewer;
  stop(): Promise<void>;
}

function text(data: RawData): string {
  return Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data as ArrayBuffer).toString();
}

function parse(raw: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `target`: the Worker's ws:// base URL. */
export async function startTrackerTap(target: string): Promise<TrackerTap> {
  const viewers = new Map<string, TapViewer>();
  const viewerOf = (id: string): TapViewer => {
    let v = viewers.get(id);
    if (!v) viewers.set(id, (v = { id, peers: new Map(), rttMs: [], failures: [], offersIn: 0 }));
    return v;
  };
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  const sockets = new Set<WebSocket>();
  server.on("connection", (down, req) => {
    const path = req.url ?? "/announce";
    const v = viewerOf(new URL(path, "http://tap.invalid").searchParams.get("viewer") ?? "untagged");
    const up = new WebSocket(`${target}${path}`);
    sockets.add(down);
    sockets.add(up);
    // Announces waiting for their reply, per info_hash, oldest first (replies come in order).
    const pending = new Map<string, number[]>();
    const queued: string[] = [];
    down.on("message", (data) => {
      const raw = text(data);
      const f = parse(raw);
      if (f?.action === "announce" && f.answer === undefined && typeof f.info_hash === "string") {
        if (typeof f.peer_id === "string") v.peers.set(f.info_hash, f.peer_id);
        const q = pending.get(f.info_hash) ?? [];
        q.push(performance.now());
        pending.set(f.info_hash, q);
      }
      if (up.readyState === WebSocket.OPEN) up.send(raw);
      else queued.push(raw);
    });
    up.on("open", () => {
      for (const raw of queued.splice(0)) up.send(raw);
    });
    up.on("message", (data) => {
      const raw = text(data);
      const f = parse(raw);
      const hash = typeof f?.info_hash === "string" ? f.info_hash : undefined;
      if (f && typeof f["failure reason"] === "string") v.failures.push(f["failure reason"]);
      if (f?.offer !== undefined) v.offersIn++;
      const isReply = f !== undefined && (f.interval !== undefined || f["failure reason"] !== undefined);
      const t0 = isReply && hash ? pending.get(hash)?.shift() : undefined;
      if (t0 !== undefined) v.rttMs.push(performance.now() - t0);
      if (down.readyState === WebSocket.OPEN) down.send(raw);
    });
    const closeBoth = (code?: number, reason?: Buffer) => {
      // 1005/1006 cannot be sent; pass a plain close instead.
      const c = code && code !== 1005 && code !== 1006 ? code : 1000;
      for (const s of [up, down]) if (s.readyState === WebSocket.OPEN || s.readyState === WebSocket.CONNECTING) s.close(c, reason?.toString());
    };
    up.on("close", (code, reason) => closeBoth(code, reason));
    down.on("close", (code, reason) => closeBoth(code, reason));
    up.on("error", () => down.terminate());
    down.on("error", () => up.terminate());
    up.on("close", () => sockets.delete(up));
    down.on("close", () => sockets.delete(down));
  });
  await new Promise<void>((r) => server.once("listening", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    viewer: viewerOf,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.terminate();
        server.close(() => r());
      }),
  };
}
