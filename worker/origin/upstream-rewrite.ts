// Upstream mode's pure part: which URLs are "on the upstream", which of them the Worker
// proxies, and how an upstream playlist's URIs map to /upstream/<path>. No fetching, no
// cache (upstream.ts does that).
// A URI is proxied only when it resolves under UPSTREAM_ORIGIN (same origin and path
// prefix), has no query, and names an HLS playlist or media file. Anything else (other
// CDNs, key servers, signed URLs) is left pointing at where it was, absolute, untagged.

/**
 * What upstream mode proxies, by extension: HLS playlists and the media HLS references
 * (RFC 8216 §3: MPEG-TS, fMP4/CMAF, packed audio, WebVTT). Anything else on the upstream
 * (keys, HTML, JSON, images, directory listings) is not ours to put behind the Worker.
 */
export const UPSTREAM_TYPES: Readonly<Record<string, { kind: "playlist" | "media"; type: string }>> = {
  m3u8: { kind: "playlist", type: "application/vnd.apple.mpegurl" },
  ts: { kind: "media", type: "video/mp2t" },
  m4s: { kind: "media", type: "video/mp4" },
  mp4: { kind: "media", type: "video/mp4" },
  m4v: { kind: "media", type: "video/mp4" },
  m4a: { kind: "media", type: "audio/mp4" },
  cmfv: { kind: "media", type: "video/mp4" },
  cmfa: { kind: "media", type: "audio/mp4" },
  cmft: { kind: "media", type: "application/mp4" },
  aac: { kind: "media", type: "audio/aac" },
  ac3: { kind: "media", type: "audio/ac3" },
  ec3: { kind: "media", type: "audio/eac3" },
  mp3: { kind: "media", type: "audio/mpeg" },
  vtt: { kind: "media", type: "text/vtt; charset=utf-8" },
  webvtt: { kind: "media", type: "text/vtt; charset=utf-8" },
};

/** The kind and content type of an upstream path by its extension, or null if it is not proxied. */
export function upstreamKind(pathname: string): { kind: "playlist" | "media"; type: string } | null {
  const m = /\/[^/]*[^/.]\.([A-Za-z0-9]+)$/.exec(pathname);
  return (m && UPSTREAM_TYPES[m[1]!.toLowerCase()]) || null;
}

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

/** Path under the base for a URL on the upstream, or null if it is elsewhere. */
export function upstreamRelative(base: URL, target: URL): string | null {
  if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname)) return null;
  return target.pathname.slice(base.pathname.length);
}

/**
 * The upstream URL for /upstream/<rest>. `rest` is the raw (still percent-encoded)
 * path after /upstream/, optionally with the request's query. Refuses anything that
 * would leave the base.
 *
 * The query is dropped, whatever it holds: the target is the cache key, and every
 * parameter kept would be a way to turn one cached object into unlimited origin fetches
 * (issue 14 M4: "?bust=1", "?bust=2", …). No parameter is allowlisted: origins on
 * Cloudflare (R2 buckets, Workers) address HLS by path, and playlist URIs that do carry a
 * query (signed URLs) are never rewritten to /upstream/ (mapUpstreamUri), so nothing the
 * Worker itself hands out needs one. A viewer's ?token= is stripped before this (index.ts).
 */
export function upstreamTarget(base: URL, rest: string): URL | null {
  const q = rest.indexOf("?");
  const path = q >= 0 ? rest.slice(0, q) : rest;
  if (path === "" || path.startsWith("/") || /[\\\u0000-\u001f\u007f]/.test(path)) return null;
  // Encoded dots and slashes could be decoded by the upstream into a traversal.
  if (/%2e|%2f|%5c/i.test(path)) return null;
  let t: URL;
  try {
    t = new URL(path, base);
  } catch {
    return null;
  }
  t.search = "";
  t.hash = "";
  return upstreamRelative(base, t) === null ? null : t;
}

/**
 * Maps a URI found in the playlist at `playlistUrl`. On the upstream, without a query and
 * with a proxied extension → "/upstream/…" (target set). Anything else → its absolute URL,
 * so a player resolving it against /upstream/… still reaches the same place (target null).
 * A URI with a query is left alone because the query may be what makes it work (a
 * signature, a selector) and upstreamTarget drops queries: proxying it would fetch the
 * wrong object or a 403.
 */
export function mapUpstreamUri(base: URL, playlistUrl: URL, uri: string): { uri: string; target: URL | null } {
  let abs: URL;
  try {
    abs = new URL(uri, playlistUrl);
  } catch {
    return { uri, target: null };
  }
  const rel = upstreamRelative(base, abs);
  if (rel === null || abs.search !== "" || !upstreamKind(abs.pathname)) return { uri: abs.href, target: null };
  abs.hash = "";
  return { uri: `/upstream/${rel}`, target: abs };
}
