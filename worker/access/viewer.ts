// The viewer-token gate: with the secret VIEWER_TOKEN_SECRET set, every request a viewer
// makes needs a valid token (shared/viewer-token.ts) in `?token=`: the tracker upgrade,
// playlists and segments (claims are segment requests), stats reports and the uplink probe. Pages, the
// client script and the operator's routes are not viewer requests and are not gated here.
// Unset means open, as a fresh `npm start` is.
import type { Env } from "../env";
import { jsonError } from "../http";
import { requestClock } from "../test-clock";
import { channelFromPath } from "../tracker/routing";
import { UPLINK_PROBE_PATH } from "../../shared/uplink-probe";
import { TOKEN_PARAM, checkViewerToken, type ViewerClaims } from "../../shared/viewer-token";

/** What a viewer request opens: a named stream, or (a report) whatever its body names. */
type Scope = { kind: "stream"; stream: string } | { kind: "report" };

/** The stream a viewer request is for; null when the request is not a viewer request. */
export function viewerScope(request: Request, url: URL): Scope | null {
  const p = url.pathname;
  if (p === "/announce" || p.startsWith("/announce/")) {
    const c = channelFromPath(p);
    // A bad channel name is the tracker's to refuse (400); the token cannot match it anyway.
    return { kind: "stream", stream: c.ok ? c.channel : "" };
  }
  const media = /^\/(?:live|streams|upstream)\/([^/]*)/.exec(p);
  if (media) return { kind: "stream", stream: media[1]! };
  // The uplink probe names no stream: like a report, any stream's token opens it.
  if ((p === "/api/report" || p === UPLINK_PROBE_PATH) && request.method === "POST") return { kind: "report" };
  return null;
}

export type ViewerAccess = { ok: true; claims: ViewerClaims | null } | { ok: false; response: Response };

/**
 * Checks the token of a viewer request. `claims` is null when no check applies (no secret,
 * or not a viewer request); a report's stream is compared with `claims.stream` by the stats
 * room once its body is read (reportAllowed).
 */
export async function viewerAccess(request: Request, env: Env, url: URL): Promise<ViewerAccess> {
  const secret = env.VIEWER_TOKEN_SECRET;
  if (!secret) return { ok: true, claims: null };
  const scope = viewerScope(request, url);
  if (scope === null) return { ok: true, claims: null };
  const token = url.searchParams.get(TOKEN_PARAM);
  // A same-origin request carries no Origin header; it comes from this Worker's own pages.
  const origin = request.headers.get("origin") ?? url.origin;
  const want = { stream: scope.kind === "stream" ? scope.stream : "*", origin };
  const check = await checkViewerToken(secret, token, want, requestClock(request, env).now(), scope.kind === "report");
  if (check.ok) return { ok: true, claims: check.claims };
  const headers = check.status === 401 ? { "www-authenticate": 'Bearer realm="edgeswarm-viewer"' } : undefined;
  return { ok: false, response: jsonError(check.status, check.error, headers) };
}

/** Whether a report for `stream` may be counted under `claims` (null: no token required). */
export function reportAllowed(claims: ViewerClaims | null, stream: string): boolean {
  return claims === null || claims.stream === "*" || claims.stream === stream;
}
