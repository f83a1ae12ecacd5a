// Turns a stored resource (bytes from R2, assets or the edge cache) into the right HTTP
// response: GET/HEAD, ETag + If-None-Match → 304, If-Range, single Range → 206, 416 with
// "Content-Range: bytes */size", Content-Type, Cache-Control and x-edgeswarm-sha256.
// It does not decide what a resource is or where it lives (router.ts does).
import { HASH_HEADER } from "../../shared/hash-tag";
import { jsonError } from "../http";
import { parseRange } from "./ranges";

export interface Resource {
  size: number;
  type: string;
  /** Quoted strong ETag, e.g. "\"<sha256>\"". */
  etag: string;
  cacheControl: string;
  sha256?: string;
  /** Reads the whole body, or [offset, offset+length); null if it is gone. */
  read(range?: { offset: number; length: number }): Promise<BodyInit | null>;
}

function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === "*") return true;
  // Weak comparison for If-None-Match (RFC 9110 §13.1.2): W/ prefixes are ignored.
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === bare);
}

export async function respond(request: Request, res: Resource): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return jsonError(405, "method not allowed", { allow: "GET, HEAD" });
  }
  const headers = new Headers({
    "content-type": res.type,
    "cache-control": res.cacheControl,
    etag: res.etag,
    "accept-ranges": "bytes",
  });
  if (res.sha256) headers.set(HASH_HEADER, res.sha256);
  const inm = request.headers.get("if-none-match");
  if (inm !== null && etagMatches(inm, res.etag)) return new Response(null, { status: 304, headers });

  let range = parseRange(request.headers.get("range"), res.size);
  // If-Range with a different validator: the client's partial copy is stale, send it all.
  const ifRange = request.headers.get("if-range");
  if (ifRange !== null && range.kind !== "full" && ifRange.trim() !== res.etag) range = { kind: "full" };

  if (range.kind === "unsatisfiable") {
    headers.set("content-range", `bytes */${res.size}`);
    headers.set("content-type", "application/json; charset=utf-8");
    headers.delete(HASH_HEADER);
    return new Response(JSON.stringify({ error: "range not satisfiable" }), { status: 416, headers });
  }
  const head = request.method === "HEAD";
  if (range.kind === "partial") {
    const length = range.end - range.start + 1;
    headers.set("content-range", `bytes ${range.start}-${range.end}/${res.size}`);
    headers.set("content-length", String(length));
    const body = head ? null : await res.read({ offset: range.start, length });
    if (!head && body === null) return gone();
    return new Response(body, { status: 206, headers });
  }
  headers.set("content-length", String(res.size));
  const body = head ? null : await res.read();
  if (!head && body === null) return gone();
  return new Response(body, { status: 200, headers });
}

/** The object vanished between metadata and body (a live segment leaving the DVR window). */
const gone = () => jsonError(404, "no such file (it just left the live window)");

/** A Resource over bytes already in memory (assets, cache). */
export function bytesResource(bytes: ArrayBuffer, meta: Omit<Resource, "size" | "read">): Resource {
  return {
    ...meta,
    size: bytes.byteLength,
    read: async (r) => (r ? bytes.slice(r.offset, r.offset + r.length) : bytes),
  };
}
