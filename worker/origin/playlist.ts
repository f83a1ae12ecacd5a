// HLS playlist parsing and rendering (RFC 8216) with EdgeSwarm hash tags. Pure: no I/O.
// parse → { ok, playlist } | { ok: false, reason }. Media playlists become a header plus
// segments (each with its own tags); master playlists keep their lines plus the positions
// of every URI (variant lines and URI="..." attributes) so they can be rewritten.
// Incoming #EXT-X-EDGESWARM-SHA256 and -BYTES lines are always dropped: hashes and sizes
// come only from the Worker, never from whoever sent the playlist.
import { hashTagLines, isEdgeSwarmTagLine } from "../../shared/hash-tag";
import { MAX_MASTER_ENTRIES, MAX_PLAYLIST_BYTES, MAX_PLAYLIST_SEGMENTS } from "./limits";

const MAX_LINE_CHARS = 4096;

export interface MediaSegment {
  uri: string;
  duration: number;
  /** The EXTINF title after the comma (usually empty). */
  title: string;
  discontinuity: boolean;
  /** Other tags that precede this segment (PROGRAM-DATE-TIME, KEY, MAP, BYTERANGE, …), in order. */
  tags: string[];
}

export interface MediaPlaylist {
  kind: "media";
  /** Header tags we do not re-derive (VERSION, INDEPENDENT-SEGMENTS, PLAYLIST-TYPE, …). */
  header: string[];
  targetDuration: number;
  mediaSequence: number;
  discontinuitySequence: number;
  segments: MediaSegment[];
  endList: boolean;
  /** Tags after the last segment other than ENDLIST (rare). */
  trailer: string[];
}

export interface MasterPlaylist {
  kind: "master";
  lines: string[];
  /** Indexes into `lines` of variant URI lines. */
  variantLines: number[];
  /** Indexes into `lines` of tags with a URI="..." attribute. */
  attrLines: number[];
}

export type Playlist = MediaPlaylist | MasterPlaylist;
export type ParseResult = { ok: true; playlist: Playlist } | { ok: false; reason: string };

const MASTER_TAGS = /^#EXT-X-(STREAM-INF|MEDIA|I-FRAME-STREAM-INF|SESSION-DATA|SESSION-KEY|CONTENT-STEERING):/;
const URI_ATTR = /URI="([^"]*)"/;

export function parsePlaylist(text: string): ParseResult {
  if (text.length > MAX_PLAYLIST_BYTES) return { ok: false, reason: "playlist too large" };
  const lines = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  if (lines[0] !== "#EXTM3U") return { ok: false, reason: "not an m3u8 playlist (missing #EXTM3U)" };
  for (const l of lines) {
    if (l.length > MAX_LINE_CHARS) return { ok: false, reason: "line too long" };
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(l)) return { ok: false, reason: "control characters in playlist" };
  }
  const isMaster = lines.some((l) => MASTER_TAGS.test(l));
  const isMedia = lines.some((l) => l.startsWith("#EXTINF:"));
  if (isMaster && isMedia) return { ok: false, reason: "playlist mixes master and media tags" };
  return isMaster ? parseMaster(lines) : parseMedia(lines);
}

function parseMaster(lines: string[]): ParseResult {
  const out: MasterPlaylist = { kind: "master", lines: [], variantLines: [], attrLines: [] };
  let expectUri = false;
  for (const l of lines) {
    if (isEdgeSwarmTagLine(l)) continue;
    if (l.startsWith("#")) {
      if (expectUri && l.startsWith("#EXT-X-STREAM-INF:")) return { ok: false, reason: "EXT-X-STREAM-INF without a URI" };
      if (l.startsWith("#EXT-X-STREAM-INF:")) expectUri = true;
      else if (URI_ATTR.test(l)) out.attrLines.push(out.lines.length);
      out.lines.push(l);
      continue;
    }
    if (!expectUri) return { ok: false, reason: "URI line without EXT-X-STREAM-INF" };
    expectUri = false;
    out.variantLines.push(out.lines.length);
    out.lines.push(l);
  }
  if (expectUri) return { ok: false, reason: "EXT-X-STREAM-INF without a URI" };
  if (out.variantLines.length + out.attrLines.length > MAX_MASTER_ENTRIES) return { ok: false, reason: "too many variants" };
  if (out.variantLines.length === 0) return { ok: false, reason: "master playlist has no variants" };
  return { ok: true, playlist: out };
}

function intTag(l: string, tag: string): number | null {
  const v = l.slice(tag.length);
  return /^\d{1,15}$/.test(v) ? Number(v) : null;
}

