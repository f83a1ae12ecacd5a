// Bindings and variables the Worker receives (see wrangler.toml). Types only.
import type { TrackerShard } from "./tracker/durable-object";
import type { StatsHub } from "./stats/durable-object";
import type { SegmentLeases } from "./lease/durable-object";

export interface Env {
  TRACKER: DurableObjectNamespace<TrackerShard>;
  STATS: DurableObjectNamespace<StatsHub>;
  LEASES: DurableObjectNamespace<SegmentLeases>;
  MEDIA: R2Bucket;
  ASSETS?: Fetcher;
  /** Comma-separated allowlist of embedding origins, or "*". */
  CORS_ORIGINS?: string;
  /** Base URL of an existing HLS origin to front (upstream mode); empty = off. */
  UPSTREAM_ORIGIN?: string;
  /** Seconds of live media kept behind the live edge. */
  DVR_WINDOW_SECONDS?: string;
  /** Bearer token for /ingest (wrangler secret). Ingest is refused when unset. */
  INGEST_TOKEN?: string;
  /** "channel" (default: one tracker object per channel) or "continent" (one per channel per continent). */
  TRACKER_SHARDING?: string;
  /** "1" only in tests: enables test-only controls. Never set in production. */
  EDGESWARM_TEST_HOOKS?: string;
}
