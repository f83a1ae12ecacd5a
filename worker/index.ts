// Worker entry: routes each request to its room (tracker, origin, lease, stats) and
// exports the Durable Object classes. No logic of its own beyond routing, CORS and security headers (http.ts).
import type { Env } from "./env";
import { jsonError, preflight, withCors, withSecurityHeaders } from "./http";
import { handleTrackerRequest, handleTrackerStats, handleTrackerTestOutage } from "./tracker/index";
import { handleOriginRequest } from "./origin/index";
import { serveClaimed } from "./lease/index";
import { handleStatsRequest } from "./stats/index";
import { ADMIN_PATHS, adminRefusal } from "./access/admin";
import { embedRefusal } from "./access/embed";
import { viewerAccess } from "./access/viewer";
import { TOKEN_PARAM } from "../shared/viewer-token";
import { UPLINK_PROBE_PATH } from "../shared/uplink-probe";
import { handleUplinkProbe } from "./uplink-probe";

export { TrackerShard } from "./tracker/index";
export { StatsHub } from "./stats/index";
export { SegmentLeases } from "./lease/index";
export { ChannelDirectory, ShardRegistry } from "./tracker/index";
export { LiveStream } from "./origin/live-stream";

async function route(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  const path = url.pathname;
  const notEmbedded = embedRefusal(request, env, url);
  if (notEmbedded) return notEmbedded;
  if (ADMIN_PATHS.has(path)) {
    const refused = await adminRefusal(request, env);
    if (refused) return refused;
  }
  const viewer = await viewerAccess(request, env, url);
  if (!viewer.ok) return viewer.response;
  // The token has done its work: nothing downstream sees it (cache keys, upstream fetches, logs).
  if (url.searchParams.has(TOKEN_PARAM)) {
    url.searchParams.delete(TOKEN_PARAM);
    request = new Request(url, request);
  }
  if (path === "/announce" || path.startsWith("/announce/")) return handleTrackerRequest(request, env);
  if (path === "/api/tracker/stats") return handleTrackerStats(request, env);
  if (path === "/api/tracker/test-outage") return handleTrackerTestOutage(request, env);
  if (path === UPLINK_PROBE_PATH) return handleUplinkProbe(request);
  if (path.startsWith("/api/")) return handleStatsRequest(request, env, viewer.claims);
  if (/^\/(streams|live|upstream)\//.test(path)) {
    return serveClaimed(request, env, (req) => handleOriginRequest(req, env, ctx));
  }
  if (path.startsWith("/ingest/")) return handleOriginRequest(request, env, ctx);
  if (env.ASSETS) return env.ASSETS.fetch(request);
  return jsonError(404, "not found");
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (request.method === "OPTIONS") return withSecurityHeaders(preflight(request, env.CORS_ORIGINS), request, env.ALLOWED_ORIGINS);
    let response: Response;
    try {
      response = await route(request, env, ctx);
    } catch (err) {
      // A bug must not leak a stack trace or a bare 500 page to a hostile client.
      console.error("unhandled", err);
      response = jsonError(500, "internal error");
    }
    return withSecurityHeaders(withCors(response, request, env.CORS_ORIGINS), request, env.ALLOWED_ORIGINS);
  },
} satisfies ExportedHandler<Env>;
