// Every bound the stats room enforces, in one place, each with the reason it exists.
// Nothing here does I/O; report.ts, aggregate.ts and the Durable Object read these.

/** Reports are a handful of counters; 2 KiB is ~5× a full report, so anything larger is abuse. */
export const MAX_REPORT_BYTES = 2048;

/** Stream names are tracker channels (same charset and length), so stats and swarms line up. */
export const STREAM_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Viewer ids are random per page; 8..64 url-safe chars is enough entropy and cheap to key on. */
export const VIEWER_ID_RE = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * Reports fan out over this many StatsHub objects by stream hash. One Durable Object is
 * single-threaded (~1k req/s soft limit); 4 shards at one report per 5 s per viewer carry
 * ~20k concurrent viewers, and GET /api/stats fans out to at most this many objects.
 */
export const STATS_SHARDS = 4;

/** Streams tracked per shard. A stream with no live viewer is evicted first when full. */
export const MAX_STREAMS_PER_SHARD = 256;

/**
 * Live viewers kept per stream; beyond this a new viewer is refused (429) until one expires.
 * 2000 viewers at one report per 5 s is 400 writes/s, well inside one object's budget even
 * when a shard holds several busy streams. Larger audiences need sampling (not done yet).
 */
export const MAX_VIEWERS_PER_STREAM = 2000;

/**
 * A viewer that has not reported for this long is gone (tab closed, network lost). Clients
 * report every REPORT_INTERVAL_MS, so this tolerates ~5 lost reports. Its bytes stay counted.
 */
export const VIEWER_TTL_MS = 30_000;

/** A stream with no live viewer for this long is forgotten, so abandoned names do not pile up. */
export const STREAM_TTL_MS = 60 * 60_000;

/** The interval the Worker asks clients to report at (the reply carries it; clients obey). */
export const REPORT_INTERVAL_MS = 5_000;

/**
 * Counters are totals since page load. A client cannot plausibly move more than this many
 * bytes per second per counter (≈ 1.6 Gbit/s); a larger jump is a lie and is refused, so one
 * hostile page cannot blow up a stream's figures.
 */
export const MAX_BYTES_PER_SECOND = 200 * 1024 * 1024;

/** The first report of a viewer has no baseline; it may cover at most this much time. */
export const FIRST_REPORT_WINDOW_S = 60;

/** WebRTC peers a single page can hold open; p2p-media-loader asks for far fewer. */
export const MAX_PEERS = 200;

/** Segment errors per type per second are capped like bytes (a segment is ≥ ~0.5 s of media). */
export const MAX_ERRORS_PER_SECOND = 50;

/** Upper bound of any counter: exact integers in JSON numbers stop at 2^53. */
export const MAX_COUNTER = Number.MAX_SAFE_INTEGER;
