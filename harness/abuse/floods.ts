// The floods of issue 14 (H1, M1, M2, L1), each a function that runs one against a Worker URL
// from a single client address until stopped, and counts what the Worker answered: the flood's
// own side of the abuse suite (bench/abuse, test/integration/abuse.test.ts). Real sockets and
// real HTTP requests only; nothing here measures honest viewers (honest-pair.ts does).
//
// The address: Cloudflare's edge sets CF-Connecting-IP and a client cannot. Under wrangler dev
// every local client is 127.0.0.1, which the Worker does not cap (loopback is this machine:
// tests and benches), so the floods set the header themselves to FLOOD_ADDRESS, a TEST-NET-3
// address, and the honest viewers (which never set it) are the loopback client. Locally the
// header passes through to the Worker as sent; on Cloudflare it would be the flooder's real IP.
import { randomBytes } from "node:crypto";
import { WebSocket } from "ws";

/** The flooder's address (RFC 5737 TEST-NET-3: never a real client). */
export const FLOOD_ADDRESS = "203.0.113.66";

/** What the Worker answered the flood, by outcome ("upgrade 429", "failure: swarm is full", …). */
export interface FloodCounters {
  /** WebSocket frames the flood sent. */
  frames: number;
  /** HTTP requests (upgrades included) the flood made. */
  requests: number;
  counts: Record<string, number>;
  /** First error body seen per outcome, for the printout. */
  errors: Record<string, string>;
}

export interface Flood {
  name: string;
  counters: FloodCounters;
  /** Stops sending and closes every socket the flood holds. */
  stop(): Promise<void>;
  /** Resolves when every planned request or socket has been sent or opened. */
  launched: Promise<void>;
}

function newCounters(): FloodCounters {
  return { frames: 0, requests: 0, counts: {}, errors: {} };
}

function bump(c: FloodCounters, key: string, error?: string): void {
  c.counts[key] = (c.counts[key] ?? 0) + 1;
  if (error !== undefined && c.errors[key] === undefined) c.errors[key] = error.slice(0, 160);
}

/** A 20-char binary id, one char per byte, as bittorrent-tracker sends peer_ids. */
export function binaryId(): string {
  return String.fromCharCode(...randomBytes(20));
}

/** `[A-Za-z0-9_-]` of length n: viewer ids and stream names that pass the report parser. */
function token(n: number): string {
  return randomBytes(n).toString("base64url").slice(0, n);
}

/** Runs `fire(i)` for i < count at `ratePerS`, at most `inFlight` at once, until `stopped()`. */
async function paced(count: number, ratePerS: number, inFlight: number, stopped: () => boolean, fire: (i: number) => Promise<void>): Promise<void> {
  const t0 = performance.now();
  const running = new Set<Promise<void>>();
  for (let i = 0; i < count && !stopped(); i++) {
    const due = t0 + (i * 1000) / ratePerS - performance.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
    while (running.size >= inFlight) await Promise.race(running);
    const p = fire(i).catch(() => undefined);
    running.add(p);
    void p.finally(() => running.delete(p));
  }
  await Promise.all(running);
}

interface OpenedSocket {
  ws: WebSocket;
  frames: Record<string, unknown>[];
}

/** Opens one tracker socket from the flood address; counts the upgrade's outcome. */
function openSocket(url: string, address: string, c: FloodCounters, onFrame?: (f: Record<string, unknown>) => void): Promise<OpenedSocket | undefined> {
  c.requests++;
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { "cf-connecting-ip": address } });
    const frames: Record<string, unknown>[] = [];
    ws.on("open", () => {
      bump(c, "upgrade 101");
      resolve({ ws, frames });
    });
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => {
        bump(c, `upgrade ${res.statusCode ?? 0}`, body);
        resolve(undefined);
      });
      res.on("error", () => resolve(undefined));
    });
    ws.on("error", (e) => {
      bump(c, "upgrade error", e.message);
      resolve(undefined);
    });
    ws.on("message", (data) => {
      let f: unknown;
      try {
        f = JSON.parse(String(data));
      } catch {
        return;
      }
      if (typeof f !== "object" || f === null) return;
      const frame = f as Record<string, unknown>;
      if (typeof frame["failure reason"] === "string") bump(c, `failure: ${frame["failure reason"]}`);
      onFrame?.(frame);
    });
    ws.on("close", (code, reason) => {
      // Only closes the Worker started count, not ours (stop()).
      if (!closedByUs.has(ws)) bump(c, `closed ${code} ${reason.toString()}`.trim());
    });
  });
}

/** Sockets the flood itself closed: their close events are not the Worker's doing. */
const closedByUs = new WeakSet<WebSocket>();

