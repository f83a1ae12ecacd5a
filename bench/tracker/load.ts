// Load generator for WebTorrent-protocol trackers: M simulated peers, one `ws` socket
// each, spread over S swarms, that announce with 5 offers (well-formed fake SDP, 20-char
// binary-string ids, like p2p-media-loader) and answer every offer they receive.
// Closed loop: a peer starts its next announce only when its previous one is finished
// (the reply and all its answers arrived, or a timeout), so every target sees the same
// offered load shape and an overloaded target slows the loop instead of building an
// unbounded queue. It measures, it does not judge: no assertions, no pass/fail.
import { randomBytes } from "node:crypto";
import WebSocket from "ws";

export interface LoadOptions {
  peers: number;
  swarms: number;
  offers: number; // offers per announce (p2p-media-loader: 5)
  warmupMs: number;
  measureMs: number;
  /** A cycle that has not finished after this long is abandoned (counted as stalled). */
  cycleTimeoutMs: number;
}

export interface LoadResult {
  windowS: number;
  announces: number; // announce frames sent in the window
  offersDelivered: number; // relayed offers received by a peer in the window
  answersDelivered: number; // relayed answers received by the announcer in the window
  offerLatencyMs: number[]; // announce sent → offer received (per offer)
  answerLatencyMs: number[]; // announce sent → answer received (signalling round trip)
  stalledCycles: number;
  failures: Map<string, number>; // "failure reason" → count
  socketErrors: number;
  closedByServer: number;
  genCpuS: number; // user+system CPU of the load generator over the window
  serverCpuS: number; // server CPU over the window, from the caller's probe (0 without one)
}

// ---------------------------------------------------------------------------------
// Fake but well-formed identifiers and SDP.

/** 20 random bytes as a binary string (one char per byte, 0–255): bittorrent-tracker's format. */
function binaryId20(): string {
  return randomBytes(20).toString("latin1");
}

/** p2p-media-loader derives info_hash as btoa(sha1(...).slice(0, 15)): 20 ASCII chars. */
function swarmInfoHash(i: number): string {
  return Buffer.from(`edgeswarm-bench-${i}`.padEnd(15, "#").slice(0, 15), "latin1").toString("base64");
}

function hex(n: number): string {
  return randomBytes(n).toString("hex");
}

/** A non-trickle data-channel SDP as a browser/libdatachannel would put in an offer/answer. */
function fakeSdp(type: "offer" | "answer"): string {
  const fp = (randomBytes(32).toString("hex").match(/../g) ?? []).join(":").toUpperCase();
  const port = 40000 + Math.floor(Math.random() * 20000);
  return [
    "v=0",
    `o=- ${BigInt("0x" + hex(7))} 2 IN IP4 127.0.0.1`,
    "s=-",
    "t=0 0",
    "a=group:BUNDLE 0",
    "a=extmap-allow-mixed",
    "a=msid-semantic: WMS",
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
    "c=IN IP4 0.0.0.0",
    `a=candidate:${Math.floor(Math.random() * 4e9)} 1 udp 2122260223 127.0.0.1 ${port} typ host generation 0 network-id 1`,
    `a=ice-ufrag:${hex(2)}`,
    `a=ice-pwd:${hex(12)}`,
    "a=ice-options:trickle",
    `a=fingerprint:sha-256 ${fp}`,
    `a=setup:${type === "offer" ? "actpass" : "active"}`,
    "a=mid:0",
    "a=sctp-port:5000",
    "a=max-message-size:262144",
    "",
  ].join("\r\n");
}

// A pool of pre-built SDPs: building one per message would make the generator, not the
// tracker, the thing being measured. The tracker does not care that they repeat.
const OFFER_SDPS = Array.from({ length: 64 }, () => fakeSdp("offer"));
const ANSWER_SDPS = Array.from({ length: 64 }, () => fakeSdp("answer"));
const pick = (xs: string[]) => xs[Math.floor(Math.random() * xs.length)]!;
/** One SDP of the kind this generator sends (for logic.ts, which must use the same sizes). */
export const exampleSdp = (type: "offer" | "answer") => (type === "offer" ? OFFER_SDPS[0]! : ANSWER_SDPS[0]!);

// ---------------------------------------------------------------------------------

interface Peer {
  ws: WebSocket;
  infoHash: string;
  peerId: string;
  joined: boolean;
  cycle: { replied: boolean; answersLeft: number; timer: NodeJS.Timeout; ids: string[] } | null;
}

interface Reply {
  action?: unknown;
  "failure reason"?: unknown;
  offer?: unknown;
  answer?: unknown;
  offer_id?: unknown;
  peer_id?: unknown;
  info_hash?: unknown;
  interval?: unknown;
  complete?: unknown;
}

