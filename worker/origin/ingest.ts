// PLACEHOLDER (being written): authenticated ingest. Refuses everything for now.
import type { Env } from "../env";
import { jsonError } from "../http";
export async function handleIngest(_request: Request, _env: Env, _rest: string): Promise<Response> {
  return jsonError(503, "ingest not available yet");
}
