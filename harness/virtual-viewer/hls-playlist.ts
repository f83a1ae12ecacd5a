// HLS playlist parsing for virtual viewers: master playlists (variants) and media playlists
// (segments with their EdgeSwarm SHA-256 tags), plus the timeline a player builds from
// successive live refreshes. Pure: text in, `{ ok, ... } | { ok: false, reason }` out; no
// fetching. It covers what the swarm bench needs (TS or fMP4 media segments, byte ranges,
// discontinuities, the hash tag contract); not alternate audio/subtitle renditions, keys,
// partial segments or delta updates.
import { isHashTagLine, readHashTagLine } from "../../shared/hash-tag";

export interface Variant {
  uri: string; // absolute
  bandwidth: number; // BANDWIDTH (peak), what p2p-media-loader-hlsjs keys the swarm on
  averageBandwidth?: number;
  width?: number;
  height?: number;
  videoCodec?: string;
  frameRate?: string;
  videoRange?: string;
}

export interface MediaSegment {
  sn: number; // media sequence number: the externalId peers use for live streams
  uri: string; // absolute
  duration: number;
  byteRange?: { start: number; end: number }; // inclusive, as p2p-media-loader's ByteRange
  sha256?: string; // from #EXT-X-EDGESWARM-SHA256, lowercase hex
  discontinuity: boolean;
}

export interface MediaPlaylist {
  targetDuration: number;
  mediaSequence: number;
  endList: boolean;
  initUri?: string; // EXT-X-MAP
  segments: MediaSegment[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

// Bounds for hostile or broken origins: a real media playlist is a few KB.
export const MAX_PLAYLIST_CHARS = 2_000_000;
export const MAX_SEGMENTS = 20_000;

const VIDEO_CODEC = /^(avc1|avc3|hvc1|hev1|av01|vp09|vp8|vp9|mp4v|dvh1|dvhe)\b/i;

/** Attribute list parser (RFC 8216 §4.2): KEY=value, KEY="quoted, with commas". */
export function parseAttributes(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Z0-9-]+)=("([^"]*)"|[^,]*)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const key = m[1] ?? "";
    out[key] = m[3] ?? m[2] ?? "";
  }
  return out;
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

function resolveUri(uri: string, base: string): string | undefined {
  try {
    return new URL(uri, base).href;
  } catch {
    return undefined;
  }
}

export function parseMasterPlaylist(text: string, baseUrl: string): Parsed<Variant[]> {
  if (text.length > MAX_PLAYLIST_CHARS) return { ok: false, reason: "playlist too large" };
  const ls = lines(text);
  if (ls[0] !== "#EXTM3U") return { ok: false, reason: "missing #EXTM3U header" };
  const variants: Variant[] = [];
  for (let i = 1; i < ls.length; i++) {
    const line = ls[i] ?? "";
    if (!line.startsWith("#EXT-X-STREAM-INF:")) continue;
    const a = parseAttributes(line.slice("#EXT-X-STREAM-INF:".length));
    const bandwidth = Number(a.BANDWIDTH);
    if (!Number.isFinite(bandwidth) || bandwidth <= 0) return { ok: false, reason: `bad BANDWIDTH at line ${i + 1}` };
    const next = ls[i + 1];
    if (!next || next.startsWith("#")) return { ok: false, reason: `no URI after EXT-X-STREAM-INF at line ${i + 1}` };
    const uri = resolveUri(next, baseUrl);
    if (!uri) return { ok: false, reason: `bad variant URI at line ${i + 2}` };
    const v: Variant = { uri, bandwidth };
    const avg = Number(a["AVERAGE-BANDWIDTH"]);
    if (Number.isFinite(avg) && avg > 0) v.averageBandwidth = avg;
    const res = /^(\d+)x(\d+)$/.exec(a.RESOLUTION ?? "");
    if (res) {
      v.width = Number(res[1]);
      v.height = Number(res[2]);
    }
    const vc = (a.CODECS ?? "")
      .split(",")
      .map((c) => c.trim())
      .find((c) => VIDEO_CODEC.test(c));
    if (vc) v.videoCodec = vc;
    if (a["FRAME-RATE"]) v.frameRate = a["FRAME-RATE"];
    if (a["VIDEO-RANGE"]) v.videoRange = a["VIDEO-RANGE"];
    variants.push(v);
    i++;
  }
  if (variants.length === 0) return { ok: false, reason: "no variants in master playlist" };
  return { ok: true, value: variants };
}