/** `serverCpu` reads the server's cumulative CPU seconds; it is sampled at the window edges. */
export async function runLoad(wsUrl: string, opts: LoadOptions, log: (s: string) => void = () => {}, serverCpu: () => number = () => 0): Promise<LoadResult> {
  const hashes = Array.from({ length: opts.swarms }, (_, i) => swarmInfoHash(i));
  const peers: Peer[] = [];
  // offer_id → when its announce was sent and by whom; bounded by the closed loop
  // (at most peers × offers live entries) and pruned when a cycle ends.
  const sentAt = new Map<string, number>();
  const res: LoadResult = {
    windowS: opts.measureMs / 1000,
    announces: 0,
    offersDelivered: 0,
    answersDelivered: 0,
    offerLatencyMs: [],
    answerLatencyMs: [],
    stalledCycles: 0,
    failures: new Map(),
    socketErrors: 0,
    closedByServer: 0,
    genCpuS: 0,
    serverCpuS: 0,
  };
  let measuring = false;
  let running = true;

  const send = (p: Peer, obj: unknown) => {
    if (p.ws.readyState === WebSocket.OPEN) p.ws.send(JSON.stringify(obj));
  };

  const startCycle = (p: Peer) => {
    if (!running || p.ws.readyState !== WebSocket.OPEN) return;
    const now = performance.now();
    const offers = [];
    const ids: string[] = [];
    for (let i = 0; i < opts.offers; i++) {
      const id = binaryId20();
      ids.push(id);
      sentAt.set(id, now);
      offers.push({ offer: { type: "offer", sdp: pick(OFFER_SDPS) }, offer_id: id });
    }
    const timer = setTimeout(() => {
      if (measuring) res.stalledCycles++;
      endCycle(p, ids);
    }, opts.cycleTimeoutMs);
    p.cycle = { replied: false, answersLeft: opts.offers, timer, ids };
    if (measuring) res.announces++;
    send(p, {
      action: "announce",
      info_hash: p.infoHash,
      peer_id: p.peerId,
      numwant: 50,
      uploaded: 0,
      downloaded: 0,
      left: 0,
      offers,
    });
  };

  const endCycle = (p: Peer, ids: string[]) => {
    if (p.cycle) clearTimeout(p.cycle.timer);
    p.cycle = null;
    for (const id of ids) sentAt.delete(id);
    // setImmediate: let the socket's other frames drain before the next announce, and
    // keep recursion off the stack.
    setImmediate(() => startCycle(p));
  };

  const onFrame = (p: Peer, raw: WebSocket.RawData) => {
    let m: Reply;
    try {
      m = JSON.parse(raw.toString()) as Reply;
    } catch {
      return;
    }
    const now = performance.now();
    const failure = m["failure reason"];
    if (typeof failure === "string") {
      res.failures.set(failure, (res.failures.get(failure) ?? 0) + 1);
      return;
    }
    if (typeof m.offer === "object" && m.offer !== null && typeof m.offer_id === "string" && typeof m.peer_id === "string") {
      const t0 = sentAt.get(m.offer_id);
      if (measuring) {
        res.offersDelivered++;
        if (t0 !== undefined) res.offerLatencyMs.push(now - t0);
      }
      send(p, {
        action: "announce",
        info_hash: p.infoHash,
        peer_id: p.peerId,
        to_peer_id: m.peer_id,
        offer_id: m.offer_id,
        answer: { type: "answer", sdp: pick(ANSWER_SDPS) },
      });
      return;
    }
    if (typeof m.answer === "object" && m.answer !== null && typeof m.offer_id === "string") {
      const t0 = sentAt.get(m.offer_id);
      if (measuring) {
        res.answersDelivered++;
        if (t0 !== undefined) res.answerLatencyMs.push(now - t0);
      }
      const c = p.cycle;
      if (c && t0 !== undefined && --c.answersLeft <= 0 && c.replied) endCycle(p, c.ids);
      return;
    }
    if (m.interval !== undefined || m.complete !== undefined) {
      if (!p.joined) {
        p.joined = true;
        return;
      }
      const c = p.cycle;
      if (c) {
        c.replied = true;
        if (c.answersLeft <= 0) endCycle(p, c.ids);
      }
    }
  };

  // Connect in batches: hundreds of simultaneous handshakes measure accept(), not relay.
  log(`connecting ${opts.peers} peers to ${wsUrl}`);
  for (let i = 0; i < opts.peers; i += 50) {
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(opts.peers, i + 50); j++) {
      const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
      const p: Peer = { ws, infoHash: hashes[j % opts.swarms]!, peerId: binaryId20(), joined: false, cycle: null };
      peers.push(p);
      ws.on("message", (d) => onFrame(p, d));
      ws.on("error", () => res.socketErrors++);
      ws.on("close", () => {
        if (running) res.closedByServer++;
      });
      batch.push(
        new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error("connect timeout")), 30_000);
          ws.once("open", () => {
            clearTimeout(t);
            resolve();
          });
          ws.once("error", (e) => {
            clearTimeout(t);
            reject(e);
          });
        }),
      );
    }
    await Promise.all(batch);
  }

  // Join phase: every peer announces `started` without offers, so when offers begin
  // every swarm is already full and each offer has a recipient.
  for (const p of peers)
    send(p, { action: "announce", event: "started", info_hash: p.infoHash, peer_id: p.peerId, numwant: 0, uploaded: 0, downloaded: 0, left: 0, offers: [] });
  const joinDeadline = Date.now() + 30_000;
  while (peers.some((p) => !p.joined) && Date.now() < joinDeadline) await new Promise((r) => setTimeout(r, 50));
  const notJoined = peers.filter((p) => !p.joined).length;
  if (notJoined) log(`warning: ${notJoined} peers got no reply to their first announce`);
  for (const p of peers) p.joined = true;

  log(`load: ${opts.peers} peers × ${opts.offers} offers, ${opts.swarms} swarms; warm-up ${opts.warmupMs / 1000}s, measuring ${opts.measureMs / 1000}s`);
  for (const p of peers) startCycle(p);
  await new Promise((r) => setTimeout(r, opts.warmupMs));
  const cpu0 = process.cpuUsage();
  const srv0 = serverCpu();
  const w0 = performance.now();
  measuring = true;
  await new Promise((r) => setTimeout(r, opts.measureMs));
  measuring = false;
  res.serverCpuS = serverCpu() - srv0;
  // The timer may fire late on a loaded machine: use the real window length.
  res.windowS = (performance.now() - w0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  res.genCpuS = (cpu.user + cpu.system) / 1e6;
  running = false;

  for (const p of peers) {
    if (p.cycle) clearTimeout(p.cycle.timer);
    p.cycle = null;
    p.ws.terminate();
  }
  return res;
}

export function percentile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
