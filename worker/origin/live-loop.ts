// The built-in live channel /live/loop/: a sliding-window live playlist generated purely
// from (sample manifest, wall-clock time). Pure: no I/O; the router fetches the manifest
// and the sample segment bytes from static assets.
//
// Timeline: live sequence number s plays sample segment s mod N in loop floor(s/N).
// Loop k starts at k·L seconds after LOOP_EPOCH_MS (L = clip length), so every Worker
// isolate and every viewer agrees on the live edge with no shared state. The functions
// below take `clockMs`, milliseconds since that epoch (loopClock). Each loop
// restart is an EXT-X-DISCONTINUITY (the clip's timestamps restart), and
// EXT-X-DISCONTINUITY-SEQUENCE counts the restarts before the window's first segment.
// Segment URIs are "<s>.<ext>": unique per live sequence number, so peers and caches
// treat each as its own segment even though the bytes repeat every loop.
import { hashTagLines, isSha256Hex } from "../../shared/hash-tag";
import { isChannelName, isSegmentFileName } from "../../shared/names";
import type { Result } from "../../shared/result";

export interface LoopSegment {
  uri: string;
  duration: number;
  size: number;
  sha256: string;
}
export interface LoopRendition {
  name: string;
  width: number;
  height: number;
  codecs: string;
  bandwidth: number;
  averageBandwidth: number;
  segments: LoopSegment[];
}
export interface LoopManifest {
  renditions: LoopRendition[];
}

/**
 * Start of the loop's timeline. Counting from the Unix epoch made EXT-X-DISCONTINUITY-SEQUENCE
 * about 60 million (one restart per 30 s clip since 1970), and hls.js 1.7 walks its
 * per-discontinuity array from 0 to that number on every playlist refresh
 * (stream-controller onLevelLoaded, `initPTS.some`): 0.4 of a core per playing browser
 * viewer, measured with a CPU profile. From this epoch the count grows by 2,880 a day;
 * after a year the walk costs about 10 ms per refresh. Move the epoch forward if that ever
 * matters: live viewers then re-join, nothing stored changes.
 */
export const LOOP_EPOCH_MS = Date.UTC(2026, 10, 1);

/** Milliseconds on the loop's timeline at wall-clock `nowMs` (never before its start). */
export function loopClock(nowMs: number): number {
  return Math.max(0, nowMs - LOOP_EPOCH_MS);
}

type Parsed<T> = Result<T>;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const posNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;

/** Validates manifest.json as written by scripts/sample.mjs (it is ours, but a bad build must fail loudly). */
export function parseManifest(raw: unknown): Parsed<LoopManifest> {
  if (!isObj(raw) || !Array.isArray(raw.renditions) || raw.renditions.length === 0) return { ok: false, reason: "no renditions" };
  const renditions: LoopRendition[] = [];
  for (const r of raw.renditions) {
    if (!isObj(r) || typeof r.name !== "string" || !isChannelName(r.name)) return { ok: false, reason: "bad rendition name" };
    if (!posNum(r.width) || !posNum(r.height) || !posNum(r.bandwidth) || typeof r.codecs !== "string" || !/^[A-Za-z0-9., ]*$/.test(r.codecs)) {
      return { ok: false, reason: `bad rendition ${r.name}` };
    }
    if (!Array.isArray(r.segments) || r.segments.length === 0) return { ok: false, reason: `no segments in ${r.name}` };
    const segments: LoopSegment[] = [];
    for (const s of r.segments) {
      if (!isObj(s) || typeof s.uri !== "string" || !isSegmentFileName(s.uri)) return { ok: false, reason: "bad segment uri" };
      if (!posNum(s.duration) || !posNum(s.size) || typeof s.sha256 !== "string" || !isSha256Hex(s.sha256)) {
        return { ok: false, reason: `bad segment ${s.uri}` };
      }
      segments.push({ uri: s.uri, duration: s.duration, size: s.size, sha256: s.sha256 });
    }
    renditions.push({
      name: r.name,
      width: r.width,
      height: r.height,
      codecs: r.codecs,
      bandwidth: r.bandwidth,
      averageBandwidth: posNum(r.averageBandwidth) ? r.averageBandwidth : r.bandwidth,
      segments,
    });
  }
  // Renditions share one timeline (aligned keyframes), so they must agree segment by segment.
  const first = renditions[0]!.segments;
  for (const r of renditions) {
    if (r.segments.length !== first.length) return { ok: false, reason: "renditions differ in segment count" };
    if (r.segments.some((s, i) => Math.abs(s.duration - first[i]!.duration) > 0.1)) return { ok: false, reason: "renditions differ in durations" };
  }
  return { ok: true, value: { renditions } };
}

