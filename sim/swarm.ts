// One swarm shard of one live channel, simulated event by event: its viewers joining and
// leaving, the tracker pairing them (announces with offers relayed to random members), the
// segments they fetch over HTTP or from each other (whole segments, store-and-forward), and
// for EdgeSwarm the shard's fetcher plan (worker/tracker/fetchers.ts, imported) re-made
// every report period. Shards are independent once viewers are routed, so a run simulates
// them one after another (run.ts). Counts bytes, slack, stalls and the shard's object load.
import { fetchesSegment, planFetchers, emptyPlan, type FetcherPlan, type ViewerRecord } from "../worker/tracker/fetchers";
import { ANNOUNCE_INTERVAL_S, FETCHER_CLAIMERS, MAX_OFFERS_PER_ANNOUNCE, VIEWER_REPORT_S } from "../worker/tracker/limits";
import type { SlowUplink } from "../client/claim-policy";
import { CORE_REVISIT_S, REPORT_FIRST_MS, UPLINK_PROBE, WEAK_UPLINK } from "../client/limits";
import type { UploadSlots } from "../client/upload-slots";
import { EventQueue, type Handle } from "./events";
import { connectable, Uplink, type NetworkConfig, type Upload } from "./network";
import type { ObjectLoad } from "./objects";
import { PEER_UPDATE_LATENCY_MS } from "./policies/stock";
import type { ClientPolicy, Reannounce } from "./policies/types";
import { rng, type Rng } from "./rng";
import type { ViewerSpec } from "./viewer";

/** bittorrent-tracker's client sends min(numwant, 5) offers per announce (websocket-tracker.js). */
export const OFFERS_PER_ANNOUNCE = Math.min(5, MAX_OFFERS_PER_ANNOUNCE);
/** Viewers report, and shards re-plan fetchers, every VIEWER_REPORT_S (15 s). */
export const REPORT_PERIOD_S = VIEWER_REPORT_S;
/** Report periods that make "the last minute" of upBps. */
const WINDOW_PERIODS = 4;
/** A viewer's first es_report goes out this long after it joined; until the answer it claims at the edge (client/fetcher-role.ts). */
const REPORT_FIRST_S = REPORT_FIRST_MS / 1000;
/** hls.js has loaded the playlist and the first segment this long after joining. */
export const STARTUP_S = 1;
/** Slack histogram: 0.1 s bins from SLACK_MIN_S. */
export const SLACK_BIN_S = 0.1;
export const SLACK_MIN_S = -60;
export const SLACK_BINS = 2400;

export interface StreamParams {
  segmentS: number;
  segmentBytes: number;
  /** Seconds from a segment's publication to its play deadline. */
  budgetS: number;
  /** Segments are published at 0, D, 2D, … while t < horizonS. */
  horizonS: number;
}

export interface ShardInput {
  name: string;
  leaseName: string;
  viewers: readonly ViewerSpec[];
  stream: StreamParams;
  net: NetworkConfig;
  policy: ClientPolicy;
  seed: number;
  load: ObjectLoad;
  /** Peers one tracker swarm admits (MAX_PEERS_PER_SWARM); Infinity to lift it. */
  swarmCap: number;
  /** Every pair can connect (lab scenarios). */
  allConnectable: boolean;
}

/**
 * Why an HTTP segment fetch happened (docs/sim.md "Where the HTTP bytes go"):
 * - fetcher: a planned fetcher at publication (fetchesSegment);
 * - claim: the lease's winner in the claims phase (no proven viewer yet);
 * - first: a joiner's first segment, loaded at once;
 * - joining: a fallback of a viewer in its first budget's worth of seconds (catching up to
 *   the live edge, or its second segment on the joining window);
 * - fallback: a fallback of a settled viewer (no peer delivered it before the high-demand window);
 * - random: stock's random HTTP seeding.
 */
