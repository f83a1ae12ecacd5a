// The Worker side of a tracker connection: GET /announce[/<channel>] with Upgrade: websocket
// → the channel region's bucket count (cached per isolate, from its directory) → a bucket →
// that swarm shard's Durable Object. No swarm logic here; names are routing.ts, bucket
// decisions buckets.ts.
import type { Env } from "../env";
import { jsonError } from "../http";
import { bucketsForAudience, pickBucket, retryBucket } from "./buckets";
import { directory } from "./directory";
import { DIRECTORY_CACHE_MS, ISOLATE_REFRESH_JOINS, MAX_CACHED_REGIONS } from "./limits";
import {
  askedBucket,
  BUCKET_PARAM,
  bucketShardName,
  channelFromPath,
  CHANNEL_HEADER,
  expectedViewers,
  FULL_HEADER,
  JOIN_DEMAND_HEADER,
  joinDemandOf,
  SHARD_HEADER,
  shardName,
  trackerSharding,
} from "./routing";

/** GET /announce[/<channel>] with Upgrade: websocket → the shard's Durable Object. */
export async function handleTrackerRequest(request: Request, env: Env): Promise<Response> {
  if (request.method !== "GET") return jsonError(405, "tracker accepts only GET WebSocket upgrades");
  const url = new URL(request.url);
  const ch = channelFromPath(url.pathname);
  if (!ch.ok) return jsonError(400, ch.reason);
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return jsonError(426, "this is a WebSocket tracker: connect with Upgrade: websocket");
  }
  const region = shardName(ch.channel, trackerSharding(env), request.cf);
  // Fresh headers: a client must not choose which shard/channel the object believes it is.
  const headers = new Headers(request.headers);
  headers.set(CHANNEL_HEADER, ch.channel);
  const upgrade = (b: number) => {
    const name = bucketShardName(region, b);
    headers.set(SHARD_HEADER, name);
    return env.TRACKER.getByName(name).fetch(new Request(request.url, { method: "GET", headers }));
  };
  // An operator's expected audience sizes the region before its crowd arrives (buckets.ts).
  const floor = bucketsForAudience(expectedViewers(env, region));
  const first = pickBucket(await bucketCount(env, region, floor), askedBucket(url.searchParams.get(BUCKET_PARAM)), Math.random);
  const res = await upgrade(first);
  if (res.status !== 503 || res.headers.get(FULL_HEADER) !== "1") return res;
  // The shard is at MAX_SOCKETS_PER_SHARD or past MAX_JOINS_PER_S_PER_SHARD (the count this
  // isolate holds lags the region): grow the region for the demand the shard measured, and
  // try another bucket of the new count, once.
  const demand = joinDemandOf(res.headers.get(JOIN_DEMAND_HEADER));
  await res.body?.cancel();
  let buckets = Math.max(floor, counts.get(region)?.buckets ?? 1);
  try {
    buckets = await directory(env, region).grow(floor, first, demand);
    counts.set(region, { buckets, at: Date.now(), joins: 0 });
  } catch (err) {
    console.error("tracker directory grow failed", err);
  }
  return upgrade(retryBucket(buckets, first, Math.random));
}

/** Region → its bucket count as this isolate last read it, and the joins routed since. */
const counts = new Map<string, { buckets: number; at: number; joins: number }>();

/** The region's bucket count, from this isolate's copy (younger than DIRECTORY_CACHE_MS and
 * used for fewer than ISOLATE_REFRESH_JOINS joins) or its directory; the last count or the
 * floor when the directory cannot answer (joining never waits on it). */
async function bucketCount(env: Env, region: string, floor: number): Promise<number> {
  const hit = counts.get(region);
  const now = Date.now();
  if (hit && now - hit.at < DIRECTORY_CACHE_MS && hit.joins < ISOLATE_REFRESH_JOINS) {
    hit.joins++;
    return hit.buckets;
  }
  try {
    const buckets = await directory(env, region).buckets(floor);
    counts.delete(region);
    if (counts.size >= MAX_CACHED_REGIONS) counts.delete(counts.keys().next().value!);
    counts.set(region, { buckets, at: now, joins: 1 });
    return buckets;
  } catch (err) {
    console.error("tracker directory read failed", err);
    return Math.max(floor, hit?.buckets ?? 1);
  }
}
