// Compares a secret a request presented with the configured one without a timing signal:
// both sides are hashed to 32 bytes first, so neither length nor a shared prefix shows in
// how long the comparison takes. Used by ingest auth and the admin gate alike, which also
// read the Bearer header the same way (bearerToken).

async function digest(s: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
}

/** True when `given` equals `expected`; false when either is missing or empty. */
export async function secretMatches(given: string | null | undefined, expected: string | null | undefined): Promise<boolean> {
  if (!expected || given === null || given === undefined) return false;
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  // workerd provides timingSafeEqual on SubtleCrypto; fall back to a manual xor loop.
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (x: ArrayBuffer, y: ArrayBuffer) => boolean };
  if (typeof subtle.timingSafeEqual === "function") return subtle.timingSafeEqual(a, b);
  const x = new Uint8Array(a),
    y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

/** The token of an `Authorization: Bearer <token>` header (at most 2048 visible characters: a per-stream ingest JWT is ~200), or null. */
export function bearerToken(request: Request): string | null {
  const auth = request.headers.get("authorization");
  const m = auth ? /^Bearer\s+(\S{1,2048})\s*$/i.exec(auth) : null;
  return m ? m[1]! : null;
}
