// Which Durable Object serves a tracker connection: channel from the URL, optional
// shard suffix from the request's region. Pure string logic plus the Worker-side
// handler that forwards the upgrade; no swarm logic, no storage.
import type { Env } from "../env";
import { jsonError } from "../http";
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

export const isValidChannel = isChannelName;

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

/**
 * Jump consistent hash (Lamping & Veach, 2014): a viewer's session key → a bucket in
 * [0, buckets). Growing a region from b to b+1 buckets moves only 1/(b+1) of the keys, so a
 * viewer who reconnects after the audience grew most likely lands in the shard it left.
 */
export function jumpBucket(key: number, buckets: number): number {
  let k = BigInt.asUintN(64, BigInt(Math.trunc(Math.abs(key))));
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = BigInt.asUintN(64, k * 2862933555777941757n + 1n);
    j = Math.floor((b + 1) * (2 ** 31 / (Number(k >> 33n) + 1)));
  }
  return Math.max(0, b);
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

/** GET /announce[/<channel>] with Upgrade: websocket → the shard's Durable Object. */
export async function handleTrackerRequest(request: Request, env: Env): Promise<Response> {
  if (request.method !== "GET") return jsonError(405, "tracker accepts only GET WebSocket upgrades");
  const url = new URL(request.url);
  const ch = channelFromPath(url.pathname);
  if (!ch.ok) return jsonError(400, ch.reason);
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return jsonError(426, "this is a WebSocket tracker: connect with Upgrade: websocket");
  }
  const name = shardName(ch.channel, trackerSharding(env), request.cf);
  // Fresh headers: a client must not choose which shard/channel the object believes it is.
  const headers = new Headers(request.headers);
  headers.set(SHARD_HEADER, name);
  headers.set(CHANNEL_HEADER, ch.channel);
  return env.TRACKER.getByName(name).fetch(new Request(request.url, { method: "GET", headers }));
}
