// The player a virtual viewer stands in for, reduced to its arithmetic: where hls.js starts
// on a live stream, how far ahead it buffers, when the playhead moves, and what counts as a
// stall. Pure: every function takes `now` (ms) and returns or mutates plain state; no
// timers, no I/O, no p2p-media-loader. The viewer (viewer.ts) drives it.
// It models one rendition played in order (no ABR switches, no seeks); a stall is the
// buffer running empty while playing, after startup, until the next segment is appended
// (what a <video> element does: it resumes at HAVE_FUTURE_DATA).

/** hls.js defaults the swarm bench mirrors (hls.js 1.x `hlsDefaultConfig`). */
export const HLS_DEFAULTS = { maxBufferLength: 30, liveSyncDurationCount: 3 } as const;
/** p2p-media-loader-hlsjs engine.ts: MAX_LIVE_SYNC_DURATION. */
export const P2PML_MAX_LIVE_SYNC_DURATION = 120;

export interface PlayerOverrides {
  /** What the page set in its hls.js config; undefined = left to hls.js / p2p-media-loader. */
  maxBufferLength?: number;
  liveSyncDurationCount?: number;
}

export interface BufferSettings {
  maxBufferLength: number;
  liveSyncDurationCount: number;
}

/**
 * The buffer settings hls.js ends up with when p2p-media-loader-hlsjs drives it: on each
 * level update with more than 4 fragments, the engine lowers maxBufferLength to
 * max(2 × target duration, highDemandTimeWindow) and, for live, sets liveSyncDurationCount
 * to min(fragments − 1, 120 s / target duration), unless the page set them itself
 * (p2p-media-loader-hlsjs 2.3.1 engine.ts handleLevelUpdated).
 */
export function effectiveBufferSettings(
  page: PlayerOverrides,
  p: { highDemandTimeWindow: number; targetDuration: number; fragmentCount: number; live: boolean },
): BufferSettings {
  let maxBufferLength = page.maxBufferLength ?? HLS_DEFAULTS.maxBufferLength;
  let liveSyncDurationCount = page.liveSyncDurationCount ?? HLS_DEFAULTS.liveSyncDurationCount;
  if (p.fragmentCount > 4) {
    if (p.live && page.liveSyncDurationCount === undefined) {
      liveSyncDurationCount = Math.min(p.fragmentCount - 1, Math.floor(P2PML_MAX_LIVE_SYNC_DURATION / p.targetDuration));
    }
    if (page.maxBufferLength === undefined) {
      maxBufferLength = Math.min(maxBufferLength, Math.max(p.targetDuration * 2, p.highDemandTimeWindow));
    }
  }
  return { maxBufferLength, liveSyncDurationCount };
}

export interface Span {
  start: number;
  end: number;
}

/**
 * Where playback starts. VOD: `vodStart` (hls.js startPosition) clamped into the video, else
 * the first segment. Live: hls.js's live sync position,
 * edge − liveSyncDurationCount × target duration, clamped into the window; it loads the
 * segment containing that position first. Returns the index into `segments` and the time.
 */
export function startPoint(
  segments: readonly Span[],
  live: boolean,
  targetDuration: number,
  liveSyncDurationCount: number,
  /** VOD: hls.js `startPosition`, seconds; undefined: the first segment. Ignored for live. */
  vodStart?: number,
): { index: number; position: number } {
  const first = segments[0];
  const last = segments.at(-1);
  if (!first || !last) throw new Error("startPoint needs at least one segment");
  const position = live
    ? Math.max(first.start, last.end - liveSyncDurationCount * targetDuration)
    : Math.min(Math.max(first.start, vodStart ?? first.start), last.start);
  let index = segments.findIndex((s) => s.start <= position && position < s.end);
  if (index < 0) index = segments.length - 1;
  return { index, position };
}

export type Phase = "starting" | "playing" | "stalled" | "ended";

export interface PlayerState {
  phase: Phase;
  joinedAt: number;
  lastTick: number;
  /** Where playback begins inside the first segment (live sync position). */
  startPosition: number;
  position: number;
  bufferedEnd: number;
  bufferedSeconds: number;
  startupMs?: number;
  stalls: number;
  stallMs: number;
  stallSince?: number;
  /** When each stall began (ms), first MAX_STALL_LOG only: lets a report see whether
   * viewers stalled together (origin or machine) or alone (their swarm). */
  stallLog: number[];
}

export const MAX_STALL_LOG = 50;

export function createPlayer(now: number, startPosition: number): PlayerState {
  return {
    phase: "starting",
    joinedAt: now,
    lastTick: now,
    startPosition,
    position: startPosition,
    bufferedEnd: startPosition,
    bufferedSeconds: 0,
    stalls: 0,
    stallMs: 0,
    stallLog: [],
  };
}

/** Seconds of media buffered ahead of the playhead. */
export function bufferAhead(s: PlayerState): number {
  return Math.max(0, s.bufferedEnd - s.position);
}

/** hls.js loads the next fragment while the forward buffer is under maxBufferLength. */
export function wantsNextSegment(s: PlayerState, maxBufferLength: number): boolean {
  return s.phase !== "ended" && bufferAhead(s) < maxBufferLength;
}

/** A segment (in order) reached the buffer. The first one starts playback. */
export function appendSegment(s: PlayerState, seg: Span, now: number): void {
  advance(s, now);
  if (s.phase === "starting") {
    s.startupMs = now - s.joinedAt;
    s.position = Math.max(seg.start, Math.min(s.startPosition, seg.end));
    s.phase = "playing";
  } else if (s.phase === "stalled") {
    s.stallMs += now - (s.stallSince ?? now);
    s.stallSince = undefined;
    s.phase = "playing";
  }
  s.bufferedSeconds += seg.end - seg.start;
  s.bufferedEnd = Math.max(s.bufferedEnd, seg.end);
}

/**
 * Moves the playhead to `now` at `rate`. If the buffer runs out on the way, the stall
 * starts at the exact moment it did, not at the tick that noticed it. `endOfStream` is
 * the end of a VOD (ENDLIST) timeline: reaching it ends playback instead of stalling.
 */
export function advance(s: PlayerState, now: number, rate = 1, endOfStream?: number): void {
  const dt = Math.max(0, now - s.lastTick);
  s.lastTick = now;
  if (s.phase !== "playing") return;
  const room = s.bufferedEnd - s.position;
  const step = (dt / 1000) * rate;
  if (step < room) {
    s.position += step;
    return;
  }
  s.position = s.bufferedEnd;
  if (endOfStream !== undefined && s.bufferedEnd >= endOfStream - 1e-6) {
    s.phase = "ended";
    return;
  }
  s.phase = "stalled";
  s.stalls++;
  s.stallSince = now - ((step - room) / rate) * 1000;
  if (s.stallLog.length < MAX_STALL_LOG) s.stallLog.push(s.stallSince);
}

/** Closes the books at the end of a run: a stall still going counts up to `now`. */
export function finish(s: PlayerState, now: number, rate = 1, endOfStream?: number): void {
  advance(s, now, rate, endOfStream);
  if (s.phase === "stalled" && s.stallSince !== undefined) {
    s.stallMs += now - s.stallSince;
    s.stallSince = now;
  }
}
