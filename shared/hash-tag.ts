// How the Worker publishes each segment's SHA-256 and how a client reads it back: a
// `#EXT-X-EDGESWARM-SHA256:<hex>` line just before the segment's URI in a media playlist,
// and an `x-edgeswarm-sha256` header on the segment's own response. One writer and one
// reader for each, so the spelling cannot drift. Pure string logic.

/** The playlist tag's name (hls.js exposes unknown tags by name, without the '#'). */
export const HASH_TAG = "EXT-X-EDGESWARM-SHA256";
/** The segment response header carrying the same hex digest. */
export const HASH_HEADER = "x-edgeswarm-sha256";

const LINE_PREFIX = `#${HASH_TAG}:`;
const HEX_RE = /^[0-9a-f]{64}$/;

/** True for a lowercase hex SHA-256 digest, the only form the Worker writes. */
export function isSha256Hex(v: string): boolean {
  return HEX_RE.test(v);
}

/** The playlist line that publishes `hex` for the segment whose URI follows it. */
export function hashTagLine(hex: string): string {
  return LINE_PREFIX + hex;
}

/** True for any line that claims to be a hash tag, valid or not (incoming ones are dropped). */
export function isHashTagLine(line: string): boolean {
  return line.startsWith(LINE_PREFIX);
}

/** The digest of a hash tag line, or null when the line is not one or its value is malformed. */
export function readHashTagLine(line: string): string | null {
  return isHashTagLine(line) ? readHashTagValue(line.slice(LINE_PREFIX.length)) : null;
}

/** The digest of a tag's value (what follows the ':'), or null when malformed (uppercase too). */
export function readHashTagValue(value: string): string | null {
  const hex = value.trim();
  return isSha256Hex(hex) ? hex : null;
}
