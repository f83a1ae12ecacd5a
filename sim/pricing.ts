// Every price and pricing assumption the simulator's bill uses, each with where it comes from.
// Marginal prices only: the $5/month Workers Paid subscription and the monthly included
// allowances (10 M Workers requests, 1 M DO requests, 400,000 GB-s, 10 M R2 Class B) are left
// out, because a channel big enough to matter uses them up; with them a small channel is cheaper.

export const PRICES = {
  /** Workers Standard: $0.30 per additional million requests. Source:
   * https://developers.cloudflare.com/workers/about/pricing (same table as /workers/platform/pricing). */
  workersPerMillionRequests: 0.3,
  /** Workers Standard: $0.02 per additional million CPU milliseconds. Same source. */
  workersPerMillionCpuMs: 0.02,
  /** Durable Objects: $0.15 per million requests (HTTP requests, RPC sessions, WebSocket messages).
   * Source: https://developers.cloudflare.com/durable-objects/platform/pricing */
  doPerMillionRequests: 0.15,
  /** Incoming WebSocket messages are billed 20:1 as requests; outgoing ones are not billed.
   * Source: https://developers.cloudflare.com/durable-objects/platform/changelog/ (2024-04-01). */
  wsMessagesPerBilledRequest: 20,
  /** Durable Objects duration: $12.50 per million GB-s. Source: the DO pricing page above. */
  doPerMillionGBs: 12.5,
  /** Duration is billed at 128 MB per active object (the DO pricing page's worked examples). */
  doGBPerObject: 0.128,
  /** R2 Standard Class B (reads): $0.36 per million. Source:
   * https://raw.githubusercontent.com/cloudflare/cloudflare-docs/production/src/content/docs/r2/pricing.mdx */
  r2ClassBPerMillion: 0.36,
  /** The egress P2P saves, priced like a CDN: CloudFront-like $0.085/GB (first-tier North America
   * price, as given in issue 13; not looked up here, so treat it as the input). */
  egressPerGB: 0.085,
} as const;

/** Assumptions about what each request costs the Worker (not measured here; see docs/sim.md). */
export const ASSUME = {
  /** CPU ms the Worker spends on one request (segment from cache/R2, playlist, upgrade, claim). */
  cpuMsPerRequest: 1,
  /** Cloudflare locations one channel's audience is spread over: each misses the edge cache once
   * per segment and once per live-playlist lifetime (CACHE_LIVE_PLAYLIST: max-age=1). */
  colos: 100,
  /** Live playlist cache lifetime at the edge, seconds (worker/origin/limits.ts CACHE_LIVE_PLAYLIST). */
  playlistTtlS: 1,
} as const;

export interface Usage {
  workersRequests: number;
  doRequests: number;
  doActiveS: number;
  r2ClassB: number;
}

export interface Bill {
  workers: number;
  cpu: number;
  doRequests: number;
  doDuration: number;
  r2: number;
  total: number;
}

export function bill(u: Usage): Bill {
  const workers = (u.workersRequests / 1e6) * PRICES.workersPerMillionRequests;
  const cpu = ((u.workersRequests * ASSUME.cpuMsPerRequest) / 1e6) * PRICES.workersPerMillionCpuMs;
  const doRequests = (u.doRequests / 1e6) * PRICES.doPerMillionRequests;
  const doDuration = ((u.doActiveS * PRICES.doGBPerObject) / 1e6) * PRICES.doPerMillionGBs;
  const r2 = (u.r2ClassB / 1e6) * PRICES.r2ClassBPerMillion;
  return { workers, cpu, doRequests, doDuration, r2, total: workers + cpu + doRequests + doDuration + r2 };
}

/** Dollars of CDN egress that `bytes` delivered peer to peer would have cost. */
export function egressValue(bytes: number): number {
  return (bytes / 1e9) * PRICES.egressPerGB;
}
