// HTTP face of the stats room: POST /api/report (a viewer's counters) and GET /api/stats
// (per-stream aggregate for the dashboard). Reads and checks bodies, picks the shard, and
// turns outcomes into JSON. Aggregation rules live in aggregate.ts, storage in the DO.
import type { Env } from "../env";
import { json, jsonError } from "../http";
import { shardName, shardOf, sumStreams } from "./aggregate";
import { readRequestBounded } from "../../shared/body";
import { requestClock } from "../test-clock";
import { CHANNEL_RULE, isChannelName } from "../../shared/names";
import { MAX_REPORT_BYTES, STATS_SHARDS } from "./limits";
import { addressKey } from "../access/address";
import { reportAllowed } from "../access/viewer";
import type { ViewerClaims } from "../../shared/viewer-token";
import { parseReport, type StatsReply, type StreamStats } from "../../shared/stats-report";

export { StatsHub } from "./durable-object";

function shard(env: Env, i: number) {
  return env.STATS.get(env.STATS.idFromName(shardName(i)));
}

/** The body as text, at most `limit` bytes (shared/body.ts); null when it is longer. */
async function readCapped(request: Request, limit: number): Promise<string | null> {
  const body = await readRequestBounded(request, limit);
  return body.ok ? new TextDecoder("utf-8", { fatal: false, ignoreBOM: false }).decode(body.value) : null;
}

/** `claims`: the viewer token the Worker checked (worker/access/viewer.ts), or null when none is required. */
async function handleReport(request: Request, env: Env, claims: ViewerClaims | null): Promise<Response> {
  const type = request.headers.get("content-type") ?? "";
  // text/plain is accepted because navigator.sendBeacon on unload cannot send application/json
  // without a CORS preflight.
  if (!/^(application\/json|text\/plain)\b/i.test(type)) return jsonError(415, "content-type must be application/json");
  const text = await readCapped(request, MAX_REPORT_BYTES);
  if (text === null) return jsonError(413, `report larger than ${MAX_REPORT_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return jsonError(400, "report is not valid JSON");
  }
  const parsed = parseReport(raw);
  if (!parsed.ok) return jsonError(400, parsed.reason);
  if (!reportAllowed(claims, parsed.value.stream)) return jsonError(403, "viewer token is for another stream");
  // CF-Connecting-IP is set by Cloudflare's edge (a client cannot forge it there); locally
  // wrangler dev sets it to the peer address.
  const client = addressKey(request.headers.get("cf-connecting-ip"));
  // A valid viewer token for the stream vouches for a new viewer; without one, the tracker must have seen it.
  const hub = shard(env, shardOf(parsed.value.stream, STATS_SHARDS));
  const outcome = await hub.report(parsed.value, requestClock(request, env).now(), client, claims !== null);
  if (!outcome.ok) return jsonError(outcome.status, outcome.error);
  return json({ ok: true, next: outcome.next });
}

async function handleStats(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const only = url.searchParams.get("stream");
  if (only !== null && !isChannelName(only)) return jsonError(400, `stream must match ${CHANNEL_RULE}`);
  const now = requestClock(request, env).now();
  let streams: StreamStats[];
  if (only !== null) {
    streams = await shard(env, shardOf(only, STATS_SHARDS)).stats(now, only);
  } else {
    const parts = await Promise.all(Array.from({ length: STATS_SHARDS }, (_, i) => shard(env, i).stats(now)));
    streams = parts.flat().sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
  }
  const reply: StatsReply = { generatedAt: now, streams, totals: sumStreams(streams) };
  return json(reply);
}

/** Every /api/* route other than /api/tracker/stats lands here (see worker/index.ts). */
export async function handleStatsRequest(request: Request, env: Env, claims: ViewerClaims | null): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path === "/api/report") {
    if (request.method !== "POST") return jsonError(405, "use POST", { allow: "POST" });
    return handleReport(request, env, claims);
  }
  if (path === "/api/stats") {
    if (request.method !== "GET" && request.method !== "HEAD") return jsonError(405, "use GET", { allow: "GET" });
    return handleStats(request, env);
  }
  return jsonError(404, "no such API route");
}
