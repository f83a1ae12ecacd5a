// The page's viewer token on the client's requests (shared/viewer-token.ts is the contract):
// the one function that puts `?token=` on a URL, and the check of what a page may pass as a
// token. Only URLs on the Worker's origin get it (a ws:/wss: tracker counts as the Worker's
// when its host matches), so a page's own tracker, report endpoint or CDN never sees it.
// Pure: strings, URL and Request only. Where each request path calls it is in docs/client.md.
import { MAX_TOKEN_CHARS, TOKEN_PARAM } from "../shared/viewer-token";

/** A compact JWT is three base64url parts joined by dots: nothing to escape in a query. */
const TOKEN_RE = /^[A-Za-z0-9._-]+$/;

/** Whether `t` may be sent as a viewer token (the Worker checks the rest). */
export function isTokenShaped(t: unknown): t is string {
  return typeof t === "string" && t.length <= MAX_TOKEN_CHARS && TOKEN_RE.test(t);
}

/**
 * `url` with `?token=<token>` set (replacing one already there, keeping every other
 * parameter) when it points at the Worker at `workerOrigin`; unchanged otherwise, and when
 * there is no token or `url` does not parse.
 */
export function withToken(url: string, token: string | null | undefined, workerOrigin: string): string {
  if (!token) return url;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  // The tracker is the same Worker over WebSocket: wss://host is https://host's.
  const web = u.protocol === "wss:" ? "https:" : u.protocol === "ws:" ? "http:" : u.protocol;
  if (`${web}//${u.host}` !== workerOrigin) return url;
  u.searchParams.set(TOKEN_PARAM, token);
  return u.href;
}

/**
 * The request p2p-media-loader-core builds for a segment when its httpRequestSetup returns
 * nothing (core http-loader.ts: Range from the requested byte range, the core's abort
 * signal), sent to `url`: the segment's URL with the token on it.
 */
export function segmentRequest(url: string, range: { start: number; end?: number } | undefined, signal: AbortSignal): Request {
  return new Request(url, { headers: range ? { Range: `bytes=${range.start}-${range.end ?? ""}` } : {}, signal });
}
