// GET /api/tracker/stats (per channel or global) and the test-only outage control.
// Aggregates shard snapshots fetched live over RPC; the list of shards comes from the
// registry object (shards add themselves on their first connection after being
// empty, and remove themselves when their alarm finds them empty). No swarm logic.
import { CHANNEL_RULE, isChannelName } from "../../shared/names";
import type { Env } from "../env";
import { json, jsonError } from "../http";
import { MAX_STATS_FANOUT } from "./limits";
import type { OutageMode, ShardStats } from "./durable-object";
import { registry } from "./registry";
import { shardName, trackerSharding } from "./routing";
import { emptyCounters, COUNTER_NAMES } from "./state";

export async function handleTrackerStats(request: Request, env: Env): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") return jsonError(405, "use GET");
  const url = new URL(request.url);
  const channel = url.searchParams.get("channel");
  if (channel !== null && !isChannelName(channel)) return jsonError(400, `invalid channel: use ${CHANNEL_RULE}`);

  let entries: { name: string; channel: string }[];
  try {
    entries = [...(await registry(env).list(MAX_STATS_FANOUT + 1, channel ?? undefined))];
  } catch (err) {
    console.error("tracker registry list failed", err);
    return jsonError(503, "tracker registry unavailable");
  }
  const truncated = entries.length > MAX_STATS_FANOUT;
  entries = entries.slice(0, MAX_STATS_FANOUT);

  // One unreachable shard must not blank the whole view: count it and go on.
  const settled = await Promise.allSettled(
    entries.map(async (e): Promise<ShardStats> => {
      const s = await env.TRACKER.getByName(e.name).shardStats();
      return {
        shard: s.shard,
        channel: s.channel,
        swarms: s.swarms,
        peers: s.peers,
        sockets: s.sockets,
        wokeAt: s.wokeAt,
        messages: { ...s.messages },
      };
    }),
  );
  const shards: ShardStats[] = [];
  let unreachable = 0;
  for (const r of settled) {
    if (r.status === "fulfilled") shards.push(r.value);
    else unreachable++;
  }
  const total = { swarms: 0, peers: 0, sockets: 0, messages: emptyCounters() };
  for (const s of shards) {
    total.swarms += s.swarms;
    total.peers += s.peers;
    total.sockets += s.sockets;
    for (const n of COUNTER_NAMES) total.messages[n] += s.messages[n];
  }
  return json({
    scope: channel === null ? "global" : "channel",
    ...(channel !== null ? { channel } : {}),
    shards: shards.length,
    unreachable,
    truncated,
    ...total,
    perShard: shards,
  });
}

/** POST /api/tracker/test-outage?channel=<c>&mode=refuse|close|ok — exists only under EDGESWARM_TEST_HOOKS=1. */
export async function handleTrackerTestOutage(request: Request, env: Env): Promise<Response> {
  if (env.EDGESWARM_TEST_HOOKS !== "1") return jsonError(404, "not found");
  if (request.method !== "POST") return jsonError(405, "use POST");
  const url = new URL(request.url);
  const channel = url.searchParams.get("channel");
  if (!isChannelName(channel)) return jsonError(400, `invalid channel: use ${CHANNEL_RULE}`);
  const mode = url.searchParams.get("mode");
  if (mode !== "refuse" && mode !== "close" && mode !== "ok") return jsonError(400, "mode must be refuse, close or ok");
  const name = shardName(channel, trackerSharding(env), request.cf);
  const result: { mode: OutageMode; closed: number } = await env.TRACKER.getByName(name).setOutage(mode);
  return json({ channel, shard: name, ...result });
}
