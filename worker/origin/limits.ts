// Every number the origin enforces, each with the reason it has that value.
// Pure constants: no logic, no I/O. Each one is exercised by a test in
// test/unit/origin/limits.test.ts or test/worker/origin/*.

/**
 * Largest segment accepted at ingest or hashed from upstream. A 6 s segment at
 * 40 Mbit/s (4K) is 30 MB; 32 MiB fits that. Chunked uploads (ffmpeg -method PUT)
 * are buffered to hash them before storing, so this also bounds Worker memory
 * (128 MB per isolate).
 */
export const MAX_SEGMENT_BYTES = 32 * 1024 * 1024;

/**
 * Largest playlist accepted at ingest or parsed from upstream. 20,000 segment
 * entries of ~100 bytes with our hash tags is 2 MB; 1 MiB covers an 11 h VOD at
 * 2 s segments without hash tags in the input, and keeps a hostile parse cheap.
 */
export const MAX_PLAYLIST_BYTES = 1024 * 1024;

/** Segment entries per media playlist. 11 h of 2 s segments; more is not an HLS stream we serve. */
export const MAX_PLAYLIST_SEGMENTS = 20_000;

/** Variants + renditions per master playlist. Real ladders have 3–10; 64 bounds the checks per PUT. */
export const MAX_MASTER_ENTRIES = 64;

// Stream names (= channels) and path parts follow shared/names.ts (MAX_CHANNEL_CHARS,
// MAX_FILE_NAME_CHARS): the client and the tracker check the same rules.

/** Path depth under a stream: "file" or "rendition/file". Flat keeps R2 listing and URIs simple. */
export const MAX_PATH_DEPTH = 2;

/** Default DVR window when DVR_WINDOW_SECONDS is unset or invalid. */
export const DEFAULT_DVR_SECONDS = 120;
/** Floor for DVR_WINDOW_SECONDS: shorter than 3 segments of 6 s makes players stall at the edge. */
export const MIN_DVR_SECONDS = 10;
/** Ceiling for DVR_WINDOW_SECONDS: 6 h keeps the live index object under ~1 MB at 2 s segments. */
export const MAX_DVR_SECONDS = 6 * 3600;

/**
 * Hard cap on segments kept per live playlist, whatever the DVR window says: the
 * index is rewritten on every playlist PUT, so its size is the per-PUT cost.
 */
export const MAX_LIVE_INDEX_SEGMENTS = 12_000;

/**
 * New segments looked up (R2 head) per live playlist PUT, and announced-but-not-indexed
 * segments kept per live playlist (live-index.ts plan). ffmpeg adds 1 per PUT; a fresh
 * index can see hls_list_size of them. More than this waits for the next PUT.
 */
export const MAX_NEW_LIVE_SEGMENTS_PER_PUT = 32;

/**
 * How long an announced live segment that is not stored may hold back the ones after it:
 * LIVE_SEGMENT_WAIT_TARGETS target durations, within [MIN, MAX]. ffmpeg PUTs a segment
 * right before the playlist naming it, so a real one arrives well within one target
 * duration; two leave room for a slow upload. Past that a player at the live edge (3 target
 * durations behind, RFC 8216 §6.3.3) is about to stall, so the segment is skipped (with a
 * discontinuity) rather than freezing the stream. The floor covers 1 s segments on a slow
 * uplink; the ceiling bounds the freeze whatever TARGETDURATION an encoder declares.
 */
export const LIVE_SEGMENT_WAIT_TARGETS = 2;
export const LIVE_SEGMENT_WAIT_MIN_MS = 2_000;
export const LIVE_SEGMENT_WAIT_MAX_MS = 30_000;

/** Segments in the built-in loop's live playlist: 6 × 2 s, a typical low-latency-ish window. */
export const LOOP_WINDOW_SEGMENTS = 6;

/**
 * How far behind the loop's live edge a segment URL still answers. Players and
 * peers fetch within the window; 30 extra segments (60 s) tolerates slow peers
 * without making every past sequence number a valid URL forever.
 */
export const LOOP_PAST_SEGMENTS = 30;

