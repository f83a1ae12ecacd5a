// The names both sides put in URLs and reports: a channel (= stream name = tracker swarm
// key = stats stream), a viewer id, and a media file name inside a stream. One rule each,
// written once; the Worker refuses what fails them and the client never sends it.
// Pure: no I/O.

/** Channel names are also R2 key prefixes and Durable Object names, so: short and url-safe. */
export const MAX_CHANNEL_CHARS = 64;
/** The rule as people read it, quoted in every error that refuses a name. */
export const CHANNEL_RULE = `[A-Za-z0-9_-]{1,${MAX_CHANNEL_CHARS}}`;
export const CHANNEL_RE = new RegExp(`^${CHANNEL_RULE}$`);

/** A channel, stream or swarm name: one charset for all three, so stats and swarms line up. */
export function isChannelName(v: string | null | undefined): v is string {
  return typeof v === "string" && CHANNEL_RE.test(v);
}

/** Viewer ids are random per page; 8..64 url-safe chars is enough entropy and cheap to key on. */
export const VIEWER_ID_RULE = "[A-Za-z0-9_-]{8,64}";
export const VIEWER_ID_RE = new RegExp(`^${VIEWER_ID_RULE}$`);

/** One path part (rendition folder or file name). Longer names are refused, not truncated. */
export const MAX_FILE_NAME_CHARS = 128;
/**
 * A path part: first char alphanumeric or '_'/'-' (no hidden files, no "." or ".."), then
 * url-safe chars and dots. Legit names never need escaping, so '%' never passes.
 */
export const FILE_NAME_RE = new RegExp(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,${MAX_FILE_NAME_CHARS - 1}}$`);

/** Media segment extensions a live rendition may list (MPEG-TS, fMP4 fragments, ADTS audio). */
export const SEGMENT_EXTENSIONS = ["ts", "m4s", "aac"] as const;

/** A segment file name in a live playlist: a path part ending in a segment extension. */
export function isSegmentFileName(v: string): boolean {
  if (!FILE_NAME_RE.test(v) || v.includes("..")) return false;
  const ext = v.slice(v.lastIndexOf(".") + 1);
  return v.lastIndexOf(".") > 0 && (SEGMENT_EXTENSIONS as readonly string[]).includes(ext);
}
