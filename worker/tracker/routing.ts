// Which Durable Object serves a tracker connection, as pure functions: the channel from the
// URL, the region suffix from the request (sharding mode), the bucket a viewer asks for,
// and the names these make. connect.ts forwards the upgrade; buckets.ts decides buckets.
import type { Env } from "../env";
import { CHANNEL_RULE, isChannelName } from "../../shared/names";
import { DEFAULT_CHANNEL, MAX_BUCKETS, SHARD_TARGET_VIEWERS } from "./limits";

/** Set by the Worker (overwriting any client value) so a shard knows its own name. */
export const SHARD_HEADER = "x-edgeswarm-shard";
export const CHANNEL_HEADER = "x-edgeswarm-channel";

export type ChannelResult = { ok: true; channel: string } | { ok: false; reason: string };

/** `/announce` → default channel; `/announce/<channel>` (optionally with a trailing slash). */
export function channelFromPath(pathname: string): ChannelResult {
  if (pathname === "/announce" || pathname === "/announce/") return { ok: true, channel: DEFAULT_CHANNEL };
  const m = /^\/announce\/([^/]*)\/?$/.exec(pathname);
  const raw = m?.[1];
  if (!isChannelName(raw)) return { ok: false, reason: `invalid channel: use ${CHANNEL_RULE}` };
  return { ok: true, channel: raw };
}

/**
 * Sharding modes (env TRACKER_SHARDING):
 * - "channel" (default): one object per channel, `<channel>`. Every viewer of a
 *   stream meets every other; capacity is one object's.
 * - "continent": `<channel>#<continent>` from request.cf.continent (or `#XX` when
 *   unknown). Viewers only pair within their continent, which WebRTC latency
 *   favours anyway, and a channel gets up to 8 objects.
 */
export type ShardingMode = "channel" | "continent";

export function shardingMode(value: string | undefined): ShardingMode {
  return value === "continent" ? "continent" : "channel";
}

export function shardName(channel: string, mode: ShardingMode, cf: unknown): string {
  if (mode === "channel") return channel;
  let continent = "XX";
  if (typeof cf === "object" && cf !== null && "continent" in cf) {
    const c = cf.continent;
    if (typeof c === "string" && /^[A-Z]{2}$/.test(c)) continent = c;
  }
  return `${channel}#${continent}`;
}

/** Buckets a channel's region needs so no shard holds more than SHARD_TARGET_VIEWERS on average. */
export function bucketsFor(viewers: number): number {
  return Math.max(1, Math.min(MAX_BUCKETS, Math.ceil(viewers / SHARD_TARGET_VIEWERS)));
}

/** A region shard's name with its bucket: bucket 0 keeps the region's own name. */
export function bucketShardName(regionShard: string, bucket: number): string {
  return bucket === 0 ? regionShard : `${regionShard}~${bucket}`;
}

/** TRACKER_SHARDING is read here rather than typed in worker/env.ts (the lead's file). */
export function trackerSharding(env: Env): ShardingMode {
  const v: unknown = Reflect.get(env, "TRACKER_SHARDING");
  return shardingMode(typeof v === "string" ? v : undefined);
}

/**
 * The operator's expected audience per channel region, from env TRACKER_EXPECTED_VIEWERS:
 * comma-separated `<region>=<viewers>`, the region being the channel ("live") or, in
 * continent mode, the channel and continent ("live#EU"). Entries that do not parse are
 * ignored. A region with an expected audience opens the buckets its flash crowd needs
 * before the first join (buckets.ts bucketsForAudience); set it for an announced event, and
 * never for a small channel, whose viewers would then be spread over shards too thin to pair.
 */
export function parseExpectedViewers(raw: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of (raw ?? "").split(",")) {
    const m = /^\s*([^=\s]+)\s*=\s*(\d{1,9})\s*$/.exec(part);
    if (m && Number(m[2]) > 0) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** The expected audience of `region` (0: none), as TRACKER_EXPECTED_VIEWERS says. Read here rather than typed in worker/env.ts. */
export function expectedViewers(env: Env, region: string): number {
  const v: unknown = Reflect.get(env, "TRACKER_EXPECTED_VIEWERS");
  return parseExpectedViewers(typeof v === "string" ? v : undefined).get(region) ?? 0;
}

/** Query parameter by which a reconnecting viewer names the bucket it was in (0..MAX_BUCKETS-1). */
export const BUCKET_PARAM = "es_bucket";
/** Set by a shard that refuses an upgrade because it is full or past its join rate. */
export const FULL_HEADER = "x-edgeswarm-shard-full";
/** On that refusal: the upgrades per second the shard is asked for (admission.ts joinDemand), for the directory's grow. */
export const JOIN_DEMAND_HEADER = "x-edgeswarm-join-demand";

/** The demand a refusal carries, or 0 when absent or not a finite non-negative number. */
export function joinDemandOf(raw: string | null): number {
  const v = raw === null ? NaN : Number(raw);
  return Number.isFinite(v) && v > 0 ? v : 0;
}

/** The bucket a viewer asks for, or null when it asks for none or for one that cannot exist. */
export function askedBucket(raw: string | null): number | null {
  if (raw === null || !/^\d{1,3}$/.test(raw)) return null;
  const b = Number(raw);
  return b < MAX_BUCKETS ? b : null;
}

/** A shard's name split back into its region and bucket ("live#EU~3" → "live#EU", 3). */
export function parseShardName(name: string): { region: string; bucket: number } {
  const m = /^(.*)~(\d{1,3})$/.exec(name);
  return m ? { region: m[1]!, bucket: Number(m[2]) } : { region: name, bucket: 0 };
}
