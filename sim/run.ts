// One simulated run of one channel under one policy: the audience, the Worker's routing of
// each join to a swarm shard (the ChannelDirectory's bucket book, worker/tracker/buckets.ts,
// and the shard names of worker/tracker/routing.ts, imported), each shard simulated in
// turn (swarm.ts), then the totals, the object load and the bill. The same seed gives both
// policies the same viewers, links, connectable pairs and shards.
import { bucketsForAudience, grow, newBook, pickBucket, report, retryBucket } from "../worker/tracker/buckets";
import { admitJoin, joinDemand, newJoinGate, type JoinGate } from "../worker/tracker/admission";
import { TRACKER_PROBE_MIN_MS } from "../client/limits";
import { bucketShardName } from "../worker/tracker/routing";
import {
  DIRECTORY_CACHE_MS,
  DIRECTORY_REPORT_MS,
  ISOLATE_REFRESH_JOINS,
  JOIN_REPORT_BATCH,
  MAX_PEERS_PER_SWARM,
  MAX_SOCKETS_PER_SHARD,
  MIN_JOIN_PERIOD_MS,
} from "../worker/tracker/limits";
import { planProfile, type ProfileName } from "../harness/netlab/profiles";
import { DEFAULT_NETWORK, MBIT, type NetworkConfig } from "./network";
import { ObjectLoad } from "./objects";
import { rng } from "./rng";
import { ASSUME, bill, egressValue, type Bill } from "./pricing";
import type { ClientPolicy } from "./policies/types";
import { HTTP_CAUSES, runShard, SLACK_BINS, type StreamParams } from "./swarm";
import { audience, FLASH_MEAN_S, REPLACE_GAP_MEAN_S, SESSION_MEAN_S, type ViewerSpec } from "./viewer";
import { percentileOfHist } from "./report";

export interface RunConfig {
  viewers: number;
  seed: number;
  minutes: number;
  segmentS: number;
  bitrateMbit: number;
  budgetS: number;
  /** Apply the tracker's MAX_PEERS_PER_SWARM. */
  swarmCap: boolean;
  /** The operator's expected audience (TRACKER_EXPECTED_VIEWERS); 0: none, the region sizes itself from reports. */
  expectedViewers: number;
  /** Lab scenario: the network lab's link profile, no churn, everyone connectable. */
  profile?: ProfileName;
  net?: NetworkConfig;
}

export const DEFAULTS: Omit<RunConfig, "viewers"> = {
  seed: 1,
  minutes: 5,
  segmentS: 4,
  bitrateMbit: 3,
  budgetS: 30,
  swarmCap: true,
  expectedViewers: 0,
};

export interface RunResult {
  policy: string;
  viewers: number;
  sessions: number;
  shards: number;
  largestShard: number;
  offload: number;
  stalls: number;
  stallS: number;
  slackP50: number;
  /** The 1st percentile of slack: 99 % of segments arrived with at least this much. */
  slackP99: number;
  maxClaimsPerS: number;
  maxFramesPerS: number;
  maxObjectRps: number;
  maxObjectName: string;
  /** The second (from the first publication) in which maxObjectRps was reached. */
  maxObjectAt: number;
  directoryRps: number;
  objects: number;
  viewerHours: number;
  bill: Bill;
  cfCostPer1kViewerHours: number;
  egressSavedPer1kViewerHours: number;
  /** Share of all segment bytes fetched by fetchers at publication (EdgeSwarm's first copies). */
  fetcherShare: number;
  /** Share of all segment bytes fetched over HTTP, by cause (HTTP_CAUSES order); they sum to 1 − offload. */
  httpShareByCause: number[];
  meanPeers: number;
  meanM: number;
  refused: number;
  /** Upgrades a shard refused (full or past its join rate), joins refused twice, the longest wait for a socket they caused. */
  routing: RouteStats;
  events: number;
  seconds: number;
}

const CHANNEL = "live";
const DIRECTORY = "directory";

/** The network lab starts its viewers this far apart (docs/bench-swarm.md). */
export const LAB_JOIN_GAP_S = 2;

/**
 * In a lab scenario the first viewer joins this long after publishing began: the lab's live
 * loop has always been running, so a joiner finds a budget's worth of segments behind the
 * edge and loads its first three at once (hls.js starts liveSyncDurationCount segments
 * back). Joining at the stream's first segment instead left each early viewer one segment
 * per target duration, silent for seconds longer before its uplink probe.
 */
