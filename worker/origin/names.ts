// Validation of stream names and file paths that arrive in URLs. Pure: no I/O.
// Everything a client can put in a path is checked here before it becomes an R2 key
// or an asset path. Legit names never need escaping, so any '%' is refused outright:
// that closes %2e%2e, %2f, %5c and %00 tricks without decoding anything.
import { CHANNEL_RE, CHANNEL_RULE, FILE_NAME_RE, MAX_FILE_NAME_CHARS } from "../../shared/names";
import type { Result } from "../../shared/result";
import { MAX_PATH_DEPTH } from "./limits";
import type { MediaPlaylist } from "./playlist";

export type FileKind = "playlist" | "segment" | "init" | "subtitle";

/** Extension → content type and kind. Anything else is refused (400). */
export const EXTENSIONS: Record<string, { type: string; kind: FileKind }> = {
  m3u8: { type: "application/vnd.apple.mpegurl", kind: "playlist" },
  ts: { type: "video/mp2t", kind: "segment" },
  m4s: { type: "video/mp4", kind: "segment" },
  mp4: { type: "video/mp4", kind: "init" },
  aac: { type: "audio/aac", kind: "segment" },
  m4a: { type: "audio/mp4", kind: "segment" },
  vtt: { type: "text/vtt; charset=utf-8", kind: "subtitle" },
};

export type NameResult<T> = Result<T>;

export function parseStreamName(raw: string): NameResult<string> {
  if (!CHANNEL_RE.test(raw)) return { ok: false, reason: `bad stream name (want ${CHANNEL_RULE})` };
  return { ok: true, value: raw };
}

export interface FilePath {
  /** "rendition/file.ts" or "file.ts", exactly as validated. */
  path: string;
  ext: string;
  type: string;
  kind: FileKind;
}

/** Checks a path under a stream ("a.ts" or "720p/a.ts"); returns its type. */
export function parseFilePath(raw: string): NameResult<FilePath> {
  if (raw.length === 0) return { ok: false, reason: "missing file name" };
  // Before splitting: reject encodings, backslashes and control chars anywhere.
  if (/[%\\\u0000-\u001f\u007f]/.test(raw)) return { ok: false, reason: "bad characters in path" };
  const parts = raw.split("/");
  if (parts.length > MAX_PATH_DEPTH) return { ok: false, reason: `path too deep (at most ${MAX_PATH_DEPTH} parts)` };
  for (const p of parts) {
    if (p.length > MAX_FILE_NAME_CHARS) return { ok: false, reason: "name too long" };
    if (!FILE_NAME_RE.test(p) || p.includes("..")) return { ok: false, reason: "bad file name" };
  }
  const file = parts[parts.length - 1]!;
  const dot = file.lastIndexOf(".");
  const ext = dot > 0 ? file.slice(dot + 1).toLowerCase() : "";
  const info = EXTENSIONS[ext];
  if (!info) return { ok: false, reason: "unsupported file extension" };
  return { ok: true, value: { path: raw, ext, type: info.type, kind: info.kind } };
}

/** Content type for a file name by extension (upstream responses), or octet-stream. */
export function contentTypeFor(name: string): string {
  const m = /\.([A-Za-z0-9]+)$/.exec(name);
  return (m && EXTENSIONS[m[1]!.toLowerCase()]?.type) || "application/octet-stream";
}

/** Resolves a playlist-relative URI to a stream path ("sub/x.ts" from "sub/index.m3u8"). */
export function resolveRelative(playlistPath: string, uri: string): NameResult<FilePath> {
  // Absolute URLs, rooted paths and queries cannot point inside this stream's folder.
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith("/") || uri.includes("?") || uri.includes("#")) {
    return { ok: false, reason: `segment URI must be relative to the playlist: ${uri.slice(0, 80)}` };
  }
  const slash = playlistPath.lastIndexOf("/");
  const dir = slash >= 0 ? playlistPath.slice(0, slash + 1) : "";
  return parseFilePath(dir + uri);
}

/** Where each segment of a media playlist at `fp` is stored: its URI resolved against the playlist. */
export function segmentPaths(fp: FilePath, p: MediaPlaylist): { ok: true; paths: Map<string, string> } | { ok: false; reason: string } {
  const paths = new Map<string, string>();
  for (const s of p.segments) {
    if (s.tags.some((t) => t.startsWith("#EXT-X-BYTERANGE"))) return { ok: false, reason: "byte-range segments are not supported at ingest" };
    const r = resolveRelative(fp.path, s.uri);
    if (!r.ok) return r;
    if (r.value.kind === "playlist") return { ok: false, reason: "a segment cannot be a playlist" };
    paths.set(s.uri, r.value.path);
  }
  return { ok: true, paths };
}