export const HTTP_CAUSES = ["fetcher", "claim", "first", "joining", "fallback", "random"] as const;
export type HttpCause = (typeof HTTP_CAUSES)[number];

export interface ShardResult {
  p2pBytes: number;
  httpBytes: number;
  /** HTTP bytes by cause, indexed as HTTP_CAUSES. */
  httpByCause: Float64Array;
  /** HTTP bytes fetched by fetchers at publication (EdgeSwarm). */
  fetcherBytes: number;
  stalls: number;
  stallS: number;
  /** Segments whose deadline fell inside a viewer's session (played segments). */
  played: number;
  slack: Float64Array;
  refused: number;
  peakMembers: number;
  /** Mean connected peers over report periods (members only). */
  meanPeers: number;
  /** Mean m of the fetcher plans (EdgeSwarm). */
  meanM: number;
  httpRequests: number;
  events: number;
}

const NONE = 0,
  P2P = 1,
  HTTP = 2,
  HELD = 3;

interface Inbound {
  s: number;
  from: V;
  startedAt: number;
  up?: Upload;
  done?: Handle;
}

class V {
  present = false;
  member = false;
  nb: V[] = [];
  inbound: Inbound[] = [];
  first = 0;
  last = -1;
  hd = 0;
  hdJoin = 0;
  httpWin = 0;
  p2pWin = 0;
  phase = 0;
  httpActive = 0;
  retry?: Handle;
  reann?: Reannounce;
  reannTick?: Handle;
  idStr: string;
  /** Download rate measured from each peer (its last whole segment): the core's peer.downloadBandwidth. */
  bw = new Map<V, number>();
  /** Whole uploads per report period: bytes and seconds sending them (client/fetcher-role.ts UploadMeter). */
  doneHist: number[] = [];
  doneSHist: number[] = [];
  /** Segments it has received, from any source (the probe starts at UPLINK_PROBE.afterSegments). */
  loaded = 0;
  /** Neither claims nor serves peers: its uplink probe has not answered, or found it slow (policy.uplinkProbe). */
  silent = false;
  slow?: SlowUplink;
  probing = false;
  /** Its probe has answered at least once. */
  probed = false;
  constructor(
    readonly i: number,
    readonly spec: ViewerSpec,
    readonly up: Uplink,
    /** Its upload-slot policy, fed as the client's store feeds it (EdgeSwarm). */
    readonly slots?: UploadSlots,
  ) {
    this.idStr = String(spec.id);
  }
}