export const labLeadS = (cfg: RunConfig): number => cfg.budgetS;

/** Seconds of publishing: `minutes`, and in a lab scenario also the lead and the joins before the last one. */
export function horizonOf(cfg: RunConfig): number {
  return cfg.minutes * 60 + (cfg.profile ? labLeadS(cfg) + LAB_JOIN_GAP_S * (cfg.viewers - 1) : 0);
}

export function specsFor(cfg: RunConfig): ViewerSpec[] {
  const horizonS = horizonOf(cfg);
  if (cfg.profile) {
    const { caps } = planProfile(cfg.profile, cfg.viewers);
    // As in the lab: viewers join a running stream LAB_JOIN_GAP_S apart and watch to the end.
    return caps.map((c, i) => ({
      id: i,
      key: i + 1,
      joinS: labLeadS(cfg) + LAB_JOIN_GAP_S * i,
      leaveS: horizonS + cfg.budgetS,
      upBps: (c.upKbit * 1000) / 8,
      downBps: (c.downKbit * 1000) / 8,
    }));
  }
  const net = cfg.net ?? DEFAULT_NETWORK;
  return audience(
    {
      viewers: cfg.viewers,
      flashMeanS: FLASH_MEAN_S,
      sessionMeanS: SESSION_MEAN_S,
      replaceGapMeanS: REPLACE_GAP_MEAN_S,
      endS: horizonS + cfg.budgetS,
      lastJoinS: horizonS,
    },
    net.tiers,
    cfg.seed,
  );
}

/**
 * Worker isolates that route one region's joins. Each caches the region's bucket count for
 * DIRECTORY_CACHE_MS (connect.ts), so the directory sees at most this many reads per cache
 * period. The real number depends on how Cloudflare spreads the load; 16 is an assumption
 * (docs/sim.md), and the directory's load grows with it, not with the audience.
 */
export const ISOLATES = 16;

/**
 * The viewers of each shard, routed as the Worker does (worker/tracker/connect.ts over
 * buckets.ts, imported): a join lands on a random isolate, which reads the bucket count from
 * the directory when its copy is older than DIRECTORY_CACHE_MS and picks a random bucket;
 * each shard reports its sockets and the joins asked of it every DIRECTORY_REPORT_MS, or
 * after JOIN_REPORT_BATCH of them; a shard at MAX_SOCKETS_PER_SHARD, or past its join rate
 * (admission.ts admitJoin, one JoinGate per shard as the Durable Object keeps), refuses: the
 * refusal is a request on that shard, the directory grows (for the demand the shard states)
 * and the Worker tries another bucket once (retryBucket). A join refused twice fails; the
 * client's tracker watch probes again TRACKER_PROBE_MIN_MS later (client/tracker-watch.ts),
 * modelled as routing the join again then, its socket (and P2P) that much later.
 * Sessions are known in advance here, so the counts are exact.
 */
