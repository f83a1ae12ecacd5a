// Origin-side byte meter: a Node HTTP reverse proxy on a free port (loopback unless a host
// such as a netlab bridge address is given) in front of a
// target base URL (the Worker under wrangler dev). It counts response body bytes as they
// are handed to the client's socket, per path class (segment / playlist / other) and per
// client tag, the way an egress bill would: a response the client aborts part-way counts
// exactly the bytes that went out before the abort, never its content-length.
// It does not proxy WebSocket upgrades (viewers reach the tracker directly), does not
// cache, and does not rewrite bodies.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type PathClass = "segment" | "playlist" | "other";

export interface ClassCount {
  /** Body bytes the client socket accepted (write callbacks without error). */
  bytes: number;
  requests: number;
  /** Responses that ended before their body was complete (client abort or upstream error). */
  aborted: number;
  /** Slowest request start → last byte written, ms (an origin that stalls shows here first). */
  maxMs: number;
  /** Responses that took longer than SLOW_MS from request to last byte. */
  slow: number;
}

/** What "slow" means for a 2 s segment: half its duration spent on one fetch. */
export const SLOW_MS = 1000;

export type MeterCounts = Record<PathClass, ClassCount>;

export interface MeterSnapshot {
  total: MeterCounts;
  byTag: Record<string, MeterCounts>;
  /** Segment copies per path (first MAX_TRACKED_PATHS paths): the tag of every response that
   * carried body bytes, i.e. every HTTP copy of the segment that left the origin (an empty
   * 204, such as a refused edge claim, is no copy). The ideal swarm fetches each one once. */
  segmentCopiesByPath: Record<string, string[]>;
}

export const MAX_TRACKED_PATHS = 100_000;

export interface MeteringProxy {
  url: string; // http://<host>:<port>, 127.0.0.1 by default
  port: number;
  /**
   * Answers GET `path` itself with `body`: a test page of the embedding site (and its
   * scripts), served from the origin the player uses. Not forwarded and not counted: these
   * are not the Worker's bytes. Playwright route fulfilment did this before, but removing
   * the routes after load raced requests the page had just issued: one was never continued,
   * and hls.js waited out its 20 s manifest timeout (twice in 15 browser runs).
   */
  serve(path: string, body: string, type: string): void;
  snapshot(): MeterSnapshot;
  /** Forwarded responses not yet closed. A client that went away leaves its response open
   * until the socket's close reaches the proxy; 0 means every abort has been counted. */
  inFlight(): number;
  reset(): void;
  stop(): Promise<void>;
}

/** Header a client sets to be counted under its own name (stripped before forwarding). */
export const METER_TAG_HEADER = "x-meter-tag";
/** Same, as a query parameter, for clients that cannot set headers (stripped too). */
export const METER_TAG_PARAM = "meter-tag";
export const UNTAGGED = "untagged";

// Tags come from clients: anything outside this shape is counted as untagged rather than
// trusted as a map key (no prototype keys, no unbounded strings).
const TAG_RE = /^[A-Za-z0-9_.-]{1,64}$/;

const SEGMENT_RE = /\.(ts|m4s|mp4|m4a|m4v|aac|mp3|ac3|ec3|webvtt|vtt|cmfv|cmfa|fmp4)$/i;

/** Classifies a request path the way the bill is read: media segments vs playlists vs rest. */
export function classifyPath(pathname: string): PathClass {
  if (/\.m3u8$/i.test(pathname)) return "playlist";
  if (SEGMENT_RE.test(pathname)) return "segment";
  return "other";
}

export function emptyCounts(): MeterCounts {
  const c = (): ClassCount => ({ bytes: 0, requests: 0, aborted: 0, maxMs: 0, slow: 0 });
  return { segment: c(), playlist: c(), other: c() };
}

