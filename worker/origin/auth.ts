// Ingest authentication. A token is either
//   - INGEST_TOKEN itself (a wrangler secret): every stream; or
//   - a per-stream ingest token: an HS256 JWT signed with INGEST_TOKEN, claims
//     { ingest: "<stream>", exp } (`npm run token -- --ingest <stream>`), which opens that
//     stream only (VOD and live of that name) until it expires. Signed with INGEST_TOKEN, so
//     no second secret: whoever can mint one could already ingest everywhere. A viewer token
//     (VIEWER_TOKEN_SECRET, claim `stream`) never passes, as it has no `ingest` claim.
// It comes from either
//   Authorization: Bearer <token>           (recommended: publish.ts; ffmpeg ≥ 4.4 via -headers)
//   /ingest/token/<token>/...               (for ffmpeg builds whose HLS muxer cannot
//                                            send headers, like @ffmpeg-installer's 2018 build;
//                                            the token then sits in every request log, issue 14 L3)
// No query-string form: ffmpeg copies the segment URL's query into the playlist it
// uploads, so the token would be published to every viewer.
// INGEST_TOKEN is compared constant-time over SHA-256 digests (worker/access/secret.ts),
// a JWT by crypto.subtle.verify (shared/viewer-token.ts).
import type { Env } from "../env";
import { bearerToken, secretMatches } from "../access/secret";
import { isChannelName } from "../../shared/names";
import { verifySignedToken } from "../../shared/viewer-token";

export interface Credentials {
  token: string | null;
  rest: string;
}

/** Splits an optional path token off `rest` (the part after /ingest/). */
export function extractCredentials(request: Request, rest: string): Credentials {
  // 2048: a per-stream JWT is ~200 characters; INGEST_TOKEN itself at most 256.
  const m = /^token\/([^/]{1,2048})\/(.*)$/.exec(rest);
  if (m) return { token: decodeURIComponentSafe(m[1]!), rest: m[2]! };
  return { token: bearerToken(request), rest };
}

function decodeURIComponentSafe(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** True when `token` is the deployment's INGEST_TOKEN (never when that is unset). */
export async function tokenValid(env: Env, token: string | null): Promise<boolean> {
  return secretMatches(token, env.INGEST_TOKEN);
}

/** What a token opens: every stream ("*"), or one. */
export type IngestAccess = { ok: true; stream: string } | { ok: false; error: string };

/** Checks an ingest token at `nowMs`: INGEST_TOKEN, or a per-stream token signed with it. */
export async function ingestAccess(env: Env, token: string | null, nowMs: number): Promise<IngestAccess> {
  if (!env.INGEST_TOKEN) return { ok: false, error: "ingest disabled: INGEST_TOKEN is not set" };
  if (await tokenValid(env, token)) return { ok: true, stream: "*" };
  // Only a JWT-shaped token is worth an HMAC; anything else is simply the wrong token.
  if (token === null || token.split(".").length !== 3) return { ok: false, error: "missing or wrong ingest token" };
  const v = await verifySignedToken(env.INGEST_TOKEN, token, nowMs, "ingest token");
  if (!v.ok) return { ok: false, error: v.error };
  const stream = v.claims.ingest;
  if (typeof stream !== "string" || !isChannelName(stream)) return { ok: false, error: "ingest token has no ingest stream" };
  return { ok: true, stream };
}
