// The tags a live media playlist may carry through the Worker: an allowlist, not a
// denylist. A live playlist is whatever an encoder (or anyone holding the ingest token)
// PUTs, and the Worker serves it under its own domain, so a tag the player would act on
// must be one we understand: EXT-X-KEY pointing at another host, EXT-X-MAP:URI="javascript:…",
// EXT-X-DATERANGE or an unknown vendor tag are dropped, never passed on.
// Kept: what HLS live needs (RFC 8216 §4.3) and the Worker's own hash tag.
//   - re-derived by playlist.ts/live-index.ts, never copied: EXTM3U, EXT-X-TARGETDURATION,
//     EXT-X-MEDIA-SEQUENCE, EXT-X-DISCONTINUITY-SEQUENCE, EXTINF, EXT-X-DISCONTINUITY,
//     EXT-X-ENDLIST, and #EXT-X-EDGESWARM-SHA256 and -BYTES (shared/hash-tag.ts; incoming ones are
//     dropped at parse, the Worker writes its own);
//   - copied, after their value is checked and the line rebuilt from it: EXT-X-VERSION,
//     EXT-X-INDEPENDENT-SEGMENTS, EXT-X-PROGRAM-DATE-TIME, and EXT-X-MAP whose URI is a
//     relative name inside the stream (names.ts resolveRelative; no other attribute, as
//     byte ranges are not supported at ingest).
// A live master playlist keeps EXTM3U, EXT-X-VERSION, EXT-X-INDEPENDENT-SEGMENTS and the
// variant tags (EXT-X-STREAM-INF, EXT-X-I-FRAME-STREAM-INF, EXT-X-MEDIA; every URI in them is
// checked to be relative by ingest.ts); EXT-X-SESSION-DATA, EXT-X-SESSION-KEY,
// EXT-X-CONTENT-STEERING, EXT-X-START and unknown tags are dropped.
// Pure: strings in, strings out. It does not decide the window (live-index.ts) or store.
import { readHashTagLine, readSizeTagLine } from "../../shared/hash-tag";
import { resolveRelative } from "./names";
import type { MasterPlaylist, MediaPlaylist } from "./playlist";

/** Tags whose value the parser turns into fields and the renderer writes back itself. */
const DERIVED: readonly RegExp[] = [
  /^#EXTM3U$/,
  /^#EXT-X-TARGETDURATION:\d{1,15}$/,
  /^#EXT-X-MEDIA-SEQUENCE:\d{1,15}$/,
  /^#EXT-X-DISCONTINUITY-SEQUENCE:\d{1,15}$/,
  /^#EXTINF:\d{1,6}(\.\d{1,9})?,.*$/,
  /^#EXT-X-DISCONTINUITY$/,
  /^#EXT-X-ENDLIST$/,
];

// ISO 8601 / RFC 3339 date-time as RFC 8216 §4.3.2.6 requires, with a zone.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

/** Playlist-wide tags go in the header (before the first segment); the rest precede a segment. */
export type TagPlace = "header" | "segment";

/**
 * The line to keep for a copied tag of a live playlist at `playlistPath`, rebuilt from its
 * checked value, or null to drop it (also when it stands in the wrong place).
 */
export function keptLiveTag(line: string, playlistPath: string, place: TagPlace): string | null {
  const colon = line.indexOf(":");
  const name = colon < 0 ? line : line.slice(0, colon);
  const value = colon < 0 ? null : line.slice(colon + 1).trim();
  if (place === "header") {
    if (name === "#EXT-X-VERSION") return value !== null && /^\d{1,2}$/.test(value) ? `${name}:${Number(value)}` : null;
    if (name === "#EXT-X-INDEPENDENT-SEGMENTS") return value === null ? name : null;
    return null;
  }
  switch (name) {
    case "#EXT-X-PROGRAM-DATE-TIME":
      return value !== null && DATE_TIME.test(value) && Number.isFinite(Date.parse(value)) ? `${name}:${value}` : null;
    case "#EXT-X-MAP": {
      const m = value === null ? null : /^URI="([^"]*)"$/.exec(value);
      if (!m) return null;
      const target = resolveRelative(playlistPath, m[1]!);
      return target.ok && target.value.kind !== "playlist" ? `${name}:URI="${m[1]!}"` : null;
    }
    default:
      return null;
  }
}

/** True for any line a served live playlist may hold: a URI line, or an allowed tag. */
export function liveLineAllowed(line: string, playlistPath: string): boolean {
  if (!line.startsWith("#")) return line.length > 0;
  if (DERIVED.some((re) => re.test(line))) return true;
  if (readHashTagLine(line) !== null || readSizeTagLine(line) !== null) return true;
  return keptLiveTag(line, playlistPath, "header") === line || keptLiveTag(line, playlistPath, "segment") === line;
}

const keepAll = (tags: readonly string[], playlistPath: string, place: TagPlace): string[] => tags.flatMap((t) => keptLiveTag(t, playlistPath, place) ?? []);

/**
 * The playlist with only allowed tags in its header and before each segment, and none
 * after the last one. Idempotent, so it is safe to apply again to what an older index stored.
 */
export function liveTagsOnly(p: MediaPlaylist, playlistPath: string): MediaPlaylist {
  return {
    ...p,
    header: keepAll(p.header, playlistPath, "header"),
    segments: p.segments.map((s) => ({ ...s, tags: keepAll(s.tags, playlistPath, "segment") })),
    // Tags after the last segment belong to one that has not come yet; its playlist brings them.
    trailer: [],
  };
}

const MASTER_KEPT = /^#(EXTM3U|EXT-X-INDEPENDENT-SEGMENTS|EXT-X-VERSION:\d{1,2}|EXT-X-(STREAM-INF|I-FRAME-STREAM-INF|MEDIA):.*)$/;

/** A live master playlist with only the allowed tags (variant URI lines are all kept). */
export function liveMasterTagsOnly(p: MasterPlaylist): MasterPlaylist {
  const variants = new Set(p.variantLines);
  const attrs = new Set(p.attrLines);
  const out: MasterPlaylist = { kind: "master", lines: [], variantLines: [], attrLines: [] };
  p.lines.forEach((line, i) => {
    if (variants.has(i)) out.variantLines.push(out.lines.length);
    else if (!MASTER_KEPT.test(line)) return;
    else if (attrs.has(i)) out.attrLines.push(out.lines.length);
    out.lines.push(line);
  });
  return out;
}
