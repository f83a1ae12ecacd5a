// The live window of one ingested media playlist, kept by the Worker (pure logic, no I/O).
// ffmpeg sends its own sliding playlist on every segment; the Worker merges it into an
// index it owns, so that:
//   - the served playlist only lists segments that are fully stored and hashed
//     (a segment not stored yet stops the merge; later ones wait for it);
//   - the window is the DVR window (DVR_WINDOW_SECONDS), not ffmpeg's hls_list_size;
//   - segments leaving the window are returned for deletion;
//   - media / discontinuity sequence numbers stay monotonic across the index's life.
import { MAX_LIVE_INDEX_SEGMENTS, MAX_NEW_LIVE_SEGMENTS_PER_PUT } from "./limits";
import type { MediaPlaylist, MediaSegment } from "./playlist";

export interface IndexEntry {
  seq: number;
  /** URI as written in the playlist (relative to it). */
  uri: string;
  duration: number;
  title: string;
  sha256: string;
  discontinuity: boolean;
  tags: string[];
}

export interface LiveIndex {
  v: 1;
  header: string[];
  targetDuration: number;
  discontinuitySequence: number;
  nextSeq: number;
  endList: boolean;
  segments: IndexEntry[];
  /** The last incoming playlist while some of its segments are not stored yet, to merge again when they are. */
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
    const { seq, uri, duration, title, sha256, discontinuity, tags } = s;
    if (!isCount(seq) || typeof uri !== "string" || !isDuration(duration) || typeof sha256 !== "string" || !isStrings(tags)) return null;
    segments.push({ seq, uri, duration, title: typeof title === "string" ? title : "", sha256, discontinuity: discontinuity === true, tags });
  }
  const index: LiveIndex = { v: 1, header, targetDuration, discontinuitySequence, nextSeq, endList: endList === true, segments };
  if (raw.pending !== undefined) {
    const pending = parsePending(raw.pending);
    if (!pending) return null;
    index.pending = pending;
  }
  return index;
}

function parsePending(raw: unknown): MediaPlaylist | null {
  if (!isRecord(raw) || raw.kind !== "media") return null;
  const { header, targetDuration, mediaSequence, discontinuitySequence, endList, trailer } = raw;
  if (!isStrings(header) || !isCount(targetDuration) || !isCount(mediaSequence) || !isCount(discontinuitySequence)) return null;
  if (!Array.isArray(raw.segments)) return null;
  const segments: MediaSegment[] = [];
  for (const s of raw.segments) {
    if (!isRecord(s)) return null;
    const { uri, duration, title, discontinuity, tags } = s;
    if (typeof uri !== "string" || !isDuration(duration) || !isStrings(tags)) return null;
    segments.push({ uri, duration, title: typeof title === "string" ? title : "", discontinuity: discontinuity === true, tags });
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
  /** New segments referenced but not stored yet (they and all after them wait). */
  waiting: string[];
}

/**
 * Merges an incoming playlist. `stored` gives the hash of each new segment that is in
 * storage (undefined = not stored). Leading missing segments of an unanchored list are
 * skipped (they already left storage); otherwise the first missing one stops the merge.
 */
export function mergeLive(prev: LiveIndex | null, incoming: MediaPlaylist, stored: (uri: string) => string | undefined, dvrSeconds: number): MergeResult {
  const { pending: _dropped, ...kept } = prev ?? { pending: undefined };
  const index: LiveIndex = prev
    ? { ...(kept as LiveIndex), segments: prev.segments.slice(), header: liveHeader(incoming.header) }
    : {
        v: 1,
        header: liveHeader(incoming.header),
        targetDuration: 0,
        discontinuitySequence: incoming.discontinuitySequence,
        nextSeq: -1,
        endList: false,
        segments: [],
      };
  const { segments: fresh, anchored } = newSegments(prev, incoming);
  const added: string[] = [];
  const waiting: string[] = [];
  let started = anchored;
  for (const s of fresh) {
    const sha = stored(s.uri);
    if (sha === undefined) {
      if (!started) continue;
      waiting.push(...fresh.slice(fresh.indexOf(s)).map((x) => x.uri));
      break;
    }
    if (index.nextSeq < 0) index.nextSeq = incoming.mediaSequence + incoming.segments.indexOf(s);
    // Joining a list with no overlap: continuity with what we had is unknown.
    const discontinuity = s.discontinuity || (!started && index.segments.length > 0);
    started = true;
    index.segments.push({ seq: index.nextSeq++, uri: s.uri, duration: s.duration, title: s.title, sha256: sha, discontinuity, tags: s.tags });
    added.push(s.uri);
  }
  if (index.nextSeq < 0) index.nextSeq = incoming.mediaSequence;
  // ENDLIST only once everything it closes is in the index.
  index.endList = incoming.endList && waiting.length === 0;
  if (waiting.length > 0) index.pending = incoming;
  index.targetDuration = Math.max(index.targetDuration, incoming.targetDuration, ...index.segments.map((s) => Math.ceil(s.duration - 1e-6)));

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
  return { index, added, removed, waiting };
}

/**
 * Of two playlists from the same encoder, the one that reaches further (last media
 * sequence number, then ENDLIST). Overlapping PUTs can arrive out of order; the newer
 * one lists everything the older one could add, so merging only it loses nothing.
 */
export function newerPlaylist(a: MediaPlaylist | null | undefined, b: MediaPlaylist | null | undefined): MediaPlaylist | null {
  if (!a) return b ?? null;
  if (!b) return a;
  const reach = (p: MediaPlaylist) => (p.mediaSequence + p.segments.length) * 2 + (p.endList ? 1 : 0);
  return reach(b) > reach(a) ? b : a;
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