function closeAll(sockets: Iterable<WebSocket>): void {
  for (const ws of sockets) {
    closedByUs.add(ws);
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, "flood over");
    else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
  }
}

export interface SquatOptions {
  /** ws:// base URL of the Worker. */
  wsUrl: string;
  channel: string;
  /** The swarm to squat: the info_hash honest viewers of the stream announce. */
  infoHash: string;
  /** Sockets to try (the H1 used 63). */
  sockets: number;
  /** peer_ids announced on each socket (H1: 16, the old per-socket swarm cap). */
  peersPerSocket: number;
  /** Socket opens per second. */
  ratePerS: number;
  /** Each admitted fake re-announces this often, so the tracker keeps it live. */
  reannounceMs: number;
  address?: string;
}

/**
 * H1: one address squats a swarm. Every socket announces `peersPerSocket` fresh peer_ids with
 * no offers and never answers an offer relayed to it (a fake peer only soaks up honest
 * viewers' offers), and keeps them alive with re-announces. Counts: admitted fakes
 * ("announce ok"), failure reasons, refused upgrades, offers the fakes absorbed.
 */
export function squatFlood(o: SquatOptions): Flood {
  const c = newCounters();
  const address = o.address ?? FLOOD_ADDRESS;
  const open = new Set<WebSocket>();
  const admitted: { ws: WebSocket; peerId: string }[] = [];
  let stopped = false;
  const announce = (ws: WebSocket, peerId: string, event?: string) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    const f: Record<string, unknown> = {
      action: "announce",
      info_hash: o.infoHash,
      peer_id: peerId,
      numwant: 5,
      uploaded: 0,
      downloaded: 0,
      left: 1,
      offers: [],
    };
    if (event) f.event = event;
    c.frames++;
    ws.send(JSON.stringify(f));
  };
  const launched = paced(
    o.sockets,
    o.ratePerS,
    32,
    () => stopped,
    async () => {
      const ids: string[] = [];
      let mine: WebSocket | undefined;
      const s = await openSocket(`${o.wsUrl}/announce/${o.channel}`, address, c, (f) => {
        if (f.offer !== undefined) bump(c, "offers absorbed");
        else if (f.interval !== undefined && typeof f.info_hash === "string") {
          // Replies come in order; the first `ids.length` replies are the joins.
          const pid = ids.shift();
          if (pid !== undefined && mine) {
            bump(c, "announce ok");
            admitted.push({ ws: mine, peerId: pid });
          }
        } else if (f["failure reason"] !== undefined) ids.shift();
      });
      if (!s) return;
      if (stopped) return closeAll([s.ws]);
      mine = s.ws;
      open.add(s.ws);
      s.ws.on("close", () => open.delete(s.ws));
      for (let j = 0; j < o.peersPerSocket; j++) {
        const pid = binaryId();
        ids.push(pid);
        announce(s.ws, pid, "started");
      }
    },
  );
  const timer = setInterval(() => {
    for (const a of admitted) announce(a.ws, a.peerId);
  }, o.reannounceMs);
  return {
    name: "H1 squat",
    counters: c,
    launched,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await launched;
      closeAll(open);
    },
  };
}

export interface SocketFloodOptions {
  wsUrl: string;
  channel: string;
  sockets: number;
  ratePerS: number;
  /** Open a new socket this long after the Worker closed one (a flooder keeping its
   * sockets up against the idle timeout); undefined: do not. */
  reopenMs?: number;
  address?: string;
}

/**
 * M2: one address opens many tracker sockets and never announces on them, and reopens the
 * ones the Worker closes. Counts: upgrades by status (429 past the per-address cap) and
 * closes the Worker started (the idle timeout).
 */
export function socketFlood(o: SocketFloodOptions): Flood {
  const c = newCounters();
  const address = o.address ?? FLOOD_ADDRESS;
  const open = new Set<WebSocket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let stopped = false;
  const one = async (): Promise<void> => {
    const s = await openSocket(`${o.wsUrl}/announce/${o.channel}`, address, c);
    if (!s) return;
    if (stopped) return closeAll([s.ws]);
    open.add(s.ws);
    s.ws.on("close", () => {
      open.delete(s.ws);
      if (stopped || o.reopenMs === undefined) return;
      const t = setTimeout(() => {
        timers.delete(t);
        if (!stopped) void one();
      }, o.reopenMs);
      timers.add(t);
    });
  };
  const launched = paced(o.sockets, o.ratePerS, 64, () => stopped, one);
  return {
    name: "M2 sockets",
    counters: c,
    launched,
    stop: async () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await launched;
      closeAll(open);
    },
  };
}

