// How the Worker publishes each segment's SHA-256 and byte size, and how a client reads them
// back: (when the size is known) an `#EXT-X-EDGESWARM-BYTES:<decimal>` line, then a
// `#EXT-X-EDGESWARM-SHA256:<hex>` line directly before the segment's URI in a media playlist;
// and an `x-edgeswarm-sha256` header on the segment's own response. The size is a tag of its
// own so readers that predate it (old bundles, other players) still read the hash tag as
// before and skip the unknown one (RFC 8216 4.1); it goes first so the hash line stays
// the one directly before the URI, where line-by-line readers look for it. One writer and one reader for each, so the
// spelling cannot drift. Pure string logic.
import { MAX_PUBLISHED_SEGMENT_BYTES } from "./limits";

/** The playlist tag's name (hls.js exposes unknown tags by name, without the '#'). */
export const HASH_TAG = "EXT-X-EDGESWARM-SHA256";
/** The playlist tag publishing the segment's size in bytes (issue 14 M6: peers may lie about it). */
export const SIZE_TAG = "EXT-X-EDGESWARM-BYTES";
/** The segment response header carrying the same hex digest. */
export const HASH_HEADER = "x-edgeswarm-sha256";

const LINE_PREFIX = `#${HASH_TAG}:`;
const SIZE_PREFIX = `#${SIZE_TAG}:`;
const HEX_RE = /^[0-9a-f]{64}$/;
// Decimal, no sign, no leading zero, at most 9 digits (the bound is far below 10^9).
const SIZE_RE = /^[1-9][0-9]{0,8}$/;

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

/** The playlist lines that publish a segment's size (when known and valid), then its hash. */
export function hashTagLines(hex: string, bytes?: number): string[] {
  return bytes !== undefined && isSegmentSize(bytes) ? [SIZE_PREFIX + String(bytes), hashTagLine(hex)] : [hashTagLine(hex)];
}

/** True for a size the Worker may publish: a whole number of bytes, 1 to MAX_PUBLISHED_SEGMENT_BYTES. */
export function isSegmentSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1 && n <= MAX_PUBLISHED_SEGMENT_BYTES;
}

/** True for any line that is one of the Worker's own tags, valid or not (incoming ones are dropped). */
export function isEdgeSwarmTagLine(line: string): boolean {
  return line.startsWith(LINE_PREFIX) || line.startsWith(SIZE_PREFIX);
}

/** The size of a size tag line, or null when the line is not one or its value is malformed. */
export function readSizeTagLine(line: string): number | null {
  return line.startsWith(SIZE_PREFIX) ? readSizeTagValue(line.slice(SIZE_PREFIX.length)) : null;
}

/** The size in a tag's value (what follows the ':'), or null when malformed or out of bounds. */
export function readSizeTagValue(value: string): number | null {
  const v = value.trim();
  if (!SIZE_RE.test(v)) return null;
  const n = Number(v);
  return isSegmentSize(n) ? n : null;
}
