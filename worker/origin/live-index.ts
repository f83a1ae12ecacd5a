// The live window of one ingested media playlist, kept by the Worker (pure logic, no I/O).
// ffmpeg sends its own sliding playlist on every segment; the Worker merges it into an
// index it owns, so that:
//   - the served playlist lists only segments that are fully stored and hashed, in the
//     encoder's order, whatever order the PUTs arrive in (playlists only announce
//     segments; a segment is indexed once it and everything before it are resolved);
//   - nothing waits forever: a segment missing LIVE_SEGMENT_WAIT after it was announced is
//     skipped, and an encoder restart (a new run) starts a discontinuity at once;
//   - the window is the DVR window (DVR_WINDOW_SECONDS), not ffmpeg's hls_list_size;
//   - segments leaving the window are returned for deletion;
//   - media / discontinuity sequence numbers stay monotonic across the index's life.
// It does not read or write storage, nor serialize updates (live-stream.ts does).
import {
  LIVE_SEGMENT_WAIT_MAX_MS,
  LIVE_SEGMENT_WAIT_MIN_MS,
  LIVE_SEGMENT_WAIT_TARGETS,
  MAX_LIVE_INDEX_SEGMENTS,
  MAX_NEW_LIVE_SEGMENTS_PER_PUT,
} from "./limits";
import type { MediaPlaylist, MediaSegment } from "./playlist";

export interface IndexEntry {
  seq: number;
  /** The encoder's media sequence number of this segment (older indexes: same as seq). */
  src?: number;
  /** URI as written in the playlist (relative to it). */
  uri: string;
  duration: number;
  title: string;
  sha256: string;
  /** Stored bytes (R2 object size), published beside the hash; absent in older indexes. */
  size?: number;
  discontinuity: boolean;
  tags: string[];
}

/** A segment a playlist announced that is not indexed yet. */
export interface PlanEntry extends MediaSegment {
  /** The encoder's media sequence number. */
  src: number;
  /** When it was first announced (ms), to bound how long it may hold the ones after it. */
  at: number;
}

export interface LiveIndex {
  v: 1;
  header: string[];
  targetDuration: number;
  discontinuitySequence: number;
  nextSeq: number;
  endList: boolean;
  segments: IndexEntry[];
  /** Announced, not indexed yet, of the current run, in encoder order. */
  plan?: PlanEntry[];
  /** Encoder sequence number of the last segment, once a playlist of this run brought ENDLIST. */
  endSrc?: number;
  /** Our seq of the current run's first segment (set by a restart; older segments are another run). */
  runStart?: number;
  /** The next indexed segment follows a hole or another run: it gets a discontinuity. */
  breakNext?: boolean;
  /** Written before plans existed: the last playlist still waiting (read, then turned into a plan). */
  pending?: MediaPlaylist;
}

/**
 * The stored index read back: every field checked and copied, so a corrupt or older record
 * reads as null (the stream then starts a fresh index) instead of a half-valid object.
 */
export function parseIndex(raw: unknown): LiveIndex | null {
  if (!isRecord(raw) || raw.v !== 1) return null;
  const { header, targetDuration, discontinuitySequence, nextSeq, endList } = raw;
  if (!isStrings(header) || !isCount(targetDuration) || !isCount(discontinuitySequence) || !isCount(nextSeq)) return null;
  if (endList !== undefined && typeof endList !== "boolean") return null;
  if (!Array.isArray(raw.segments)) return null;
  const segments: IndexEntry[] = [];
  for (const s of raw.segments) {
    if (!isRecord(s)) return null;
    const { seq, src, uri, duration, title, sha256, size, discontinuity, tags } = s;
    if (!isCount(seq) || typeof uri !== "string" || !isDuration(duration) || typeof sha256 !== "string" || !isStrings(tags)) return null;
    if (src !== undefined && !isCount(src)) return null;
    if (size !== undefined && !isCount(size)) return null;
    const e: IndexEntry = { seq, uri, duration, title: typeof title === "string" ? title : "", sha256, discontinuity: discontinuity === true, tags };
    if (src !== undefined) e.src = src;
    if (size !== undefined) e.size = size;
    segments.push(e);
  }
  const index: LiveIndex = { v: 1, header, targetDuration, discontinuitySequence, nextSeq, endList: endList === true, segments };
  if (raw.plan !== undefined) {
    if (!Array.isArray(raw.plan)) return null;
    const plan: PlanEntry[] = [];
    for (const p of raw.plan) {
      const seg = parseSegment(p);
      if (!seg || !isRecord(p) || !isCount(p.src) || !isDuration(p.at)) return null;
      plan.push({ ...seg, src: p.src, at: p.at });
    }
    if (plan.length) index.plan = plan;
  }
  for (const k of ["endSrc", "runStart"] as const) {
    if (raw[k] === undefined) continue;
    const v = raw[k];
    if (!isCount(v)) return null;
    index[k] = v;
  }
  if (raw.breakNext !== undefined) {
    if (typeof raw.breakNext !== "boolean") return null;
    if (raw.breakNext) index.breakNext = true;
  }
  // Written before endSrc: an ended stream stays ended.
  if (index.endList && index.endSrc === undefined) index.endSrc = segments.at(-1)?.src ?? segments.at(-1)?.seq ?? 0;
  if (raw.pending !== undefined) {
    const pending = parsePending(raw.pending);
    if (!pending) return null;
    index.pending = pending;
  }
  return index;
}

