// The embed allowlist: with ALLOWED_ORIGINS set, only pages of those origins (and the
// Worker's own pages) may join the tracker, report stats, probe their uplink or claim segments; a request from
// any other Origin gets 403. CORS_ORIGINS alone cannot do this: CORS only stops a browser
// from *reading* a response, while the upgrade, the report and the claim have already acted.
// A non-browser client can send any Origin, so this keeps other sites from embedding the
// Worker's swarm; it is not authentication (viewer tokens are).
import type { Env } from "../env";
import { jsonError, parseAllowedOrigins } from "../http";
import { CLAIM_PARAM } from "../../shared/claim";
import { UPLINK_PROBE_PATH } from "../../shared/uplink-probe";

export type EmbedGated = "tracker" | "report" | "uplink probe" | "claim";

/** Which gated action a request is, if any. */
export function gatedAction(request: Request, url: URL): EmbedGated | null {
  const p = url.pathname;
  if ((p === "/announce" || p.startsWith("/announce/")) && request.headers.get("upgrade")?.toLowerCase() === "websocket") return "tracker";
  if (p === "/api/report" && request.method === "POST") return "report";
  if (p === UPLINK_PROBE_PATH && request.method === "POST") return "uplink probe";
  if (url.searchParams.has(CLAIM_PARAM)) return "claim";
  return null;
}

/**
 * null when the request may go on, else the 403. Browsers always send Origin on WebSocket
 * upgrades and on POST, so its absence there means a non-browser client and is refused; a
 * same-origin GET (a claim from the Worker's own demo page) carries none and is let through.
 */
export function embedRefusal(request: Request, env: Env, url: URL): Response | null {
  const allowed = parseAllowedOrigins(env.ALLOWED_ORIGINS);
  if (allowed === "*") return null;
  const action = gatedAction(request, url);
  if (action === null) return null;
  const origin = request.headers.get("origin");
  if (origin === null) return action === "claim" ? null : jsonError(403, `${action} needs an Origin header from an allowed page`);
  if (origin === url.origin || allowed.has(origin)) return null;
  return jsonError(403, `origin ${origin.slice(0, 100)} may not use this Worker's ${action}`);
}
