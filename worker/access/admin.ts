// The admin gate: with the secret ADMIN_TOKEN set, the operator's read-outs (GET /api/stats,
// GET /api/tracker/stats) need `Authorization: Bearer <ADMIN_TOKEN>`. Unset means open, as a
// fresh `npm start` is. The dashboard page itself is static and holds no figures; it asks for
// the token and sends it on its API calls. Viewer routes are not gated here.
import type { Env } from "../env";
import { jsonError } from "../http";
import { bearerToken, secretMatches } from "./secret";

/** Paths that only the operator may read when ADMIN_TOKEN is set. */
export const ADMIN_PATHS: ReadonlySet<string> = new Set(["/api/stats", "/api/tracker/stats"]);

/**
 * null when the request may go on; otherwise the refusal: 401 without a token (with a
 * WWW-Authenticate challenge), 403 with a wrong one.
 */
export async function adminRefusal(request: Request, env: Env): Promise<Response | null> {
  if (!env.ADMIN_TOKEN) return null;
  const given = bearerToken(request);
  if (given === null) return jsonError(401, "admin token required", { "www-authenticate": 'Bearer realm="edgeswarm-admin"' });
  if (!(await secretMatches(given, env.ADMIN_TOKEN))) return jsonError(403, "wrong admin token");
  return null;
}
