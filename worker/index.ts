// Worker entry: routes each request to its room (tracker, origin, stats) and exports
// the Durable Object classes. No logic of its own beyond routing and CORS.
import type { Env } from "./env.ts";
import { jsonError, preflight, withCors } from "./http.ts";
import { handleTrackerRequest, handleTrackerStats } from "./tracker/index.ts";
import { handleOriginRequest } from "./origin/index.ts";
import { handleStatsRequest } from "./stats/index.ts";

export { TrackerShard } from "./tracker/index.ts";
export { StatsHub } from "./stats/index.ts";

async function route(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  const path = url.pathname;
  if (path === "/announce" || path.startsWith("/announce/")) return handleTrackerRequest(request, env);
  if (path === "/api/tracker/stats") return handleTrackerStats(request, env);
  if (path.startsWith("/api/")) return handleStatsRequest(request, env, ctx);
  if (/^\/(streams|live|ingest|upstream)\//.test(path)) return handleOriginRequest(request, env, ctx);
  if (env.ASSETS) return env.ASSETS.fetch(request);
  return jsonError(404, "not found");
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (request.method === "OPTIONS") return preflight(request, env.CORS_ORIGINS);
    let response: Response;
    try {
      response = await route(request, env, ctx);
    } catch (err) {
      // A bug must not leak a stack trace or a bare 500 page to a hostile client.
      console.error("unhandled", err);
      response = jsonError(500, "internal error");
    }
    return withCors(response, request, env.CORS_ORIGINS);
  },
} satisfies ExportedHandler<Env>;
