// PLACEHOLDER (being written): upstream mode. Off for now.
import type { Env } from "../env";
import { jsonError } from "../http";
export async function handleUpstream(_request: Request, _env: Env, _ctx: ExecutionContext, _rest: string): Promise<Response> {
  return jsonError(404, "upstream mode is off");
}