function parseMedia(lines: string[]): ParseResult {
  const p: MediaPlaylist = {
    kind: "media",
    header: [],
    targetDuration: 0,
    mediaSequence: 0,
    discontinuitySequence: 0,
    segments: [],
    endList: false,
    trailer: [],
  };
  let pending: string[] = [];
  let extinf: { duration: number; title: string } | null = null;
  let discontinuity = false;
  for (const l of lines.slice(1)) {
    if (l.startsWith("#EXT-X-TARGETDURATION:")) {
      const v = intTag(l, "#EXT-X-TARGETDURATION:");
      if (v === null) return { ok: false, reason: "bad EXT-X-TARGETDURATION" };
      p.targetDuration = v;
    } else if (l.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
      const v = intTag(l, "#EXT-X-MEDIA-SEQUENCE:");
      if (v === null) return { ok: false, reason: "bad EXT-X-MEDIA-SEQUENCE" };
      p.mediaSequence = v;
    } else if (l.startsWith("#EXT-X-DISCONTINUITY-SEQUENCE:")) {
      const v = intTag(l, "#EXT-X-DISCONTINUITY-SEQUENCE:");
      if (v === null) return { ok: false, reason: "bad EXT-X-DISCONTINUITY-SEQUENCE" };
      p.discontinuitySequence = v;
    } else if (l === "#EXT-X-ENDLIST") {
      p.endList = true;
    } else if (l === "#EXT-X-DISCONTINUITY") {
      discontinuity = true;
    } else if (l.startsWith("#EXTINF:")) {
      const m = /^#EXTINF:(\d{1,6}(?:\.\d{1,9})?)\s*(?:,(.*))?$/.exec(l);
      if (!m) return { ok: false, reason: "bad EXTINF" };
      extinf = { duration: Number(m[1]), title: m[2] ?? "" };
    } else if (isEdgeSwarmTagLine(l)) {
      // dropped: see header
    } else if (l.startsWith("#")) {
      // Before the first segment, tags like VERSION belong to the header; per-segment
      // tags (KEY, MAP, PROGRAM-DATE-TIME, BYTERANGE, GAP) stay with their segment.
      const perSegment = /^#EXT-X-(KEY|MAP|PROGRAM-DATE-TIME|BYTERANGE|GAP|BITRATE|DATERANGE|CUE)/.test(l) || extinf !== null || discontinuity;
      if (l.startsWith("#EXT") && (perSegment || p.segments.length > 0)) pending.push(l);
      else if (l.startsWith("#EXT")) p.header.push(l);
      // plain comments are dropped
    } else {
      if (!extinf) return { ok: false, reason: `segment URI without EXTINF: ${l.slice(0, 60)}` };
      if (p.segments.length >= MAX_PLAYLIST_SEGMENTS) return { ok: false, reason: "too many segments" };
      p.segments.push({ uri: l, duration: extinf.duration, title: extinf.title, discontinuity, tags: pending });
      pending = [];
      extinf = null;
      discontinuity = false;
    }
  }
  if (extinf) return { ok: false, reason: "EXTINF without a segment URI" };
  p.trailer = pending;
  return { ok: true, playlist: p };
}

export interface RenderOptions {
  /** Hash of a segment (by its original URI), or undefined when unknown. */
  hashOf?: (seg: MediaSegment) => string | undefined;
  /** Byte size of a segment whose hash is published, or undefined when unknown (then no size tag). */
  sizeOf?: (seg: MediaSegment) => number | undefined;
  /** New URI for a segment or a URI="..." attribute (by its original URI). */
  mapUri?: (uri: string) => string;
}

const fmtDuration = (d: number) => (Number.isInteger(d) ? d.toFixed(1) : String(d));

/** Renders a media playlist; the hash (and size) tags go directly before each known segment's URI line. */
export function renderMedia(p: MediaPlaylist, opts: RenderOptions = {}): string {
  const map = opts.mapUri ?? ((u: string) => u);
  const mapAttr = (l: string) => l.replace(URI_ATTR, (_m, u: string) => `URI="${map(u)}"`);
  const target = Math.max(p.targetDuration, ...p.segments.map((s) => Math.ceil(s.duration - 1e-6)));
  const out = ["#EXTM3U", ...p.header, `#EXT-X-TARGETDURATION:${target}`, `#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`];
  if (p.discontinuitySequence > 0) out.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
  for (const s of p.segments) {
    if (s.discontinuity) out.push("#EXT-X-DISCONTINUITY");
    for (const t of s.tags) out.push(mapAttr(t));
    out.push(`#EXTINF:${fmtDuration(s.duration)},${s.title}`);
    const h = opts.hashOf?.(s);
    if (h) out.push(...hashTagLines(h, opts.sizeOf?.(s)));
    out.push(map(s.uri));
  }
  out.push(...p.trailer.map(mapAttr));
  if (p.endList) out.push("#EXT-X-ENDLIST");
  return out.join("\n") + "\n";
}

/** Every URI a master playlist references (variant playlists and URI attributes). */
export function masterUris(p: MasterPlaylist): string[] {
  const uris = p.variantLines.map((i) => p.lines[i]!);
  for (const i of p.attrLines) {
    const m = URI_ATTR.exec(p.lines[i]!);
    if (m) uris.push(m[1]!);
  }
  return uris;
}

export function renderMaster(p: MasterPlaylist, mapUri: (uri: string) => string = (u) => u): string {
  const lines = p.lines.slice();
  for (const i of p.variantLines) lines[i] = mapUri(lines[i]!);
  for (const i of p.attrLines) lines[i] = lines[i]!.replace(URI_ATTR, (_m, u: string) => `URI="${mapUri(u)}"`);
  return lines.join("\n") + "\n";
}
