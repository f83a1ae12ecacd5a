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
 * New segments looked up (R2 head) per live playlist PUT. ffmpeg adds 1 per PUT; a
 * fresh index can see hls_list_size of them. More than this waits for the next PUT.
 */
export const MAX_NEW_LIVE_SEGMENTS_PER_PUT = 32;

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
 * and how many at once. Bounded so one playlist request costs at most this many
 * subrequests (Workers allow 50 on the free plan) and a live window gets tagged
 * within one or two refreshes.
 */
export const UPSTREAM_PREFETCH_PER_PLAYLIST = 12;
export const UPSTREAM_PREFETCH_CONCURRENCY = 4;

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
