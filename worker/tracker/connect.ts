// The Worker side of a tracker connection: GET /announce[/<channel>] with Upgrade: websocket
// → the channel region's directory says which bucket → that swarm shard's Durable Object.
// No swarm logic here; names and keys are routing.ts, bucket decisions buckets.ts.
import type { Env } from "../env";
import { jsonError } from "../http";
import { directory } from "./directory";
import {
  askedBucket, BUCKET_PARAM, bucketShardName, channelFromPath, CHANNEL_HEADER, FULL_HEADER, SHARD_HEADER, shardName, trackerSharding,
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
  let bucket = await bucketOf(env, region, askedBucket(url.searchParams.get(BUCKET_PARAM)));
  // Fresh headers: a client must not choose which shard/channel the object believes it is.
  const headers = new Headers(request.headers);
  headers.set(CHANNEL_HEADER, ch.channel);
  const upgrade = (b: number) => {
    const name = bucketShardName(region, b);
    headers.set(SHARD_HEADER, name);
    return env.TRACKER.getByName(name).fetch(new Request(request.url, { method: "GET", headers }));
  };
  const res = await upgrade(bucket);
  if (res.status !== 503 || res.headers.get(FULL_HEADER) !== "1") return res;
  // The shard is at MAX_SOCKETS_PER_SHARD (the directory's sizes lag its reports): grow the
  // region and take the least-filled bucket (once; a second full shard answers 503).
  await res.body?.cancel();
  try {
    await directory(env, region).grow();
    bucket = await bucketOf(env, region, null);
  } catch (err) {
    console.error("tracker directory grow failed", err);
  }
  return upgrade(bucket);
}

/** The viewer's bucket from the region's directory; bucket 0 when the directory cannot answer
 * (joining never waits on it: a too-full bucket 0 then refuses, and the viewer retries). */
async function bucketOf(env: Env, region: string, asked: number | null): Promise<number> {
  try {
    return await directory(env, region).route(asked);
  } catch (err) {
    console.error("tracker directory route failed", err);
    return 0;
  }
}