export function parseMediaPlaylist(text: string, baseUrl: string): Parsed<MediaPlaylist> {
  if (text.length > MAX_PLAYLIST_CHARS) return { ok: false, reason: "playlist too large" };
  const ls = lines(text);
  if (ls[0] !== "#EXTM3U") return { ok: false, reason: "missing #EXTM3U header" };
  let targetDuration = NaN;
  let mediaSequence = 0;
  let endList = false;
  let initUri: string | undefined;
  const segments: MediaSegment[] = [];
  let duration: number | undefined;
  let sha: string | undefined;
  let range: { start: number; end: number } | undefined;
  let discontinuity = false;
  let prevRangeEnd: number | undefined; // EXT-X-BYTERANGE without @offset continues the last one
  for (let i = 1; i < ls.length; i++) {
    const line = ls[i] ?? "";
    if (line.startsWith("#EXT-X-TARGETDURATION:")) {
      targetDuration = Number(line.slice(22));
    } else if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
      mediaSequence = Number(line.slice(22));
      if (!Number.isSafeInteger(mediaSequence) || mediaSequence < 0) return { ok: false, reason: "bad EXT-X-MEDIA-SEQUENCE" };
    } else if (line === "#EXT-X-ENDLIST") {
      endList = true;
    } else if (line === "#EXT-X-DISCONTINUITY") {
      discontinuity = true;
    } else if (line.startsWith("#EXT-X-MAP:")) {
      const u = parseAttributes(line.slice(11)).URI;
      initUri = u ? resolveUri(u, baseUrl) : undefined;
      if (!initUri) return { ok: false, reason: `bad EXT-X-MAP at line ${i + 1}` };
    } else if (line.startsWith("#EXTINF:")) {
      duration = Number(line.slice(8).split(",")[0]);
      if (!Number.isFinite(duration) || duration <= 0 || duration > 3600) return { ok: false, reason: `bad EXTINF at line ${i + 1}` };
    } else if (isHashTagLine(line)) {
      // A malformed hash is treated as unknown (never trusted), not as a fatal error:
      // the segment still plays over HTTP.
      sha = readHashTagLine(line) ?? undefined;
    } else if (line.startsWith("#EXT-X-BYTERANGE:")) {
      const m = /^(\d+)(?:@(\d+))?$/.exec(line.slice(17));
      const len = Number(m?.[1]);
      const off = m?.[2] !== undefined ? Number(m[2]) : prevRangeEnd;
      if (!m || !Number.isSafeInteger(len) || len <= 0 || off === undefined) return { ok: false, reason: `bad EXT-X-BYTERANGE at line ${i + 1}` };
      range = { start: off, end: off + len - 1 };
    } else if (!line.startsWith("#")) {
      if (duration === undefined) return { ok: false, reason: `segment URI without EXTINF at line ${i + 1}` };
      const uri = resolveUri(line, baseUrl);
      if (!uri) return { ok: false, reason: `bad segment URI at line ${i + 1}` };
      if (segments.length >= MAX_SEGMENTS) return { ok: false, reason: "too many segments" };
      const seg: MediaSegment = { sn: mediaSequence + segments.length, uri, duration, discontinuity };
      if (range) {
        seg.byteRange = range;
        prevRangeEnd = range.end + 1;
      }
      if (sha) seg.sha256 = sha;
      segments.push(seg);
      duration = undefined;
      sha = undefined;
      range = undefined;
      discontinuity = false;
    }
  }
  if (!Number.isFinite(targetDuration) || targetDuration <= 0) return { ok: false, reason: "missing or bad EXT-X-TARGETDURATION" };
  const pl: MediaPlaylist = { targetDuration, mediaSequence, endList, segments };
  if (initUri) pl.initUri = initUri;
  return { ok: true, value: pl };
}

/** A segment placed on the player's timeline (seconds since this viewer's first segment). */
export interface TimedSegment extends MediaSegment {
  start: number;
  end: number;
}

/**
 * Merges a (re)loaded media playlist into a viewer's timeline keyed by sequence number,
 * the way hls.js aligns live refreshes: known numbers keep their times, new ones continue
 * from the last known end, and numbers that left the window are dropped. Returns the new
 * timeline plus what was added and removed (what the Core's updateStream wants).
 */
export function mergeTimeline(
  prev: ReadonlyMap<number, TimedSegment>,
  pl: MediaPlaylist,
): { timeline: Map<number, TimedSegment>; added: TimedSegment[]; removed: TimedSegment[] } {
  const timeline = new Map<number, TimedSegment>();
  const added: TimedSegment[] = [];
  let cursor: number | undefined;
  const lastPrev = [...prev.values()].at(-1);
  for (const seg of pl.segments) {
    const known = prev.get(seg.sn);
    if (known) {
      timeline.set(seg.sn, known);
      cursor = known.end;
      continue;
    }
    // New numbers continue from the previous segment in this playlist, or from the last
    // known segment when the window slid past everything we knew (a long stall).
    const start = cursor ?? (lastPrev && seg.sn > lastPrev.sn ? lastPrev.end : 0);
    const timed: TimedSegment = { ...seg, start, end: start + seg.duration };
    timeline.set(seg.sn, timed);
    added.push(timed);
    cursor = timed.end;
  }
  const removed = [...prev.values()].filter((s) => !timeline.has(s.sn));
  return { timeline, added, removed };
}
