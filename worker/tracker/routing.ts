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

/** Query parameter by which a reconnecting viewer names the bucket it was in (0..MAX_BUCKETS-1). */
export const BUCKET_PARAM = "es_bucket";
/** Set by a shard that refuses an upgrade because it is full. */
export const FULL_HEADER = "x-edgeswarm-shard-full";

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