function parseSegment(s: unknown): MediaSegment | null {
  if (!isRecord(s)) return null;
  const { uri, duration, title, discontinuity, tags } = s;
  if (typeof uri !== "string" || !isDuration(duration) || !isStrings(tags)) return null;
  return { uri, duration, title: typeof title === "string" ? title : "", discontinuity: discontinuity === true, tags };
}

function parsePending(raw: unknown): MediaPlaylist | null {
  if (!isRecord(raw) || raw.kind !== "media") return null;
  const { header, targetDuration, mediaSequence, discontinuitySequence, endList, trailer } = raw;
  if (!isStrings(header) || !isCount(targetDuration) || !isCount(mediaSequence) || !isCount(discontinuitySequence)) return null;
  if (!Array.isArray(raw.segments)) return null;
  const segments: MediaSegment[] = [];
  for (const s of raw.segments) {
    const seg = parseSegment(s);
    if (!seg) return null;
    segments.push(seg);
  }
  return {
    kind: "media",
    header,
    targetDuration,
    mediaSequence,
    discontinuitySequence,
    segments,
    endList: endList === true,
    trailer: isStrings(trailer) ? trailer : [],
  };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
function isStrings(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((v) => typeof v === "string");
}
/** A sequence number or count: a non-negative safe integer. */
function isCount(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}
function isDuration(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x) && x >= 0;
}

/**
 * Incoming segments that are new to the index, oldest first, at most
 * MAX_NEW_LIVE_SEGMENTS_PER_PUT. "New" means after the last segment the index already
 * knows; with no overlap (fresh index, or ffmpeg restarted / outage) all are new and
 * the newest ones win the budget.
 */
export function newSegments(index: LiveIndex | null, incoming: MediaPlaylist): { segments: MediaSegment[]; anchored: boolean } {
  const known = new Set(index?.segments.map((s) => s.uri) ?? []);
  let last = -1;
  incoming.segments.forEach((s, i) => {
    if (known.has(s.uri)) last = i;
  });
  const fresh = incoming.segments.slice(last + 1);
  if (last >= 0) return { segments: fresh.slice(0, MAX_NEW_LIVE_SEGMENTS_PER_PUT), anchored: true };
  return { segments: fresh.slice(-MAX_NEW_LIVE_SEGMENTS_PER_PUT), anchored: false };
}

export interface MergeResult {
  index: LiveIndex;
  added: string[];
  /** Segment URIs that left the window: delete them after the new playlist is stored. */
  removed: string[];
  /** Announced segments not stored yet: they, and the ones after them, wait. */
  waiting: string[];
  /** Announced segments given up on: not stored LIVE_SEGMENT_WAIT after announcement, or left behind by a restart. */
  skipped: string[];
  /** This playlist started a new encoder run (discontinuity before its first segment). */
  restarted: boolean;
}

/** How long an announced segment may hold back the ones after it (limits.ts LIVE_SEGMENT_WAIT_*). */
export function segmentWaitMs(targetDuration: number): number {
  return Math.min(LIVE_SEGMENT_WAIT_MAX_MS, Math.max(LIVE_SEGMENT_WAIT_MIN_MS, LIVE_SEGMENT_WAIT_TARGETS * targetDuration * 1000));
}

/** When the segment at the head of the plan will have waited too long (for an alarm), or null. */
export function nextDeadline(index: LiveIndex): number | null {
  const head = index.plan?.[0];
  return head ? head.at + segmentWaitMs(index.targetDuration) : null;
}

/** URIs a merge of `incoming` may need to know are stored: the plan, and what the playlist adds. */
export function lookups(prev: LiveIndex | null, incoming: MediaPlaylist | null): string[] {
  const out = new Set(prev?.plan?.map((e) => e.uri) ?? []);
  if (incoming) for (const s of newSegments(prev, incoming).segments) out.add(s.uri);
  return [...out];
}

const srcOf = (e: IndexEntry) => e.src ?? e.seq;

/**
 * Is `entries` (an incoming playlist, with encoder sequence numbers) the run the index
 * follows? Yes when one of its URIs is known (indexed or planned) at the same encoder
 * sequence number; a known URI at another number is an encoder that restarted and reuses
 * names. An empty index follows whatever comes first.
 */
