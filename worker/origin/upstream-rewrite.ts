// Upstream mode's pure part: which URLs are "on the upstream" and how an upstream
// playlist's URIs map to /upstream/<path>. No fetching, no cache (upstream.ts does that).
// A URI is rewritten only when it resolves under UPSTREAM_ORIGIN (same origin and path
// prefix); anything else (other CDNs, key servers) is left as it was and stays untagged.

/** The configured base, normalised to end with "/" so prefix checks are per folder. */
export function parseUpstreamBase(raw: string | undefined): URL | null {
  const v = (raw ?? "").trim();
  if (!v) return null;
  try {
    const u = new URL(v);
    if (u.protocol !== "https:" && u.protocol !== "http:") return null;
    u.search = "";
    u.hash = "";
    if (!u.pathname.endsWith("/")) u.pathname = u.pathname.replace(/[^/]*$/, "");
    return u;
  } catch {
    return null;
  }
}

/** Path + query under the base for a URL on the upstream, or null if it is elsewhere. */
export function upstreamRelative(base: URL, target: URL): string | null {
  if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname)) return null;
  return target.pathname.slice(base.pathname.length) + target.search;
}

/**
 * The upstream URL for /upstream/<rest>. `rest` is the raw (still percent-encoded)
 * path after /upstream/ plus the query. Refuses anything that would leave the base.
 */
export function upstreamTarget(base: URL, rest: string): URL | null {
  if (rest === "" || rest.startsWith("/") || /[\\\u0000-\u001f\u007f]/.test(rest)) return null;
  // Encoded dots and slashes could be decoded by the upstream into a traversal.
  if (/%2e|%2f|%5c/i.test(rest)) return null;
  let t: URL;
  try {
    t = new URL(rest, base);
  } catch {
    return null;
  }
  t.hash = "";
  return upstreamRelative(base, t) === null ? null : t;
}

/** Maps a URI found in the playlist at `playlistUrl`: on the upstream → "/upstream/…", else unchanged. */
export function mapUpstreamUri(base: URL, playlistUrl: URL, uri: string): { uri: string; target: URL | null } {
  let abs: URL;
  try {
    abs = new URL(uri, playlistUrl);
  } catch {
    return { uri, target: null };
  }
  const rel = upstreamRelative(base, abs);
  if (rel === null) return { uri, target: null };
  return { uri: `/upstream/${rel}`, target: abs };
}
