// Ingest authentication: INGEST_TOKEN (a wrangler secret) from either
//   Authorization: Bearer <token>           (publish.ts; ffmpeg ≥ 4.4 via -headers)
//   /ingest/token/<token>/...               (for ffmpeg builds whose HLS muxer cannot
//                                            send headers, like @ffmpeg-installer's 2018 build)
// No query-string form: ffmpeg copies the segment URL's query into the playlist it
// uploads, so the token would be published to every viewer.
// Comparison is constant-time over SHA-256 digests (worker/access/secret.ts).
import type { Env } from "../env";
import { secretMatches } from "../access/secret";

export interface Credentials {
  token: string | null;
  rest: string;
}

/** Splits an optional path token off `rest` (the part after /ingest/). */
export function extractCredentials(request: Request, rest: string): Credentials {
  const m = /^token\/([^/]{1,256})\/(.*)$/.exec(rest);
  if (m) return { token: decodeURIComponentSafe(m[1]!), rest: m[2]! };
  const auth = request.headers.get("authorization");
  const b = auth ? /^Bearer\s+(\S{1,256})\s*$/i.exec(auth) : null;
  return { token: b ? b[1]! : null, rest };
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