export function route(
  specs: readonly ViewerSpec[],
  load: ObjectLoad,
  seed: number,
  expectedViewers = 0,
  stats: RouteStats = newRouteStats(),
): Map<string, ViewerSpec[]> {
  // The Worker passes the region's floor with every directory read (connect.ts).
  const book = newBook(1, bucketsForAudience(expectedViewers));
  const r = rng(seed, 7);
  const isolates = Array.from({ length: ISOLATES }, () => ({ buckets: 1, at: -Infinity, joins: 0 }));
  const present: number[] = [];
  const joins: number[] = [];
  const firstJoin: number[] = [];
  const gates: JoinGate[] = [];
  const bucketOf = new Map<ViewerSpec, number>();
  const leaving = [...specs].sort((a, b) => a.leaveS - b.leaveS);
  const shards = new Map<string, ViewerSpec[]>();
  let gone = 0;
  let nextReport = DIRECTORY_REPORT_MS / 1000;
  const sendReport = (b: number, t: number) => {
    // As the shard does: joins over the time since the first of them.
    const period = (joins[b] ?? 0) > 0 ? Math.max(MIN_JOIN_PERIOD_MS, (t - firstJoin[b]!) * 1000) : DIRECTORY_REPORT_MS;
    report(book, b, present[b] ?? 0, joins[b] ?? 0, period, t * 1000);
    load.lookup(DIRECTORY, t);
    joins[b] = 0;
  };
  const until = (t: number) => {
    for (;;) {
      const leaveT = gone < leaving.length ? leaving[gone]!.leaveS : Infinity;
      if (leaveT > t && nextReport > t) return;
      if (leaveT <= nextReport) {
        const b = bucketOf.get(leaving[gone]!);
        if (b !== undefined) present[b]! -= 1;
        gone++;
      } else {
        for (let b = 0; b < present.length; b++) if ((present[b] ?? 0) > 0 || (joins[b] ?? 0) > 0) sendReport(b, nextReport);
        nextReport += DIRECTORY_REPORT_MS / 1000;
      }
    }
  };
  /** An upgrade reaching shard `b` at `t` (the Durable Object's fetch): true when accepted, else the demand it states (0: full). */
  const upgrade = (b: number, t: number): true | number => {
    while (present.length <= b) present.push(0);
    if (present[b]! >= MAX_SOCKETS_PER_SHARD) return 0;
    if ((joins[b] ?? 0) === 0) firstJoin[b] = t;
    joins[b] = (joins[b] ?? 0) + 1;
    if (joins[b]! >= JOIN_REPORT_BATCH) sendReport(b, t);
    const gate = (gates[b] ??= newJoinGate(t * 1000));
    return admitJoin(gate, t * 1000) ? true : joinDemand(gate, t * 1000);
  };
  /** connect.ts for one join at `t`: the bucket it landed in, or null when both tries were refused. */
  const connect = (t: number): number | null => {
    const iso = isolates[r.int(ISOLATES)]!;
    if ((t - iso.at) * 1000 >= DIRECTORY_CACHE_MS || iso.joins >= ISOLATE_REFRESH_JOINS) {
      iso.buckets = book.buckets;
      iso.at = t;
      iso.joins = 0;
      load.lookup(DIRECTORY, t);
    }
    iso.joins++;
    const first = pickBucket(iso.buckets, null, () => r.next());
    const a = upgrade(first, t);
    if (a === true) return first;
    // The refusal is a request on the refusing shard; the Worker grows the region and retries.
    load.refused(bucketShardName(CHANNEL, first), t);
    stats.refused++;
    grow(book, t * 1000, a > 0 ? first : null, Math.round(a));
    load.lookup(DIRECTORY, t);
    iso.buckets = book.buckets;
    iso.at = t;
    iso.joins = 0;
    const second = retryBucket(iso.buckets, first, () => r.next());
    if (upgrade(second, t) === true) return second;
    load.refused(bucketShardName(CHANNEL, second), t);
    stats.refused++;
    stats.failed++;
    return null;
  };
  const place = (v: ViewerSpec, b: number, t: number) => {
    present[b]! += 1;
    bucketOf.set(v, b);
    const name = bucketShardName(CHANNEL, b);
    let list = shards.get(name);
    if (!list) shards.set(name, (list = []));
    list.push(t > v.joinS ? { ...v, socketS: t } : v);
    if (t > v.joinS) stats.delayedS = Math.max(stats.delayedS, t - v.joinS);
  };
  // Joins refused twice, tried again TRACKER_PROBE_MIN_MS later (few: kept sorted by time).
  const again: { v: ViewerSpec; t: number }[] = [];
  const tryJoin = (v: ViewerSpec, t: number) => {
    until(t);
    const b = connect(t);
    if (b !== null) place(v, b, t);
    else if (t + TRACKER_PROBE_MIN_MS / 1000 < v.leaveS) {
      again.push({ v, t: t + TRACKER_PROBE_MIN_MS / 1000 });
      again.sort((x, y) => x.t - y.t);
    }
  };
  for (const v of specs) {
    while (again.length > 0 && again[0]!.t <= v.joinS) {
      const j = again.shift()!;
      tryJoin(j.v, j.t);
    }
    tryJoin(v, v.joinS);
  }
  while (again.length > 0) {
    const j = again.shift()!;
    tryJoin(j.v, j.t);
  }
  return shards;
}

/** What routing cost the joins: upgrades refused (each a request on a shard), joins refused twice (the client probes again), and the longest such wait. */
export interface RouteStats {
  refused: number;
  failed: number;
  delayedS: number;
}

export function newRouteStats(): RouteStats {
  return { refused: 0, failed: 0, delayedS: 0 };
}

