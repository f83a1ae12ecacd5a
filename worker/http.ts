// Small HTTP helpers shared by every route: JSON replies, JSON errors, CORS, and the
// security headers every response gets (pages also a Content-Security-Policy).
// No routing and no storage here.
import { CLAIM_HEADER } from "../shared/claim";
import { HASH_HEADER } from "../shared/hash-tag";

/** A JSON response with no-store caching unless the caller says otherwise. */
export function json(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  if (!headers.has("content-type")) headers.set("content-type", "application/json; charset=utf-8");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(data), { ...init, headers });
}

/** Every refusal is `{ error }` with a 4xx/5xx status, so clients can show why. */
export function jsonError(status: number, error: string, headers?: HeadersInit): Response {
  return json({ error }, { status, headers });
}

/** Parses the CORS_ORIGINS var: "*" or a comma-separated allowlist of exact origins. */
export function parseAllowedOrigins(value: string | undefined): "*" | Set<string> {
  const v = (value ?? "*").trim();
  if (v === "" || v === "*") return "*";
  return new Set(
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** The Access-Control-Allow-Origin value for this request, or null when not allowed. */
export function allowedOrigin(request: Request, corsOrigins: string | undefined): string | null {
  const allowed = parseAllowedOrigins(corsOrigins);
  if (allowed === "*") return "*";
  const origin = request.headers.get("origin");
  return origin && allowed.has(origin) ? origin : null;
}

const EXPOSED = `content-length, content-range, accept-ranges, etag, ${HASH_HEADER}, ${CLAIM_HEADER}`;

/** Adds CORS headers to a response (a copy when the original is immutable). */
export function withCors(response: Response, request: Request, corsOrigins: string | undefined): Response {
  const origin = allowedOrigin(request, corsOrigins);
  if (!origin || response.status === 101) return response;
  const out = new Response(response.body, response);
  out.headers.set("access-control-allow-origin", origin);
  out.headers.set("access-control-expose-headers", EXPOSED);
  if (origin !== "*") out.headers.append("vary", "origin");
  return out;
}

/** Answers a CORS preflight (OPTIONS). */
export function preflight(request: Request, corsOrigins: string | undefined): Response {
  const origin = allowedOrigin(request, corsOrigins);
  if (!origin) return jsonError(403, "origin not allowed");
  const headers: Record<string, string> = {
    "access-control-allow-origin": origin,
    "access-control-allow-methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
    "access-control-allow-headers": "range, content-type, authorization",
    "access-control-max-age": "86400",
  };
  if (origin !== "*") headers.vary = "origin";
  return new Response(null, { status: 204, headers });
}

/**
 * Origins that may frame the Worker's pages and that the viewer page may load streams from,
 * from ALLOWED_ORIGINS. Only well-formed http(s) origins are used: the value is written into
 * a CSP header, where a stray ';' or space would add directives.
 */
export function embeddingOrigins(allowedOrigins: string | undefined): string[] {
  const parsed = parseAllowedOrigins(allowedOrigins);
  if (parsed === "*") return [];
  return [...parsed].filter((o) => /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(o));
}

/**
 * The Content-Security-Policy of the Worker's HTML pages (demo/index.html, demo/dashboard.html,
 * as built into dist/public). What they need, and nothing more:
 *   - scripts: their own module (/demo.js, /dashboard.js), which imports /edgeswarm.mjs and
 *     its extras: 'self'. No inline script, no eval;
 *   - styles: /styles.css and /uplot.css: 'self'. uPlot and the overlay set element.style
 *     (CSSOM, which CSP does not govern); no page sets a style attribute, so no
 *     'unsafe-inline' anywhere;
 *   - media-src blob: hls.js plays through MediaSource, whose URL is a blob:;
 *   - worker-src blob: hls.js runs its transmuxer in a Worker made from a blob: URL;
 *   - connect-src: playlists, segments, /api and the tracker WebSocket on this host (spelled
 *     out as ws(s)://host too: older Safari did not count WebSockets as 'self'), plus
 *     ALLOWED_ORIGINS, so `/?src=` plays streams of this Worker or of those origins only;
 *   - frame-ancestors: 'self' plus ALLOWED_ORIGINS, the sites allowed to embed.
 */
export function pageCsp(pageUrl: URL, allowedOrigins: string | undefined): string {
  const others = embeddingOrigins(allowedOrigins);
  const ws = `${pageUrl.protocol === "https:" ? "wss:" : "ws:"}//${pageUrl.host}`;
  const directives = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "media-src 'self' blob:",
    "worker-src 'self' blob:",
    ["connect-src 'self'", ws, ...others].join(" "),
    ["frame-ancestors 'self'", ...others].join(" "),
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ];
  return directives.join("; ");
}

/**
 * Adds the headers every response of the Worker carries: X-Content-Type-Options: nosniff (a
 * playlist or a JSON error is never run as script or HTML) and Referrer-Policy
 * strict-origin-when-cross-origin (no stream path or token query leaks to other sites), and
 * on HTML pages the Content-Security-Policy above. A WebSocket upgrade (101) is returned as
 * it is: it cannot be copied, and a browser reads no headers from it.
 */
export function withSecurityHeaders(response: Response, request: Request, allowedOrigins: string | undefined): Response {
  if (response.status === 101) return response;
  const out = new Response(response.body, response);
  out.headers.set("x-content-type-options", "nosniff");
  out.headers.set("referrer-policy", "strict-origin-when-cross-origin");
  if (/^text\/html\b/i.test(out.headers.get("content-type") ?? "")) {
    out.headers.set("content-security-policy", pageCsp(new URL(request.url), allowedOrigins));
  }
  return out;
}
