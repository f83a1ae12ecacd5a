// Dispatch for everything under /streams/, /live/, /ingest/ and /upstream/.
// Splits the path into (area, stream, file) and hands off; no storage logic here.
import type { Env } from "../env";
import { jsonError } from "../http";
import { BUILTIN_VOD, LOOP_STREAM, serveClip, serveLoop } from "./builtin";
import { handleIngest } from "./ingest";
import { parseStreamName } from "./names";
import { serveStored } from "./storage";
import { handleUpstream } from "./upstream";

export async function handleOriginRequest(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  const path = url.pathname;
  const area = /^\/(streams|live|ingest|upstream)\/(.*)$/.exec(path);
  if (!area) return jsonError(404, "not found");
  const [, kind, rest = ""] = area;
  if (kind === "ingest") return handleIngest(request, env, ctx, rest);
  if (kind === "upstream") return handleUpstream(request, env, ctx, rest + url.search);
  const slash = rest.indexOf("/");
  const streamRaw = slash < 0 ? rest : rest.slice(0, slash);
  const file = slash < 0 ? "" : rest.slice(slash + 1);
  const stream = parseStreamName(streamRaw);
  if (!stream.ok) return jsonError(400, stream.reason);
  if (kind === "live" && stream.value === LOOP_STREAM) return serveLoop(request, env, file);
  if (kind === "streams" && BUILTIN_VOD.includes(stream.value)) return serveClip(request, env, stream.value, file);
  return serveStored(request, env, kind === "live" ? "live" : "vod", stream.value, file);
}