export function runPolicy(cfg: RunConfig, policy: ClientPolicy): RunResult {
  const t0 = performance.now();
  const horizonS = horizonOf(cfg);
  const stream: StreamParams = {
    segmentS: cfg.segmentS,
    segmentBytes: cfg.bitrateMbit * MBIT * cfg.segmentS,
    budgetS: cfg.budgetS,
    horizonS,
  };
  const base = cfg.net ?? DEFAULT_NETWORK;
  const net = cfg.profile ? { ...base, unconnectableShare: planProfile(cfg.profile, cfg.viewers).isolated ? 1 : 0 } : base;
  const specs = specsFor(cfg);
  const load = new ObjectLoad(horizonS + cfg.budgetS + 2);
  const routing = newRouteStats();
  const shards = cfg.profile ? new Map([[CHANNEL, specs]]) : route(specs, load, cfg.seed, cfg.expectedViewers, routing);
  const slack = new Float64Array(SLACK_BINS);
  const byCause = new Float64Array(HTTP_CAUSES.length);
  let p2p = 0,
    http = 0,
    fetched = 0,
    stalls = 0,
    stallS = 0,
    played = 0,
    httpRequests = 0,
    refused = 0,
    events = 0;
  let peersW = 0,
    mW = 0,
    largest = 0;
  for (const [name, viewers] of shards) {
    const r = runShard({
      name,
      leaseName: `${name}/lease`,
      viewers,
      stream,
      net,
      policy,
      seed: cfg.seed,
      load,
      swarmCap: cfg.swarmCap ? MAX_PEERS_PER_SWARM : Infinity,
      allConnectable: cfg.profile !== undefined && cfg.profile !== "blocked",
    });
    p2p += r.p2pBytes;
    http += r.httpBytes;
    fetched += r.fetcherBytes;
    stalls += r.stalls;
    stallS += r.stallS;
    played += r.played;
    httpRequests += r.httpRequests;
    refused += r.refused;
    events += r.events;
    peersW += r.meanPeers * viewers.length;
    mW += r.meanM * viewers.length;
    largest = Math.max(largest, viewers.length);
    for (let i = 0; i < SLACK_BINS; i++) slack[i]! += r.slack[i]!;
    for (let i = 0; i < HTTP_CAUSES.length; i++) byCause[i]! += r.httpByCause[i]!;
  }
  const peaks = load.peaks();
  const viewerHours = (played * cfg.segmentS) / 3600;
  // Expected locations reached when viewers spread evenly over ASSUME.colos.
  const colos = ASSUME.colos * (1 - (1 - 1 / ASSUME.colos) ** cfg.viewers);
  const t = load.totals;
  const usage = {
    // One live-playlist refresh per viewer per segment, every HTTP segment fetch (claims included), every upgrade.
    workersRequests: played + httpRequests + t.upgrades,
    doRequests: t.upgrades + t.refusals + t.wsIn / 20 + t.claims + t.lookups,
    doActiveS: load.activeSeconds(),
    r2ClassB: colos * (Math.ceil(horizonS / cfg.segmentS) + horizonS / ASSUME.playlistTtlS),
  };
  const b = bill(usage);
  const per1k = viewerHours > 0 ? 1000 / viewerHours : 0;
  return {
    policy: policy.name,
    viewers: cfg.viewers,
    sessions: specs.length,
    shards: shards.size,
    largestShard: largest,
    offload: p2p + http > 0 ? p2p / (p2p + http) : 0,
    stalls,
    stallS,
    slackP50: percentileOfHist(slack, 0.5),
    slackP99: percentileOfHist(slack, 0.01),
    maxClaimsPerS: peaks.maxClaimsPerS,
    maxFramesPerS: peaks.maxFramesPerS,
    maxObjectRps: peaks.maxRps,
    maxObjectName: peaks.maxRpsObject,
    maxObjectAt: peaks.maxRpsAt,
    directoryRps: peaks.byKind.directory,
    objects: load.objects,
    viewerHours,
    bill: b,
    cfCostPer1kViewerHours: b.total * per1k,
    egressSavedPer1kViewerHours: egressValue(p2p) * per1k,
    fetcherShare: p2p + http > 0 ? fetched / (p2p + http) : 0,
    httpShareByCause: [...byCause].map((b) => (p2p + http > 0 ? b / (p2p + http) : 0)),
    meanPeers: specs.length ? peersW / specs.length : 0,
    meanM: specs.length ? mW / specs.length : 0,
    refused,
    routing,
    events,
    seconds: (performance.now() - t0) / 1000,
  };
}