function sameRun(index: LiveIndex, entries: PlanEntry[]): boolean {
  const known = new Map<string, number>();
  for (const s of index.runStart === undefined ? index.segments : index.segments.filter((s) => s.seq >= index.runStart!)) known.set(s.uri, srcOf(s));
  for (const p of index.plan ?? []) known.set(p.uri, p.src);
  if (known.size === 0) return true;
  return entries.some((e) => known.get(e.uri) === e.src);
}

/** Encoder sequence number of the last indexed segment of the current run, or null before it has one. */
function cursor(index: LiveIndex): number | null {
  const last = index.segments.at(-1);
  if (!last || (index.runStart !== undefined && last.seq < index.runStart)) return null;
  return srcOf(last);
}

/** Adds a playlist's segments to the plan: only what follows the cursor, one entry per encoder sequence number. */
function plan(index: LiveIndex, entries: PlanEntry[], endList: boolean, endSrc: number): void {
  const after = cursor(index);
  const indexed = new Set(index.segments.map((s) => s.uri));
  const bySrc = new Map((index.plan ?? []).map((e) => [e.src, e]));
  for (const e of entries) if ((after === null || e.src > after) && !indexed.has(e.uri) && !bySrc.has(e.src)) bySrc.set(e.src, e);
  if (endList) index.endSrc = Math.max(index.endSrc ?? -1, endSrc);
  let out = [...bySrc.values()].sort((a, b) => a.src - b.src);
  // Nothing follows the segment ENDLIST closed on.
  if (index.endSrc !== undefined) out = out.filter((e) => e.src <= index.endSrc!);
  // Bounded: the oldest once the run is indexed (they come next), the newest before (a long list's history).
  out = after === null ? out.slice(-MAX_NEW_LIVE_SEGMENTS_PER_PUT) : out.slice(0, MAX_NEW_LIVE_SEGMENTS_PER_PUT);
  index.plan = out;
}

/**
 * Merges an incoming playlist (or, with null, re-checks the plan after a segment PUT or
 * at a deadline) at time `now` (ms). `stored` gives the hash of a segment in storage
 * (undefined = not stored); it is asked only about lookups(prev, incoming).
 *
 * Every playlist of the current encoder run adds what it announces to the plan (a union,
 * so the order playlists arrive in does not matter); the plan is then indexed in encoder
 * sequence order for as long as segments are stored. A segment still missing
 * segmentWaitMs after it was announced is skipped, and the next one carries a
 * discontinuity: skipping beats cutting the playlist there, which would freeze the stream
 * for good. ENDLIST, once announced, stays for the rest of the run and is served when
 * everything up to its last segment is indexed or skipped.
 * A playlist of another run (no URI known at the same sequence number: a restarted or
 * new encoder, whatever its media sequence) that has a stored segment the index lacks
 * ends the current run at once: what is stored of its plan is indexed, the rest skipped,
 * and the new run starts after a discontinuity. Without a stored segment it is ignored
 * (an old playlist whose segments already left the window looks the same), and so is a late
 * playlist of an earlier run that still has a segment in the window.
 */
export function mergeLive(
  prev: LiveIndex | null,
  incoming: MediaPlaylist | null,
  stored: (uri: string) => string | undefined,
  dvrSeconds: number,
  now = 0,
): MergeResult {
  const index: LiveIndex = prev
    ? { ...prev, segments: prev.segments.slice(), plan: prev.plan?.slice() ?? [] }
    : {
        v: 1,
        header: liveHeader(incoming?.header ?? []),
        targetDuration: 0,
        discontinuitySequence: incoming?.discontinuitySequence ?? 0,
        nextSeq: -1,
        endList: false,
        segments: [],
        plan: [],
      };
  // An index written before plans: its pending playlist becomes the plan.
  if (index.pending) {
    const legacy = index.pending;
    delete index.pending;
    plan(index, entriesOf(legacy, now), legacy.endList, legacy.mediaSequence + legacy.segments.length - 1);
  }
  const added: string[] = [];
  const skipped: string[] = [];
  let restarted = false;
  if (incoming) {
    index.header = liveHeader(incoming.header);
    index.targetDuration = Math.max(index.targetDuration, incoming.targetDuration);
    const entries = entriesOf(incoming, now);
    const endSrc = incoming.mediaSequence + incoming.segments.length - 1;
    if (sameRun(index, entries)) plan(index, entries, incoming.endList, endSrc);
    else {
      const indexed = new Map(index.segments.map((s) => [s.uri, srcOf(s)]));
      // A late playlist of a run that ended here (one of its segments listed at its number) is history, not a restart.
      const older = entries.some((e) => indexed.get(e.uri) === e.src);
      if (!older && entries.some((e) => !indexed.has(e.uri) && stored(e.uri) !== undefined)) {
        drain(index, stored, Infinity, added, skipped);
        restarted = true;
        index.runStart = index.nextSeq < 0 ? incoming.mediaSequence : index.nextSeq;
        index.plan = [];
        delete index.endSrc;
        index.breakNext = index.segments.length > 0;
        plan(index, entries, incoming.endList, endSrc);
      }
    }
  }
  drain(index, stored, now, added, skipped);
  const waiting = index.plan!.map((e) => e.uri);
  if (index.plan!.length === 0) delete index.plan;
  if (index.nextSeq < 0 && incoming) index.nextSeq = incoming.mediaSequence;
  // ENDLIST: once announced, served as soon as nothing before it is still waiting; it stays.
  if (index.endSrc !== undefined && !index.plan) index.endList = true;
  if (index.endSrc === undefined) index.endList = false;
  index.targetDuration = Math.max(index.targetDuration, ...index.segments.map((s) => Math.ceil(s.duration - 1e-6)));
  const removed = trim(index, dvrSeconds);
  return { index, added, removed, waiting, skipped, restarted };
}

