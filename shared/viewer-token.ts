// Viewer tokens: the contract between a site's backend (which mints them), the page (which
// hands one to the client) and the Worker (which checks them when VIEWER_TOKEN_SECRET is set).
//
// A token is a compact JWT signed with HS256 (HMAC-SHA256). JWT rather than a format of our
// own because every backend language already has a library that mints it (jsonwebtoken,
// jose, PyJWT, firebase/php-jwt), so a site needs no EdgeSwarm code on its server; HS256
// because the Worker and the site share one secret and HMAC verifies in microseconds with
// WebCrypto. Only alg HS256 is accepted (never "none", never an RS/ES key confusion).
//
// Claims: `exp` (required, seconds since the epoch), `stream` (required: the stream or
// channel name the token opens, or "*" for every stream of the deployment), `origin`
// (optional: the only page origin the token works from), `nbf`/`iat` (optional, standard).
// The client carries it as `?token=` on every request to the Worker (tracker, playlists,
// segments, claims, reports); swarm identity and leases ignore the query.
// Pure: WebCrypto only, so the same code runs in the Worker, in Node and in the browser.

/** Query parameter that carries the token. */
export const TOKEN_PARAM = "token";
/** Longest token accepted: a handful of claims is ~250 characters. */
export const MAX_TOKEN_CHARS = 2048;
/** Clock skew tolerated between the minting server and the Worker. */
export const TOKEN_LEEWAY_S = 30;

export interface ViewerClaims {
  stream: string;
  exp: number;
  origin?: string;
  nbf?: number;
  iat?: number;
}

export type TokenCheck = { ok: true; claims: ViewerClaims } | { ok: false; status: 401 | 403; error: string };

const enc = new TextEncoder();

function b64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(s: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return null;
  try {
    const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function jsonOf(part: string): Record<string, unknown> | null {
  const bytes = fromB64url(part);
  if (!bytes) return null;
  try {
    const v: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function hmacKey(secret: string, use: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [use]);
}

/** Mints a token (for `npm run token`, tests, and as the reference for a site's backend). */
export async function mintViewerToken(secret: string, claims: ViewerClaims): Promise<string> {
  return mintSignedToken(secret, claims);
}

/** Mints an HS256 JWT with any claims (viewer tokens above; ingest tokens, worker/origin/auth.ts). */
export async function mintSignedToken(secret: string, claims: object): Promise<string> {
  const head = b64url(enc.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
  const body = b64url(enc.encode(JSON.stringify(claims)));
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), enc.encode(`${head}.${body}`)));
  return `${head}.${body}.${b64url(sig)}`;
}

export type SignedCheck = { ok: true; claims: Record<string, unknown> & { exp: number } } | { ok: false; status: 401; error: string };

/**
 * The checks every token of ours shares: shape, HS256 only, signature (constant-time, by
 * crypto.subtle.verify), `exp` and `nbf` with TOKEN_LEEWAY_S. The caller checks its own claims.
 * `label` names the token in errors ("viewer token", "ingest token").
 */
export async function verifySignedToken(secret: string, token: string | null, nowMs: number, label: string): Promise<SignedCheck> {
  if (!token) return { ok: false, status: 401, error: `${label} required` };
  if (token.length > MAX_TOKEN_CHARS) return { ok: false, status: 401, error: `${label} too long` };
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, status: 401, error: `${label} malformed` };
  const [h, b, s] = parts as [string, string, string];
  const head = jsonOf(h);
  if (!head || head.alg !== "HS256" || (head.typ !== undefined && head.typ !== "JWT"))
    return { ok: false, status: 401, error: `${label} must be an HS256 JWT` };
  const sig = fromB64url(s);
  if (!sig || sig.length !== 32) return { ok: false, status: 401, error: `${label} malformed` };
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), sig, enc.encode(`${h}.${b}`));
  if (!valid) return { ok: false, status: 401, error: `${label} signature does not match` };
  const c = jsonOf(b);
  if (!c) return { ok: false, status: 401, error: `${label} malformed` };
  const now = nowMs / 1000;
  if (!isTime(c.exp)) return { ok: false, status: 401, error: `${label} has no exp` };
  if (c.exp + TOKEN_LEEWAY_S <= now) return { ok: false, status: 401, error: `${label} expired` };
  if (c.nbf !== undefined && (!isTime(c.nbf) || c.nbf - TOKEN_LEEWAY_S > now)) return { ok: false, status: 401, error: `${label} not valid yet` };
  return { ok: true, claims: { ...c, exp: c.exp } };
}

const isTime = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;

/**
 * Checks a token: shape, signature (constant-time, by crypto.subtle.verify), expiry, the
 * stream it opens and, when it names one, the page origin. 401 for a missing, malformed,
 * tampered or expired token; 403 for a good token used on another stream or from another page.
 */
export async function checkViewerToken(
  secret: string,
  token: string | null,
  want: { stream: string; origin: string | null },
  nowMs: number,
  /** Skip the stream check (the caller compares claims.stream once it knows the stream). */
  anyStream = false,
): Promise<TokenCheck> {
  const v = await verifySignedToken(secret, token, nowMs, "viewer token");
  if (!v.ok) return v;
  const c = v.claims;
  if (typeof c.stream !== "string" || c.stream.length === 0) return { ok: false, status: 401, error: "viewer token has no stream" };
  if (c.origin !== undefined && typeof c.origin !== "string") return { ok: false, status: 401, error: "viewer token origin must be a string" };
  if (!anyStream && c.stream !== "*" && c.stream !== want.stream) return { ok: false, status: 403, error: "viewer token is for another stream" };
  if (c.origin !== undefined && c.origin !== want.origin) return { ok: false, status: 403, error: "viewer token is for another page origin" };
  const claims: ViewerClaims = { stream: c.stream, exp: c.exp };
  if (c.origin !== undefined) claims.origin = c.origin;
  return { ok: true, claims };
}