export function tagOf(headerValue: string | string[] | undefined, param: string | null): string {
  const raw = typeof headerValue === "string" ? headerValue : (param ?? "");
  return TAG_RE.test(raw) ? raw : UNTAGGED;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own business, not forwarded.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"]);

/** `host`: the address to listen on (default 127.0.0.1), e.g. a netlab bridge address. */
export async function startMeteringProxy(opts: { target: string; host?: string }): Promise<MeteringProxy> {
  const host = opts.host ?? "127.0.0.1";
  const target = new URL(opts.target);
  if (target.protocol !== "http:") throw new Error(`metering proxy target must be http:, got ${target.protocol}`);
  let total = emptyCounts();
  let byTag = new Map<string, MeterCounts>();
  let byPath = new Map<string, string[]>();
  const served = new Map<string, { body: string; type: string }>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let inFlight = 0;

  const server = http.createServer((req, res) => {
    const inUrl = new URL(req.url ?? "/", "http://proxy.invalid");
    const own = req.method === "GET" ? served.get(inUrl.pathname) : undefined;
    if (own) {
      req.resume();
      res.writeHead(200, { "content-type": own.type, "cache-control": "no-store" });
      res.end(own.body);
      return;
    }
    const tag = tagOf(req.headers[METER_TAG_HEADER], inUrl.searchParams.get(METER_TAG_PARAM));
    inUrl.searchParams.delete(METER_TAG_PARAM);
    const cls = classifyPath(inUrl.pathname);
    let tagCounts = byTag.get(tag);
    if (!tagCounts) byTag.set(tag, (tagCounts = emptyCounts()));
    // Bind to the generation current at request start: reset() starts a new generation,
    // and a response still streaming from before the reset must not leak into it.
    const counters = [total[cls], tagCounts[cls]];
    for (const c of counters) c.requests++;
    const copies = byPath;
    let copyCounted = cls !== "segment";
    const countCopy = () => {
      copyCounted = true;
      const tags = copies.get(inUrl.pathname);
      if (tags) tags.push(tag);
      else if (copies.size < MAX_TRACKED_PATHS) copies.set(inUrl.pathname, [tag]);
    };
    const t0 = performance.now();
    inFlight++;
    res.on("close", () => {
      inFlight--;
      const ms = performance.now() - t0;
      for (const c of counters) {
        c.maxMs = Math.max(c.maxMs, Math.round(ms));
        if (ms > SLOW_MS) c.slow++;
      }
    });

    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || HOP_BY_HOP.has(k) || k === METER_TAG_HEADER) continue;
      headers[k] = v;
    }
    headers.host = target.host;
    // Cloudflare's edge tells the Worker who the viewer is; so does this hop (keeping a header
    // a test set itself), or every request through it would look like the proxy's own: leases
    // go only to addresses the tracker has seen (worker/lease/claim.ts), and a viewer's
    // tracker socket does not pass through here.
    const peer = req.socket.remoteAddress;
    if (peer) headers["cf-connecting-ip"] ??= peer.replace(/^::ffff:(?=\d+\.)/i, "");

    let finished = false;
    let abortedCounted = false;
    const markAborted = () => {
      if (finished || abortedCounted) return;
      abortedCounted = true;
      for (const c of counters) c.aborted++;
    };

    const onUpstream = (up: http.IncomingMessage) => {
      const outHeaders: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(up.headers)) {
        if (v !== undefined && !HOP_BY_HOP.has(k)) outHeaders[k] = v;
      }
      res.writeHead(up.statusCode ?? 502, up.statusMessage, outHeaders);
      up.on("data", (chunk: Buffer) => {
        if (res.destroyed) return;
        const n = chunk.byteLength;
        // Counted in the write callback: only bytes the socket took, not bytes queued
        // behind a client that has already gone.
        const ok = res.write(chunk, (err) => {
          if (err) return;
          for (const c of counters) c.bytes += n;
          if (!copyCounted) countCopy();
        });
        if (!ok) {
          up.pause();
          res.once("drain", () => up.resume());
        }
      });
      up.on("end", () => {
        if (res.destroyed) return;
        res.end(() => {
          finished = true;
        });
      });
      up.on("error", () => {
        markAborted();
        res.destroy();
      });
      up.on("aborted", () => {
        markAborted();
        res.destroy();
      });
    };
    const idempotent = req.method === "GET" || req.method === "HEAD";
    const send = (retry: boolean): http.ClientRequest => {
      const r = http.request(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          // A retry takes a fresh connection: the failure is usually a pooled keep-alive
          // socket the origin closed just as we reused it.
          agent: retry ? false : agent,
          method: req.method,
          path: inUrl.pathname + inUrl.search,
          headers,
        },
        onUpstream,
      );
      r.on("error", (err) => {
        if (!retry && idempotent && !res.headersSent && !res.destroyed) {
          upstream = send(true);
          upstream.end();
          return;
        }
        if (!res.headersSent) {
          res.writeHead(502, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: `upstream unreachable: ${err.message}` }));
          finished = true;
        } else {
          markAborted();
          res.destroy();
        }
      });
      return r;
    };
    let upstream = send(false);
    // The client went away: stop pulling from the origin, as a real edge would.
    res.on("close", () => {
      if (!res.writableFinished) {
        markAborted();
        upstream.destroy();
      }
    });
    if (idempotent) {
      req.resume();
      upstream.end();
    } else req.pipe(upstream);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as AddressInfo).port;

  const clone = (c: MeterCounts): MeterCounts => JSON.parse(JSON.stringify(c)) as MeterCounts;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    serve: (path, body, type) => {
      served.set(path, { body, type });
    },
    snapshot: () => ({
      total: clone(total),
      byTag: Object.fromEntries([...byTag].map(([k, v]) => [k, clone(v)])),
      segmentCopiesByPath: Object.fromEntries([...byPath].map(([k, v]) => [k, [...v]])),
    }),
    inFlight: () => inFlight,
    reset: () => {
      total = emptyCounts();
      byTag = new Map();
      byPath = new Map();
    },
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => r());
      }),
  };
}
