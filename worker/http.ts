// Small HTTP helpers shared by every route: JSON replies, JSON errors, CORS.
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