/** Durations of the shared timeline (first rendition's). */
function timeline(m: LoopManifest): { d: number[]; cum: number[]; loop: number } {
  const d = m.renditions[0]!.segments.map((s) => s.duration);
  const cum: number[] = [];
  let t = 0;
  for (const x of d) {
    cum.push(t);
    t += x;
  }
  return { d, cum, loop: t };
}

/** Seconds after LOOP_EPOCH_MS at which live segment `seq` starts. */
export function segmentStart(m: LoopManifest, seq: number): number {
  const { cum, loop } = timeline(m);
  const n = cum.length;
  return Math.floor(seq / n) * loop + cum[seq % n]!;
}

/** The newest live sequence number whose segment has fully "happened" at clockMs. */
export function liveEdge(m: LoopManifest, clockMs: number): number {
  const { d, cum, loop } = timeline(m);
  const n = d.length;
  const t = clockMs / 1000;
  const k = Math.floor(t / loop);
  const r = t - k * loop;
  let i = -1;
  for (let j = 0; j < n; j++) if (cum[j]! + d[j]! <= r + 1e-9) i = j;
  return k * n + i; // i = -1: the last segment of the previous loop
}

export interface WindowSegment {
  seq: number;
  index: number;
  duration: number;
  sha256: string;
  /** Bytes of the segment (manifest.json), published beside its hash. */
  size?: number;
  discontinuity: boolean;
  uri: string;
}
export interface LoopWindow {
  mediaSequence: number;
  discontinuitySequence: number;
  targetDuration: number;
  segments: WindowSegment[];
}

function extOf(uri: string): string {
  return uri.slice(uri.lastIndexOf(".") + 1);
}

/** The sliding window of `size` segments ending at the live edge, for one rendition. */
export function loopWindow(m: LoopManifest, rendition: LoopRendition, clockMs: number, size: number): LoopWindow {
  const n = rendition.segments.length;
  const edge = liveEdge(m, clockMs);
  const first = Math.max(0, edge - size + 1);
  const segments: WindowSegment[] = [];
  for (let seq = first; seq <= edge; seq++) {
    const index = seq % n;
    const s = rendition.segments[index]!;
    // The tag sits on the first segment of each loop, except at the window's top:
    // there the restart is already counted by EXT-X-DISCONTINUITY-SEQUENCE.
    segments.push({
      seq,
      index,
      duration: s.duration,
      sha256: s.sha256,
      size: s.size,
      discontinuity: index === 0 && seq !== first,
      uri: `${seq}.${extOf(s.uri)}`,
    });
  }
  const targetDuration = Math.ceil(Math.max(...rendition.segments.map((s) => s.duration)) - 1e-6);
  return { mediaSequence: first, discontinuitySequence: Math.floor(first / n), targetDuration, segments };
}

export function renderLoopMedia(w: LoopWindow): string {
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:3",
    `#EXT-X-TARGETDURATION:${w.targetDuration}`,
    `#EXT-X-MEDIA-SEQUENCE:${w.mediaSequence}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${w.discontinuitySequence}`,
  ];
  for (const s of w.segments) {
    if (s.discontinuity) lines.push("#EXT-X-DISCONTINUITY");
    lines.push(`#EXTINF:${s.duration.toFixed(3)},`, ...hashTagLines(s.sha256, s.size), s.uri);
  }
  return lines.join("\n") + "\n";
}

export function renderLoopMaster(m: LoopManifest): string {
  const lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"];
  for (const r of m.renditions) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${Math.round(r.bandwidth)},AVERAGE-BANDWIDTH=${Math.round(r.averageBandwidth)},RESOLUTION=${r.width}x${r.height},CODECS="${r.codecs}"`,
      `${r.name}/index.m3u8`,
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * Maps a live segment request back to the sample segment. Only sequence numbers that
 * have happened and are at most `past` behind the edge answer: future ones do not
 * exist yet, and very old ones are outside any playlist ever served recently.
 */
export function resolveLoopSegment(
  m: LoopManifest,
  rendition: LoopRendition,
  file: string,
  clockMs: number,
  past: number,
): Parsed<{ seq: number; segment: LoopSegment }> {
  const match = /^(\d{1,15})\.([a-z0-9]+)$/.exec(file);
  if (!match) return { ok: false, reason: "not a live segment name" };
  const seq = Number(match[1]);
  const n = rendition.segments.length;
  const segment = rendition.segments[seq % n]!;
  if (extOf(segment.uri) !== match[2]) return { ok: false, reason: "wrong extension" };
  const edge = liveEdge(m, clockMs);
  if (seq > edge) return { ok: false, reason: "segment not produced yet" };
  if (seq < edge - past) return { ok: false, reason: "segment left the live window" };
  return { ok: true, value: { seq, segment } };
}
