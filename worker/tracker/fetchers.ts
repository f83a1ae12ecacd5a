// Who fetches each new live segment over HTTP, inside one swarm shard. Pure: records in,
// a plan out; no sockets, no storage, no clock of its own. The shard object runs it, and
// so does the simulator (sim/), so both decide the same way.
//
// Why several fetchers: peers relay whole segments, store-and-forward, so a segment can at
// best double its holders once per hop time τ = segment bytes / uplink. Within a latency
// budget B a swarm of N needs m ≥ N / 2^(B/τ) first copies from HTTP (docs/fetchers.md).
// Why chosen: the first viewer to ask is not the one with the uplink to feed the others.
// A viewer is chosen for what it proved it delivers to peers: the throughput it reached
// while sending segments (bytes per second of sending), reported with its upload total of
// the last minute; never for what it says it could do. A viewer without a record starts as
// a non-fetcher; only while a shard has too few proven viewers are some put on probation. The role is spread: segment s belongs to class s mod CLASSES, each class
// has m fetchers, and a fetcher holds as few classes as the shard's capable viewers allow.
import {
  FETCHER_CLASSES, FETCHER_CAPABLE_SHARE, FETCHER_GRACE_MS, FETCHER_HOP_MARGIN, FETCHER_MAX_SHARE, FETCHER_MIN_AGE_MS,
  FETCHER_PROBATION_RETRY_MS,
} from "./limits";

/** What the shard knows of one viewer (from its reports, see protocol.ts `x_es`). */
export interface ViewerRecord {
  id: string;
  joinedAt: number;
  /** Bytes/s it delivered to peers over the last minute. */
  upBps: number;
  /** Bytes per second of sending while it delivered segments; null: no segment sent yet. */
  rateBps: number | null;
  /** Peers it holds now. */
  peers: number;
}

/** The stream as the shard sees it (from viewers' reports or the playlist). */
export interface StreamProfile {
  /** Typical segment size in bytes. */
  segmentBytes: number;
  segmentSeconds: number;
  /** How long after a segment appears every viewer should hold it (live latency budget). */
  budgetSeconds: number;
}

/** The shard's decision, kept between runs so roles stay stable. */
export interface FetcherPlan {
  /** Fetchers per segment. */
  m: number;
  /** Viewer id → the segment classes (s mod FETCHER_CLASSES) it fetches over HTTP, ascending. */
  roles: Map<string, number[]>;
  /** Viewer id → when it took its role. */
  since: Map<string, number>;
  /** Viewer id → when its probation role was taken back for proving nothing. */
  failed: Map<string, number>;
}

export function emptyPlan(): FetcherPlan {
  return { m: 0, roles: new Map(), since: new Map(), failed: new Map() };
}

/** The sending rate a fetcher must prove: a share of the stream's own bitrate. */
export function capableRate(p: StreamProfile): number {
  return FETCHER_CAPABLE_SHARE * (p.segmentBytes / p.segmentSeconds);
}

/** τ: seconds for one holder to pass a segment to one peer at the median proven rate. */
export function hopSeconds(p: StreamProfile, rates: readonly number[]): number {
  const sorted = rates.filter((u) => u > 0).sort((a, b) => a - b);
  // With no measurement yet, assume a peer moves a segment in its own duration (rate = bitrate).
  const typical = sorted.length > 0 ? sorted[Math.floor(sorted.length / 2)]! : p.segmentBytes / p.segmentSeconds;
  return p.segmentBytes / typical;
}

/** m = ⌈N / 2^(B/τ)⌉, at least 1, at most ⌈N·FETCHER_MAX_SHARE⌉. */
export function fetchersPerSegment(n: number, hopS: number, budgetS: number): number {
  if (n <= 0) return 0;
  const doublings = Math.min(40, Math.max(0, budgetS / Math.max(hopS, 1e-3)));
  return Math.max(1, Math.min(Math.ceil(n / 2 ** doublings), Math.ceil(n * FETCHER_MAX_SHARE)));
}

/** The class of segment `seq`. */
export function segmentClass(seq: number): number {
  return ((seq % FETCHER_CLASSES) + FETCHER_CLASSES) % FETCHER_CLASSES;
}

/** Whether viewer `id` fetches segment `seq` under `plan`. */
export function fetchesSegment(plan: FetcherPlan, id: string, seq: number): boolean {
  return plan.roles.get(id)?.includes(segmentClass(seq)) ?? false;
}

