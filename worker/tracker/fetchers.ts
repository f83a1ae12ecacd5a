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
// the last minute; never for what it says it could do. A viewer without a record is never a
// fetcher. Until a swarm has a proven viewer there is no plan at all, and viewers fall back on
// edge claims (the first claim of a segment wins, worker/lease/): the winners' uploads are
// what proves the first fetchers (roles.ts). Only FETCHER_CLAIMERS viewers are told to claim
// then, those with the best early evidence, so a lease object sees O(claimers) claims per
// segment, not one per viewer. The role is spread: segment s belongs to class s mod CLASSES, each class
// has m fetchers, and a fetcher holds as few classes as the shard's capable viewers allow.
import { FETCHER_CAPABLE_SHARE, FETCHER_CLAIMERS, FETCHER_CLASSES, FETCHER_HOP_MARGIN, FETCHER_MAX_SHARE } from "./limits";

/** What the shard knows of one viewer (from its reports, see protocol.ts `es_report`). */
export interface ViewerRecord {
  id: string;
  joinedAt: number;
  /** Bytes per second of sending while it delivered segments over the last minute; null: not a segment's worth. */
  rateBps: number | null;
  /** Peers it holds now. */
  peers: number;
  /** Whether it reports at all (false: a stock client, or no report yet); absent means true. */
  reports?: boolean;
}

/** The stream as the shard sees it (from viewers' reports). */
export interface StreamProfile {
  /** Typical segment size in bytes. */
  segmentBytes: number;
  segmentSeconds: number;
  /** How long after a segment appears viewers fall back to HTTP for it (the time it has to spread). */
  budgetSeconds: number;
}

/** The shard's decision, kept between runs so roles stay stable. */
export interface FetcherPlan {
  /** Fetchers per segment (0: no proven viewer, no plan). */
  m: number;
  /** Viewer id → the segment classes (s mod FETCHER_CLASSES) it fetches over HTTP, ascending. */
  roles: Map<string, number[]>;
  /**
   * While m = 0: the viewers told to claim new segments at the edge, at most FETCHER_CLAIMERS
   * (roles.ts adds reporters while there is room between plans). Empty once there is a plan.
   */
  claimers: Set<string>;
}

export function emptyPlan(): FetcherPlan {
  return { m: 0, roles: new Map(), claimers: new Set() };
}

/**
 * Who claims while nobody is proven: the previous claimers still reporting, then the
 * reporters with the best early evidence (the highest sending rate measured, even below the
 * bar; then the most peers; then the longest present), up to FETCHER_CLAIMERS. Claims are
 * how the first fetchers prove themselves, so the claimers should be the viewers most likely
 * to be proven by their first wins.
 */
export function pickClaimers(viewers: readonly ViewerRecord[], prev: ReadonlySet<string> = new Set()): Set<string> {
  const reporting = viewers.filter((v) => v.reports !== false);
  const out = new Set<string>();
  for (const v of reporting) if (prev.has(v.id) && out.size < FETCHER_CLAIMERS) out.add(v.id);
  const best = [...reporting].sort((a, b) => (b.rateBps ?? -1) - (a.rateBps ?? -1) || b.peers - a.peers || a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : 1));
  for (const v of best) {
    if (out.size >= FETCHER_CLAIMERS) break;
    out.add(v.id);
  }
  return out;
}

/** The sending rate a fetcher must prove: a share of the stream's own bitrate. */
export function capableRate(p: StreamProfile): number {
  return FETCHER_CAPABLE_SHARE * (p.segmentBytes / p.segmentSeconds);
}

/** Whether a viewer has proven it can feed peers (and has peers to feed). */
export function isProven(v: ViewerRecord, p: StreamProfile): boolean {
  return v.rateBps !== null && v.rateBps >= capableRate(p) && v.peers > 0;
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
 * A new plan from the swarm's viewers and the previous plan:
 * 1. only proven viewers fetch; with none there is no plan (m = 0), only claimers (pickClaimers);
 * 2. m from the swarm's size and the hop time of its proven viewers (times FETCHER_HOP_MARGIN);
 * 3. a fetcher keeps its classes while it stays proven (one whose sending rate fell below
 *    the bar, that stopped sending, or that lost its peers, loses the role);
 * 4. every class is filled to m holders, least loaded first, fastest first on ties, no
 *    viewer above `cap` = ⌈m·CLASSES / proven⌉ classes, so the role is spread as thin as
 *    the proven viewers allow. A viewer fetches every segment only when it is the only one.
 */
export function planFetchers(viewers: readonly ViewerRecord[], stream: StreamProfile, prev: FetcherPlan = emptyPlan()): FetcherPlan {
  const proven = viewers.filter((v) => isProven(v, stream));
  if (proven.length === 0) return { ...emptyPlan(), claimers: pickClaimers(viewers, prev.claimers) };
  const hop =
    FETCHER_HOP_MARGIN *
    hopSeconds(
      stream,
      proven.map((v) => v.rateBps ?? 0),
    );
  const m = Math.min(fetchersPerSegment(viewers.length, hop, stream.budgetSeconds), proven.length);
  const cap = Math.ceil((m * FETCHER_CLASSES) / proven.length);
  const ids = new Set(proven.map((v) => v.id));

  const roles = new Map<string, number[]>();
  for (const [id, classes] of prev.roles) if (ids.has(id)) roles.set(id, classes.slice(0, cap));
  const load = (id: string) => roles.get(id)?.length ?? 0;
  // Shed holders of classes above m (m shrank), most loaded first.
  for (let c = 0; c < FETCHER_CLASSES; c++) {
    const hs = [...roles]
      .filter(([, cs]) => cs.includes(c))
      .map(([id]) => id)
      .sort((a, b) => load(b) - load(a));
    for (const id of hs.slice(0, Math.max(0, hs.length - m)))
      roles.set(
        id,
        roles.get(id)!.filter((x) => x !== c),
      );
  }
  for (const [id, cs] of roles) if (cs.length === 0) roles.delete(id);

  // Holders first, then the fastest; a stable sort by load keeps that order among equals.
  const byRate = [...proven].sort((a, b) => (b.rateBps ?? 0) - (a.rateBps ?? 0) || a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : 1));
  const order = [...new Set([...roles.keys(), ...byRate.map((v) => v.id)])];
  for (let c = 0; c < FETCHER_CLASSES; c++) {
    let missing = m - [...roles.values()].filter((cs) => cs.includes(c)).length;
    for (const id of [...order].sort((a, b) => load(a) - load(b))) {
      if (missing <= 0) break;
      if (load(id) >= cap || (roles.get(id) ?? []).includes(c)) continue;
      roles.set(
        id,
        [...(roles.get(id) ?? []), c].sort((x, y) => x - y),
      );
      missing--;
    }
  }
  return { m, roles, claimers: new Set() };
}