export function runShard(input: ShardInput): ShardResult {
  const { stream: st, net, policy, load } = input;
  const D = st.segmentS,
    B = st.budgetS,
    bytes = st.segmentBytes;
  const S = Math.max(1, Math.ceil(st.horizonS / D));
  const endS = st.horizonS + B + 1;
  const q = new EventQueue();
  const r: Rng = rng(input.seed, 100 + hash(input.name));
  const n = input.viewers.length;
  const vs = input.viewers.map((spec, i) => {
    const slots = policy.uploadSlots?.();
    return new V(i, spec, new Uplink(q, spec.upBps, slots ? slots.slots : policy.maxParallelUploads), slots);
  });
  const state = new Uint8Array(n * S);
  const near = new Uint16Array(n * S);
  const nearLoading = new Uint16Array(n * S);
  const W = Math.ceil((B + D) / D) + 2;
  const members: V[] = [];
  const memberIdx = new Map<V, number>();
  const byId = new Map<string, V>();
  let plan: FetcherPlan = emptyPlan();
  let cur = -1;
  const res: ShardResult = {
    p2pBytes: 0,
    httpBytes: 0,
    httpByCause: new Float64Array(HTTP_CAUSES.length),
    fetcherBytes: 0,
    stalls: 0,
    stallS: 0,
    played: 0,
    slack: new Float64Array(SLACK_BINS),
    refused: 0,
    peakMembers: 0,
    meanPeers: 0,
    meanM: 0,
    httpRequests: 0,
    events: 0,
  };
  let peerSamples = 0,
    mSamples = 0;
  const deadline = (s: number) => s * D + B;
  const pub = (s: number) => s * D;
  const randomHttp = policy.windows(D, 0, false).httpS > policy.windows(D, 0, false).highDemandS;

  const wants = (v: V, s: number) => v.present && s >= v.first && s <= cur;

  function acquire(v: V, s: number, src: "p2p" | "http", cause?: HttpCause): void {
    if (!v.present || state[v.i * S + s] === HELD) return;
    const wasHttp = state[v.i * S + s] === HTTP;
    state[v.i * S + s] = HELD;
    if (++v.loaded === UPLINK_PROBE.afterSegments) probe(v);
    if (src === "p2p") res.p2pBytes += bytes;
    else {
      res.httpBytes += bytes;
      res.httpByCause[HTTP_CAUSES.indexOf(cause!)]! += bytes;
      if (cause === "fetcher" || cause === "claim") res.fetcherBytes += bytes;
      v.httpActive--;
    }
    if (s <= v.last) {
      const slack = deadline(s) - q.now;
      res.played++;
      res.slack[Math.max(0, Math.min(SLACK_BINS - 1, Math.floor((slack - SLACK_MIN_S) / SLACK_BIN_S)))]! += 1;
      if (slack < 0) {
        res.stalls++;
        res.stallS -= slack;
      }
    }
    for (const u of v.nb) {
      near[u.i * S + s]!++;
      if (wasHttp) nearLoading[u.i * S + s]!--;
      if (!v.silent && state[u.i * S + s] === NONE && u.inbound.length < policy.simultaneousP2P && wants(u, s) && deadline(s) - q.now <= u.p2pWin) {
        // A neighbour with a free slot that still lacks `s` had no holder it could ask (it
        // would be loading `s` otherwise: pump and this loop start a download whenever one
        // can), so `v`, announcing it now, is the holder it asks.
        if (!startFrom(u, v, s)) scheduleRetry(u);
      }
    }
    pump(v);
  }

  function startFrom(v: V, h: V, s: number): boolean {
    if (h.up.busy) return false;
    for (const x of v.inbound) if (x.from === h) return false;
    const entry: Inbound = { s, from: h, startedAt: q.now };
    state[v.i * S + s] = P2P;
    v.inbound.push(entry);
    entry.up = h.up.start(bytes, Math.min(net.connLimitBps, v.spec.downBps), (u) => {
      entry.up = undefined;
      // What the holder's store reports (segment-store.ts): D seconds of media went out, granted
      // at startedAt, beside the most uploads running at its grant or at its end.
      if (h.slots) h.up.maxParallel = h.slots.done(D, u.startedAt, Math.max(u.nStart, u.nEnd), q.now);
      entry.done = q.after(net.p2pRttS, () => {
        v.bw.set(h, bytes / Math.max(1e-3, q.now - entry.startedAt));
        removeInbound(v, entry);
        acquire(v, s, "p2p");
      });
    });
    return true;
  }

  /** Asks a connected holder of `s` that can serve now, as the core picks it; false when none can. */
  function tryP2P(v: V, s: number): boolean {
    const free: V[] = [];
    let anyHolder = false;
    for (const h of v.nb) {
      // A silent viewer serves nobody (its core has P2P upload disabled).
      if (state[h.i * S + s] !== HELD || h.silent) continue;
      anyHolder = true;
      // The core never asks a peer it is already downloading from (p2p/loader.ts).
      if (h.up.busy || isSource(v, h)) continue;
      free.push(h);
    }
    if (free.length === 0) {
      if (anyHolder) scheduleRetry(v);
      return false;
    }
    return startFrom(v, pickHolder(v, free), s);
  }

  /**
   * p2p-media-loader-core 2.3.1 p2p/loader.ts downloadSegment: a random holder weighted by the
   * download bandwidth measured from it (peers never measured, or below a tenth of the best,
   * weigh that tenth, or the proven weight shared among them when they are many); uniform
   * while none is measured. The measurement is the rate of the last segment from that peer.
   */
  function pickHolder(v: V, free: readonly V[]): V {
    if (free.length === 1) return free[0]!;
    let max = 0;
    for (const h of free) max = Math.max(max, v.bw.get(h) ?? 0);
    if (max <= 0) return free[r.int(free.length)]!;
    const base = Math.max(1, max * 0.1);
    let unproven = 0,
      provenWeight = 0;
    for (const h of free) {
      const b = v.bw.get(h) ?? 0;
      if (b <= base) unproven++;
      else provenWeight += b;
    }
    const adjusted = unproven > 0 && provenWeight > 0 && unproven * base > provenWeight ? provenWeight / unproven : base;
    let total = 0;
    for (const h of free) total += Math.max(v.bw.get(h) ?? 0, adjusted);
    let x = r.next() * total;
    for (const h of free) {
      x -= Math.max(v.bw.get(h) ?? 0, adjusted);
      if (x <= 0) return h;
    }
    return free[free.length - 1]!;
  }

  function isSource(v: V, h: V): boolean {
    for (const x of v.inbound) if (x.from === h) return true;
    return false;
  }

  function removeInbound(v: V, e: Inbound): void {
    const k = v.inbound.indexOf(e);
    if (k >= 0) v.inbound.splice(k, 1);
  }

  /** Fills free P2P slots with the earliest wanted segments some peer holds. */
  function pump(v: V): void {
    if (!v.present) return;
    const lo = Math.max(v.first, cur - W);
    for (let s = lo; s <= cur && v.inbound.length < policy.simultaneousP2P; s++) {
      if (state[v.i * S + s] !== NONE || near[v.i * S + s] === 0) continue;
      if (deadline(s) - q.now > v.p2pWin) break;
      tryP2P(v, s);
    }
  }

  /** All holders were busy: the core looks again on its next queue pass. */
  function scheduleRetry(v: V): void {
    if (v.retry && !v.retry.cancelled) return;
    v.retry = q.after(CORE_REVISIT_S, () => {
      v.retry = undefined;
      pump(v);
    });
  }

  function startHttp(v: V, s: number, cause: HttpCause): void {
    const k = v.i * S + s;
    if (state[k] === HELD || state[k] === HTTP) return;
    const wasP2P = state[k] === P2P;
    if (wasP2P) {
      const e = v.inbound.find((x) => x.s === s);
      if (e) {
        if (e.up) e.from.up.abort(e.up);
        q.cancel(e.done);
        removeInbound(v, e);
      }
    }
    state[k] = HTTP;
    v.httpActive++;
    res.httpRequests++;
    for (const u of v.nb) nearLoading[u.i * S + s]!++;
    const t = r.exp(net.httpTtfbS) + bytes / v.spec.downBps;
    q.after(t, () => acquire(v, s, "http", cause));
    if (wasP2P) pump(v);
  }

  function fallback(v: V, s: number): void {
    if (!v.present || s < v.first) return;
    const k = v.i * S + s;
    if (state[k] === HELD || state[k] === HTTP) return;
    startHttp(v, s, q.now - v.spec.joinS < B ? "joining" : "fallback");
  }

  // --- pairing ---------------------------------------------------------------------------
  const linked = (a: V, b: V) => (a.nb.length <= b.nb.length ? a.nb.includes(b) : b.nb.includes(a));

  function link(a: V, b: V): void {
    if (!a.present || !b.present || a === b || linked(a, b)) return;
    a.nb.push(b);
    b.nb.push(a);
    for (let s = Math.max(0, cur - W); s <= cur; s++) {
      if (state[a.i * S + s] === HELD) near[b.i * S + s]!++;
      else if (state[a.i * S + s] === HTTP) nearLoading[b.i * S + s]!++;
      if (state[b.i * S + s] === HELD) near[a.i * S + s]!++;
      else if (state[b.i * S + s] === HTTP) nearLoading[a.i * S + s]!++;
    }
    a.reann?.onConnect();
    b.reann?.onConnect();
    pump(a);
    pump(b);
  }

  function unlink(a: V, b: V): void {
    const k = b.nb.indexOf(a);
    if (k < 0) return;
    b.nb[k] = b.nb[b.nb.length - 1]!;
    b.nb.pop();
    for (let s = Math.max(0, cur - W); s <= cur; s++) {
      if (state[a.i * S + s] === HELD) near[b.i * S + s]!--;
      else if (state[a.i * S + s] === HTTP) nearLoading[b.i * S + s]!--;
    }
    b.reann?.onClose(q.now, q.now - Math.max(a.spec.joinS, b.spec.joinS));
    if (b.nb.length === 0) watchPeerless(b);
  }

  function canPair(a: V, b: V): boolean {
    return input.allConnectable || connectable(input.seed, a.spec.id, b.spec.id, net.unconnectableShare);
  }

  function announce(v: V): void {
    if (!v.present) return;
    if (!v.member) {
      if (members.length >= input.swarmCap) {
        // swarm.ts refuses a new peer when the swarm is full: a failure frame, no offers relayed.
        load.frames(input.name, q.now, 1, 1);
        res.refused++; // it tries again with its next periodic announce
        return;
      }
      v.member = true;
      memberIdx.set(v, members.length);
      members.push(v);
      byId.set(v.idStr, v);
      res.peakMembers = Math.max(res.peakMembers, members.length);
    }
    const k = Math.min(OFFERS_PER_ANNOUNCE, members.length - 1);
    // In: the announce and one answer per relayed offer; out: the reply, the offers, the answers.
    load.frames(input.name, q.now, 1 + k, 1 + 2 * k);
    const chosen = new Set<V>();
    while (chosen.size < k) {
      const w = members[r.int(members.length)]!;
      if (w !== v) chosen.add(w);
    }
    for (const w of chosen) if (canPair(v, w)) q.after(net.connectS, () => link(v, w));
    v.reann?.onReply(members.length, 0, q.now);
    if (v.nb.length === 0) watchPeerless(v);
  }

  /** client/tracker-client.ts ticks the re-announce policy every second while peerless. */
  function watchPeerless(v: V): void {
    if (!v.reann || (v.reannTick && !v.reannTick.cancelled)) return;
    const tick = () => {
      v.reannTick = undefined;
      if (!v.present || v.nb.length > 0 || !v.reann) return;
      if (v.reann.due(q.now)) {
        v.reann.onAnnounce(q.now);
        announce(v);
      }
      v.reannTick = q.after(1, tick);
    };
    v.reannTick = q.after(1, tick);
  }

  function periodicAnnounce(v: V): void {
    if (!v.present) return;
    announce(v);
    q.after(ANNOUNCE_INTERVAL_S, () => periodicAnnounce(v));
  }

  // --- viewers -----------------------------------------------------------------------------
  function join(v: V): void {
    v.present = true;
    const httpS = net.httpTtfbS + bytes / v.spec.downBps;
    const steady = policy.windows(D, httpS, false);
    v.hd = steady.highDemandS;
    v.hdJoin = Math.min(v.hd, policy.windows(D, httpS, true).highDemandS);
    v.httpWin = steady.httpS;
    v.p2pWin = steady.p2pS;
    v.phase = (r.int(PHASES) / PHASES) * CORE_REVISIT_S;
    const gk = `${v.hd}/${v.phase}`;
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { hd: v.hd, phase: v.phase, members: [] }));
    g.members.push(v);
    v.first = Math.max(0, Math.ceil((q.now + STARTUP_S - B) / D));
    // Played: segments whose deadline falls before it leaves, among those published.
    v.last = Math.min(S - 1, Math.ceil((v.spec.leaveS - B) / D) - 1);
    v.reann = policy.reannounce?.();
    v.slow = policy.uplinkProbe?.();
    if (v.slow) {
      // Silent until the probe answers; it starts at the third segment, or maxWaitS after the first.
      v.silent = true;
      q.after(STARTUP_S + UPLINK_PROBE.maxWaitS, () => probe(v));
    }
    // Its socket opens later when routing refused its join twice (run.ts route): HTTP only until then.
    const socketWait = Math.max(0, (v.spec.socketS ?? q.now) - q.now);
    if (socketWait > 0) q.after(socketWait, () => v.present && load.upgrade(input.name, q.now));
    else load.upgrade(input.name, q.now);
    byId.set(v.idStr, v);
    q.after(socketWait + net.p2pRttS, () => periodicAnnounce(v));
    // The first segment loads at once; those whose fallback time is already past follow it.
    if (v.first <= cur) startHttp(v, v.first, "first");
    for (let s = v.first + 1; s <= cur; s++) scheduleFallback(v, s);
    // Its second segment falls back on the joining window (liveJoinHighDemand), not its group's.
    if (v.first + 1 > cur && v.hdJoin < v.hd && v.first + 1 < S) q.at(pub(v.first + 1), () => scheduleFallback(v, v.first + 1));
    if (randomHttp) randomHttpLoop(v);
  }

  function hdFor(v: V, s: number): number {
    return s === v.first + 1 ? v.hdJoin : v.hd;
  }

  function scheduleFallback(v: V, s: number): void {
    q.at(Math.max(q.now, deadline(s) - hdFor(v, s) + v.phase), () => fallback(v, s));
  }

  /**
   * The uplink probe (client/uplink-probe.ts): two uploads to the Worker, warmBytes then
   * bytes, timed; their rate is the uplink's (the lab's probe read 39.7–40.1 KiB/s on a
   * 40 KiB/s link), an upper bound when they outlast timeoutS. SlowUplink judges it against
   * the stream's bytes per second; a slow viewer is probed again as its hold ends (seeding.ts)
   * and, its uplink being what it was, stays silent.
   */
  function probe(v: V): void {
    // Once found fast it is not probed again; a slow one is, as its hold ends.
    if (!v.present || !v.slow || v.probing || (v.probed && !v.silent)) return;
    v.probing = true;
    const sendS = (UPLINK_PROBE.warmBytes + UPLINK_PROBE.bytes) / v.spec.upBps;
    const tookS = Math.min(UPLINK_PROBE.timeoutS, 2 * net.p2pRttS + sendS);
    const rate = sendS <= UPLINK_PROBE.timeoutS ? v.spec.upBps : (UPLINK_PROBE.warmBytes + UPLINK_PROBE.bytes) / UPLINK_PROBE.timeoutS;
    q.after(tookS, () => {
      v.probing = false;
      v.probed = true;
      if (!v.present || !v.slow) return;
      const slow = v.slow.probed(rate, bytes / D, q.now);
      const wasSilent = v.silent;
      v.silent = slow;
      if (slow) q.after(Math.max(1, WEAK_UPLINK.holdS - tookS), () => probe(v));
      else if (wasSilent) for (const u of v.nb) pump(u);
    });
  }

  function leave(v: V): void {
    if (!v.present) return;
    for (let s = v.first; s <= Math.min(v.last, cur); s++) {
      if (state[v.i * S + s] !== HELD && deadline(s) < q.now) {
        res.stalls++;
        res.stallS += q.now - deadline(s);
      }
    }
    for (const e of [...v.inbound]) {
      if (e.up) e.from.up.abort(e.up);
      q.cancel(e.done);
    }
    v.inbound = [];
    // Receivers of its uploads lose them: the core's silence timeout sends them elsewhere.
    for (const u of [...v.up.active]) v.up.abort(u);
    v.present = false;
    for (const u of v.nb) {
      for (const e of [...u.inbound])
        if (e.from === v) {
          removeInbound(u, e);
          q.cancel(e.done);
          state[u.i * S + e.s] = NONE;
        }
    }
    const nbs = v.nb;
    v.nb = [];
    v.bw.clear();
    for (const u of nbs) u.bw.delete(v);
    for (const u of nbs) {
      unlink(v, u);
      if (u.present) pump(u);
    }
    if (v.member) {
      const k = memberIdx.get(v)!;
      const lastM = members[members.length - 1]!;
      members[k] = lastM;
      memberIdx.set(lastM, k);
      members.pop();
      memberIdx.delete(v);
      v.member = false;
      // The socket's close / "stopped"; not for sessions the run's end cuts (every viewer at
      // once: an artefact of stopping the simulation, not departures).
      if (q.now < st.horizonS + B) load.frames(input.name, q.now, 1, 0);
    }
    byId.delete(v.idStr);
    q.cancel(v.retry);
    q.cancel(v.reannTick);
  }

  /** hybrid-loader.ts loadRandomThroughHttp, on its own timer (setIntervalLoading). */
  function randomHttpLoop(v: V): void {
    const peers = v.nb.length;
    q.after((r.next() * PEER_UPDATE_LATENCY_MS * peers + PEER_UPDATE_LATENCY_MS) / 1000, () => {
      if (!v.present) return;
      randomHttpPick(v);
      randomHttpLoop(v);
    });
  }

  function randomHttpPick(v: V): void {
    const peers = v.nb.length;
    if (v.httpActive >= policy.simultaneousHttp || peers === 0) return;
    const cands: number[] = [];
    for (let s = Math.max(v.first, cur - W); s <= cur; s++) {
      const k = v.i * S + s;
      if (state[k] !== NONE) continue;
      if (deadline(s) - q.now > v.httpWin || deadline(s) < q.now) continue;
      if (deadline(s) - q.now <= v.p2pWin && near[k]! + nearLoading[k]! > 0) continue;
      cands.push(s);
    }
    if (cands.length === 0) return;
    const count = Math.min(cands.length, policy.simultaneousHttp * (peers + 1));
    const idx = Array.from({ length: count }, (_, i) => i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    let p = count / (peers + 1);
    for (const i of idx) {
      if (v.httpActive >= policy.simultaneousHttp) break;
      if (p >= 1 || r.next() <= p) startHttp(v, cands[i]!, "random");
      p--;
      if (p <= 0) break;
    }
  }

  // --- the shard's periodic work: reports, fetcher plan -----------------------------------
  function reportAndPlan(): void {
    const records: ViewerRecord[] = [];
    let peers = 0;
    for (const v of members) {
      const t = v.up.take();
      v.doneHist.push(t.doneBytes);
      v.doneSHist.push(t.doneS);
      if (v.doneHist.length > WINDOW_PERIODS) {
        v.doneHist.shift();
        v.doneSHist.shift();
      }
      peers += v.nb.length;
      if (!policy.edgeFetchers) continue;
      // The client's rate: bytes of whole uploads per second spent sending each, once a segment's worth went out.
      const done = v.doneHist.reduce((a, b) => a + b, 0);
      const doneS = v.doneSHist.reduce((a, b) => a + b, 0);
      records.push({
        id: v.idStr,
        joinedAt: v.spec.joinS * 1000,
        rateBps: done >= bytes && doneS > 0 ? done / doneS : null,
        peers: v.nb.length,
        reports: q.now - v.spec.joinS >= REPORT_FIRST_S,
      });
    }
    if (members.length > 0) {
      res.meanPeers += peers / members.length;
      peerSamples++;
    }
    if (!policy.edgeFetchers) return;
    // One es_report in per member per period, each on its viewer's own timer.
    load.spread(input.name, q.now - REPORT_PERIOD_S, members.length, REPORT_PERIOD_S);
    const before = plan.roles;
    // The budget a fetcher plan has: from publication until viewers fall back to HTTP.
    const hd = members.length > 0 ? median(members.map((v) => v.hd)) : 0;
    plan = planFetchers(records, { segmentBytes: bytes, segmentSeconds: D, budgetSeconds: Math.max(0, B - hd) }, plan);
    res.meanM += plan.m;
    mSamples++;
    let changed = 0;
    for (const v of members) {
      const a = before.get(v.idStr),
        b = plan.roles.get(v.idStr);
      if ((a ?? []).join() !== (b ?? []).join()) changed++;
    }
    load.frames(input.name, q.now, 0, changed);
  }

  /** No es_role yet: the client claims new segments at the edge until its first report is answered (and never while silent). */
  const unreported = (v: V) => q.now - v.spec.joinS < REPORT_FIRST_S && !v.silent;

  /**
   * Whether `v` is told to claim while there is no plan: one of the plan's claimers, or a
   * reporter arriving while there is room (roles.ts roleUpdates, on its report).
   */
  function claimer(v: V): boolean {
    if (v.silent) return false;
    if (plan.claimers.has(v.idStr)) return true;
    if (plan.claimers.size >= FETCHER_CLAIMERS) return false;
    plan.claimers.add(v.idStr);
    return true;
  }

  /** Claims of `s` by `claimers` at the shard's lease object; the first claim wins (here a random claimer) and fetches it. */
  function claimRound(s: number, claimers: readonly V[]): void {
    if (claimers.length === 0) return;
    for (let i = 0; i < claimers.length; i++) load.claim(input.leaseName, q.now);
    startHttp(claimers[r.int(claimers.length)]!, s, "claim");
  }

  function publish(s: number): void {
    cur = s;
    if (policy.edgeFetchers && plan.m === 0) {
      // No proven viewer yet ("claims" mode, worker/tracker/roles.ts): the shard's claimers and
      // the viewers not answered yet claim the new segment at the edge.
      claimRound(
        s,
        members.filter((v) => wants(v, s) && (unreported(v) || claimer(v))),
      );
    } else if (policy.edgeFetchers) {
      for (const id of plan.roles.keys()) {
        if (!fetchesSegment(plan, id, s)) continue;
        const v = byId.get(id);
        if (v && v.member && !v.silent && wants(v, s)) startHttp(v, s, "fetcher");
      }
      // Fetchers fetch without a claim, so a claim by a viewer not answered yet is the first
      // one the lease sees for this segment, and wins.
      claimRound(
        s,
        members.filter((v) => wants(v, s) && unreported(v)),
      );
    }
    // Viewers reach the high-demand window in groups of equal window and revisit phase.
    for (const g of groups.values()) {
      q.at(Math.max(q.now, deadline(s) - g.hd + g.phase), () => {
        for (const v of g.members) if (v.present && s >= v.first && !(s === v.first + 1 && v.hdJoin < v.hd)) fallback(v, s);
      });
    }
  }

  /** Viewers by (high-demand window, queue revisit phase): one fallback event per group and segment. */
  const groups = new Map<string, { hd: number; phase: number; members: V[] }>();
  const PHASES = 4;

  // --- schedule -----------------------------------------------------------------------------
  for (let s = 0; s < S; s++) q.at(pub(s), () => publish(s));
  for (const v of vs) {
    q.at(v.spec.joinS, () => join(v));
    q.at(v.spec.leaveS, () => leave(v));
  }
  for (let t = REPORT_PERIOD_S; t < endS; t += REPORT_PERIOD_S) q.at(t, reportAndPlan);
  q.run(endS);
  for (const v of vs) if (v.present) leave(v);
  res.meanPeers = peerSamples ? res.meanPeers / peerSamples : 0;
  res.meanM = mSamples ? res.meanM / mSamples : 0;
  res.events = q.fired;
  return res;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
