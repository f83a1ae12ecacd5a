// HTTP Range header parsing for one resource of known size (RFC 9110 §14). Pure.
// We serve a single byte range as 206. Multi-range requests are answered with the full
// 200 body (RFC 9110 lets a server ignore Range; players never send multi-range, and
// multipart/byteranges is not worth the code). Malformed headers are ignored the same way.

export type RangeResult =
  | { kind: "full" }
  | { kind: "partial"; start: number; end: number } // inclusive end
  | { kind: "unsatisfiable" };

export function parseRange(header: string | null, size: number): RangeResult {
  if (header === null) return { kind: "full" };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return { kind: "full" }; // malformed or multi-range: ignore (RFC 9110 §14.2)
  const [, a = "", b = ""] = m;
  if (a === "" && b === "") return { kind: "full" };
  // Digits beyond 2^53 would lose precision; treat them as "huge", which still works.
  if (a === "") {
    const n = Number(b);
    if (n === 0) return { kind: "unsatisfiable" }; // "bytes=-0" selects nothing
    if (size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  if (start >= size) return { kind: "unsatisfiable" };
  let end = b === "" ? size - 1 : Number(b);
  if (end < start) return { kind: "full" }; // syntactically invalid: ignore
  if (end >= size) end = size - 1;
  return { kind: "partial", start, end };
}
