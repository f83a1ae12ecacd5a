// Reads a byte stream whole while counting it, and stops at a limit: the one reader for
// every body that comes from outside (uploads, reports, probes, upstream objects, claimed
// segments). The stream itself is always counted, because a length may be absent or lie;
// readRequestBounded also refuses a request up front whose Content-Length is malformed or
// over the limit, without reading it.
import type { Result } from "./result";

/**
 * Reads `body` into one buffer; refuses ("too-large") as soon as more than `limit` bytes came.
 * `keep` false: counts and drops every chunk, and the value is empty (a body only timed).
 */
export async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  onChunk?: (bytes: number) => void,
  keep = true,
): Promise<Result<Uint8Array<ArrayBuffer>, "too-large">> {
  if (!body) return { ok: true, value: new Uint8Array(0) };
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    onChunk?.(value.byteLength);
    if (total > limit) {
      // The rest is never read; a peer that already closed makes cancel reject, harmlessly.
      await reader.cancel().catch(() => {});
      return { ok: false, reason: "too-large" };
    }
    if (keep) chunks.push(value);
  }
  const bytes = new Uint8Array(keep ? total : 0);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { ok: true, value: bytes };
}

/**
 * A request's body, refused ("too-large") without a read when its Content-Length is malformed
 * or over `limit`, and otherwise counted as it comes (readBounded). Each route answers the
 * refusal itself (a 413 with its own words).
 */
export async function readRequestBounded(request: Request, limit: number, keep = true): Promise<Result<Uint8Array<ArrayBuffer>, "too-large">> {
  const declared = request.headers.get("content-length");
  if (declared !== null && (!/^\d{1,16}$/.test(declared) || Number(declared) > limit)) {
    await request.body?.cancel().catch(() => {});
    return { ok: false, reason: "too-large" };
  }
  return readBounded(request.body, limit, undefined, keep);
}