function entriesOf(p: MediaPlaylist, now: number): PlanEntry[] {
  return p.segments.map((s, k) => ({
    src: p.mediaSequence + k,
    uri: s.uri,
    duration: s.duration,
    title: s.title,
    discontinuity: s.discontinuity,
    tags: s.tags,
    at: now,
  }));
}

/** Indexes the plan in order while segments are stored; a head missing since before `now - wait` is skipped. */
function drain(index: LiveIndex, stored: (uri: string) => string | undefined, now: number, added: string[], skipped: string[]): void {
  const p = index.plan!;
  const wait = segmentWaitMs(index.targetDuration);
  while (p.length > 0) {
    const e = p[0]!;
    const sha = stored(e.uri);
    if (sha === undefined) {
      if (now - e.at < wait) break;
      p.shift();
      skipped.push(e.uri);
      // What follows the hole does not continue what came before it.
      index.breakNext = index.segments.length > 0;
      continue;
    }
    p.shift();
    if (index.nextSeq < 0) index.nextSeq = e.src;
    const discontinuity = e.discontinuity || index.breakNext === true;
    delete index.breakNext;
    index.segments.push({ seq: index.nextSeq++, src: e.src, uri: e.uri, duration: e.duration, title: e.title, sha256: sha, discontinuity, tags: e.tags });
    added.push(e.uri);
  }
}

/** Trims the index to the DVR window; returns the URIs that left it. */
function trim(index: LiveIndex, dvrSeconds: number): string[] {
  const removed: string[] = [];
  let total = index.segments.reduce((a, s) => a + s.duration, 0);
  while (index.segments.length > 1 && (total - index.segments[0]!.duration >= dvrSeconds || index.segments.length > MAX_LIVE_INDEX_SEGMENTS)) {
    const gone = index.segments.shift()!;
    total -= gone.duration;
    removed.push(gone.uri);
    // Its discontinuity applied to every later segment: DISCONTINUITY-SEQUENCE takes it over.
    if (gone.discontinuity) index.discontinuitySequence += 1;
    // KEY and MAP apply to every later segment until replaced: keep them in force.
    const next = index.segments[0]!;
    const carried = gone.tags.filter((t) => /^#EXT-X-(KEY|MAP):/.test(t) && !next.tags.some((u) => u.split(":")[0] === t.split(":")[0]));
    if (carried.length > 0) index.segments[0] = { ...next, tags: [...carried, ...next.tags] };
  }
  // A discontinuity on the first listed segment is carried by DISCONTINUITY-SEQUENCE instead.
  const first = index.segments[0];
  if (first?.discontinuity) {
    index.discontinuitySequence += 1;
    index.segments[0] = { ...first, discontinuity: false };
  }
  return removed;
}

/** PLAYLIST-TYPE is dropped: EVENT forbids removing segments, VOD forbids changes; ours slides. */
function liveHeader(header: string[]): string[] {
  return header.filter((l) => !l.startsWith("#EXT-X-PLAYLIST-TYPE:"));
}

/** The index as a media playlist, ready for renderMedia (hashes come from entries). */
export function indexToPlaylist(index: LiveIndex): MediaPlaylist {
  return {
    kind: "media",
    header: index.header,
    targetDuration: index.targetDuration,
    mediaSequence: index.segments[0]?.seq ?? index.nextSeq,
    discontinuitySequence: index.discontinuitySequence,
    segments: index.segments.map((s) => ({ uri: s.uri, duration: s.duration, title: s.title, discontinuity: s.discontinuity, tags: s.tags })),
    endList: index.endList,
    trailer: [],
  };
}