/**
 * A new plan from the shard's viewers and the previous plan:
 * 1. m from the shard's size and the hop time of its proven viewers (times FETCHER_HOP_MARGIN);
 * 2. a role holder keeps its classes while it is present, holds peers, and is proven or
 *    still unmeasured within FETCHER_GRACE_MS; one measured below the bar, or silent past
 *    the grace, loses the role (and a probation one is not tried again for a while);
 * 3. every class is filled to m holders, least loaded first, proven viewers (fastest first)
 *    before probation ones, no viewer above `cap` classes, cap = ⌈m·CLASSES / fetchers⌉,
 *    so the role is spread as thin as the capable viewers allow. Probation (unmeasured
 *    viewers older than FETCHER_MIN_AGE_MS, with peers) is used only while fewer than m
 *    viewers are proven.
 */
export function planFetchers(viewers: readonly ViewerRecord[], stream: StreamProfile, now: number, prev: FetcherPlan = emptyPlan()): FetcherPlan {
  const bar = capableRate(stream);
  const isProven = (v: ViewerRecord) => v.rateBps !== null && v.rateBps >= bar && v.peers > 0;
  const proven = viewers.filter(isProven);
  const hop = FETCHER_HOP_MARGIN * hopSeconds(stream, proven.map((v) => v.rateBps ?? 0));
  const m = fetchersPerSegment(viewers.length, hop, stream.budgetSeconds);
  const byId = new Map(viewers.map((v) => [v.id, v]));
  const failed = new Map([...prev.failed].filter(([id, at]) => byId.has(id) && now - at < FETCHER_PROBATION_RETRY_MS));

  const roles = new Map<string, number[]>();
  const since = new Map<string, number>();
  for (const [id, classes] of prev.roles) {
    const v = byId.get(id);
    if (!v || v.peers === 0) continue;
    const took = prev.since.get(id) ?? now;
    const unmeasured = v.rateBps === null && now - took < FETCHER_GRACE_MS;
    if (!isProven(v) && !unmeasured) {
      failed.set(id, now);
      continue;
    }
    roles.set(id, [...classes]);
    since.set(id, took);
  }

  const byRate = (a: ViewerRecord, b: ViewerRecord) => (b.rateBps ?? 0) - (a.rateBps ?? 0) || a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : 1);
  const provenPool = proven.filter((v) => !roles.has(v.id)).sort(byRate);
  const probation = proven.length >= m ? [] : viewers
    .filter((v) => !isProven(v) && !roles.has(v.id) && v.rateBps === null && v.peers > 0 && now - v.joinedAt >= FETCHER_MIN_AGE_MS && !failed.has(v.id))
    .sort((a, b) => b.peers - a.peers || a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : 1));
  // Enough viewers to give each one class, proven first.
  const wanted = m * FETCHER_CLASSES;
  const pool = [...provenPool, ...probation].slice(0, Math.max(0, wanted - roles.size));
  const fetchers = roles.size + pool.length;
  const cap = fetchers === 0 ? 0 : Math.ceil(wanted / fetchers);

  const load = (id: string) => roles.get(id)?.length ?? 0;
  const holders = (c: number) => [...roles].filter(([, cs]) => cs.includes(c)).map(([id]) => id);
  const take = (id: string, c: number) => roles.set(id, (roles.get(id) ?? []).filter((x) => x !== c));
  // Shed what is over: classes with more than m holders (m shrank), holders above cap.
  for (let c = 0; c < FETCHER_CLASSES; c++) {
    const hs = holders(c).sort((a, b) => load(b) - load(a));
    for (const id of hs.slice(0, Math.max(0, hs.length - m))) take(id, c);
  }
  for (const [id, cs] of roles) if (cs.length > cap) roles.set(id, cs.slice(0, cap));
  for (const [id, cs] of roles) if (cs.length === 0) { roles.delete(id); since.delete(id); }

  const order = [...roles.keys(), ...pool.map((v) => v.id)];
  for (let c = 0; c < FETCHER_CLASSES; c++) {
    let missing = m - holders(c).length;
    // Stable sort: equal loads keep `order` (holders, then proven fastest, then probation).
    for (const id of [...order].sort((a, b) => load(a) - load(b))) {
      if (missing <= 0) break;
      if (load(id) >= cap || (roles.get(id) ?? []).includes(c)) continue;
      roles.set(id, [...(roles.get(id) ?? []), c].sort((x, y) => x - y));
      if (!since.has(id)) since.set(id, now);
      missing--;
    }
  }
  return { m, roles, since, failed };
}