export interface ReportFloodOptions {
  /** http:// base URL of the Worker. */
  url: string;
  /** The honest viewers' stream: half the reports invent viewers of it, half invent streams. */
  stream: string;
  reports: number;
  ratePerS: number;
  address?: string;
}

/** Counters a faker would claim: the "25 TB saved, 400,000 peers". */
const FAKE_FIGURES = { http: 1_000_000, p2p: 12_500_000_000, up: 12_500_000_000, peers: 200 };

/**
 * M1: one address posts reports for thousands of new viewer ids (on the honest stream) and
 * new stream names, with inflated figures and no peer_id the tracker has seen. Counts:
 * answers by status.
 */
export function reportFlood(o: ReportFloodOptions): Flood {
  const c = newCounters();
  const address = o.address ?? FLOOD_ADDRESS;
  let stopped = false;
  const launched = paced(
    o.reports,
    o.ratePerS,
    16,
    () => stopped,
    async (i) => {
      const stream = i % 2 === 0 ? o.stream : `fake-${token(12)}`;
      const body = JSON.stringify({ v: 1, stream, viewer: token(16), ...FAKE_FIGURES, errors: {}, peer: binaryId() });
      c.requests++;
      try {
        const r = await fetch(`${o.url}/api/report`, { method: "POST", body, headers: { "content-type": "text/plain", "cf-connecting-ip": address } });
        const text = await r.text();
        bump(c, `report ${r.status}`, r.ok ? undefined : text);
      } catch (e) {
        bump(c, "report error", String(e));
      }
    },
  );
  return {
    name: "M1 reports",
    counters: c,
    launched,
    stop: async () => {
      stopped = true;
      await launched;
    },
  };
}

export interface ClaimFloodOptions {
  url: string;
  wsUrl: string;
  channel: string;
  /** A media playlist URL of the stream (its folder is where the invented segments go). */
  mediaPlaylistUrl: string;
  claims: number;
  ratePerS: number;
  /** Announce once in `infoHash` from the flood address first, so the tracker vouches for it
   * and the claims reach the origin check (an unknown address is denied before it). */
  infoHash?: string;
  address?: string;
}

/**
 * L1: one address claims segments that do not exist: invented names, and sequence numbers
 * of the live window's naming far past its edge. Counts: answers by status and claim header.
 */
export function claimFlood(o: ClaimFloodOptions): Flood {
  const c = newCounters();
  const address = o.address ?? FLOOD_ADDRESS;
  let stopped = false;
  let witness: WebSocket | undefined;
  const launched = (async () => {
    if (o.infoHash) {
      const s = await openSocket(`${o.wsUrl}/announce/${o.channel}`, address, c);
      if (s) {
        witness = s.ws;
        c.frames++;
        s.ws.send(
          JSON.stringify({
            action: "announce",
            info_hash: o.infoHash,
            peer_id: binaryId(),
            event: "started",
            numwant: 5,
            uploaded: 0,
            downloaded: 0,
            left: 1,
            offers: [],
          }),
        );
        // The tracker pushes new sightings to the lease object within WITNESS_FLUSH_MS (1 s).
        await new Promise((r) => setTimeout(r, 1500));
      }
    }
    const pl = await fetch(o.mediaPlaylistUrl).then((r) => r.text());
    const base = new URL(".", o.mediaPlaylistUrl);
    const last = pl
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .at(-1);
    const edge = Number(/^(\d+)\./.exec(last ?? "")?.[1] ?? 0);
    const ext = /\.(\w+)$/.exec(last ?? "")?.[1] ?? "ts";
    await paced(
      o.claims,
      o.ratePerS,
      16,
      () => stopped,
      async (i) => {
        const name = i % 2 === 0 ? `invented-${token(10)}.${ext}` : `${edge + 1000 + i}.${ext}`;
        const u = new URL(name, base);
        u.searchParams.set("es_claim", o.channel);
        c.requests++;
        try {
          const r = await fetch(u, { headers: { "cf-connecting-ip": address } });
          await r.arrayBuffer();
          bump(c, `claim ${r.status} ${r.headers.get("x-edgeswarm-claim") ?? "-"}`);
        } catch (e) {
          bump(c, "claim error", String(e));
        }
      },
    );
  })();
  return {
    name: "L1 claims",
    counters: c,
    launched,
    stop: async () => {
      stopped = true;
      await launched;
      if (witness) closeAll([witness]);
    },
  };
}

/** One line per outcome, most frequent first: what the flood's counters print as. */
export function describeCounters(c: FloodCounters): string {
  const parts = Object.entries(c.counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}: ${n}`);
  return [`frames ${c.frames}, requests ${c.requests}`, ...parts].join("; ");
}