/** Upstream fetch timeout: a stuck upstream must not hold a viewer's request forever. */
export const UPSTREAM_TIMEOUT_MS = 10_000;

/**
 * Unknown-hash upstream segments fetched and hashed while serving one playlist,
 * and how many at once. One playlist request costs at most this + 1 origin fetches
 * (issue 14 M4 measured 13 with 12). 6 covers a typical live window (ffmpeg's
 * hls_list_size 5–6) in one refresh and the first 6 segments of a VOD; later VOD
 * segments get tagged as viewers fetch them. Each prefetch holds 2 connections while it
 * streams (the upstream fetch and the cache write); 2 at a time stays under the Workers
 * cap of 6 open connections per request, with room for the playlist's own cache write.
 */
export const UPSTREAM_PREFETCH_PER_PLAYLIST = 6;
export const UPSTREAM_PREFETCH_CONCURRENCY = 2;

/**
 * Upstream fetches in flight per isolate (a segment counts until its body has streamed
 * through). Each holds a connection and whatever its slower tee branch has not read yet;
 * with no cap, issue 14 M3's burst of misses for a 20 MiB object reached 20,000 fds and
 * ran out of memory. 16 serves 16 distinct cache misses at once, which the edge cache
 * makes rare per isolate.
 */
export const UPSTREAM_MAX_CONCURRENT = 16;
/**
 * Prefetch (playlist hash tags) only starts a fetch while fewer than this many are in
 * flight, so viewers' own misses always have the other half of UPSTREAM_MAX_CONCURRENT.
 */
export const UPSTREAM_PREFETCH_SLOTS = 8;
/** How long a viewer's miss waits for a free fetch slot before 503: about one segment fetch. */
export const UPSTREAM_SLOT_WAIT_MS = 1_000;
/** Poll interval while waiting for a slot (a timer, not a cross-request promise: workerd forbids those). */
export const UPSTREAM_SLOT_POLL_MS = 25;
/** Retry-After (seconds) on the 503 when no slot came free. */
export const UPSTREAM_RETRY_AFTER_S = 1;
/**
 * A slot older than this is forgotten: its fetch was aborted at UPSTREAM_TIMEOUT_MS, and
 * a request context torn down before its `finally` ran must not hold a slot forever.
 */
export const UPSTREAM_SLOT_MAX_MS = UPSTREAM_TIMEOUT_MS + 5_000;

/**
 * Seconds an upstream failure (404, 5xx, unreachable, too large) is remembered, in the
 * isolate and in the edge cache, so a flood of requests for a missing object is one
 * origin fetch per this many seconds. Short, because a live origin's 404 for a segment
 * it is about to publish must not outlive a segment duration by much.
 */
export const UPSTREAM_FAILURE_TTL = 3;
/** Failures remembered per isolate (≈200 B each); older ones are still in the edge cache. */
export const UPSTREAM_FAILURE_MEMO_ENTRIES = 1_000;

/** Edge cache lifetimes for upstream content (seconds): segments never change, playlists do. */
export const UPSTREAM_SEGMENT_TTL = 86_400;
export const UPSTREAM_PLAYLIST_TTL = 1;

/** Cache-Control we send. Segments are immutable by construction (VOD: no overwrite; live: unique names). */
export const CACHE_SEGMENT = "public, max-age=31536000, immutable";
/** VOD playlists can only gain a stream that was not complete before; a minute is safe. */
export const CACHE_VOD_PLAYLIST = "public, max-age=60";
/** Live playlists change every segment (~2 s); 1 s keeps edges fresh without a thundering origin. */
export const CACHE_LIVE_PLAYLIST = "public, max-age=1";

/**
 * Edge-cache lookups for segment hashes per upstream playlist request (after the
 * in-isolate memo). A 1000-segment VOD playlist must not cost 1000 lookups per refresh;
 * segments beyond this stay untagged until a viewer's fetch hashes them.
 */
export const UPSTREAM_HASH_LOOKUPS_PER_PLAYLIST = 64;

/** Entries in the per-isolate memo of upstream segment hashes (≈100 B each). */
export const UPSTREAM_HASH_MEMO_ENTRIES = 10_000;
