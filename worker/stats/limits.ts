// Every bound the stats room enforces, in one place, each with the reason it exists.
// Nothing here does I/O; aggregate.ts and the Durable Object read these. The numbers the
// client must agree on (report interval, viewer TTL, counter bounds) are in shared/limits.ts.

/** Reports are a handful of counters; 2 KiB is ~5× a full report, so anything larger is abuse. */
export const MAX_REPORT_BYTES = 2048;

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

/** A stream with no live viewer for this long is forgotten, so abandoned names do not pile up. */
export const STREAM_TTL_MS = 60 * 60_000;

/**
 * Counters are totals since page load. A client cannot plausibly move more than this many
 * bytes per second per counter (≈ 1.6 Gbit/s); a larger jump is a lie and is refused, so one
 * hostile page cannot blow up a stream's figures.
 */
export const MAX_BYTES_PER_SECOND = 200 * 1024 * 1024;

/**
 * The most media a viewer plausibly downloads per second of watching, for the cumulative bound
 * (aggregate.ts applyReport): 50 Mbit/s is above the top rendition of 4K HDR HLS ladders
 * (Apple's authoring spec tops out near 40 Mbit/s), so no real stream is refused.
 */
export const MAX_MEDIA_BYTES_PER_S = 50e6 / 8;

/**
 * Headroom over the media bitrate for bytes a real player fetches more than once or beside
 * the picture: ABR switches re-fetch a segment in another rendition, VOD seeks fetch again,
 * an alternate audio track, retries of broken transfers.
 */
export const DOWNLOAD_HEADROOM = 2;

/**
 * Seconds of download a viewer may have at its first sighting: a player fills its forward
 * buffer at link speed on start (hls.js up to its max buffer, 30-60 s of media), and bytes
 * fetched before its tracker socket announced (the manifest and first segments) or while its
 * first reports were refused (403, retried later) all count from the tracker's first sighting.
 */
export const JOIN_ALLOWANCE_S = 120;

/**
 * Uploaded bytes may exceed downloaded ones (a viewer serves each segment to several peers),
 * but only by this factor of the download bound (MAX_MEDIA_BYTES_PER_S): 4 × 50 Mbit/s =
 * 200 Mbit/s sustained. The client serves at most MAX_PARALLEL_UPLOADS (8, client/limits.ts)
 * uploads at once, as many as its measured uplink carries (client/upload-slots.ts), so its
 * uplink limits it: 8 copies of a 25 Mbit/s stream fit, and a home uplink above 200 Mbit/s
 * sustained is not a viewer.
 */
export const UPLOAD_FACTOR = 4;

/**
 * Sightings (peer_ids the tracker saw announce, tracker/witness.ts) one stats shard keeps.
 * Viewers per stream are bounded by MAX_VIEWERS_PER_STREAM and each has a few peer_ids (one
 * per rendition swarm it played); 50,000 covers a shard's busiest streams many times over.
 * Past it the sighting seen longest ago is dropped: a live viewer is re-sighted every few
 * minutes (tracker/limits.ts WITNESS_REFRESH_MS).
 */
export const MAX_SIGHTINGS_PER_SHARD = 50_000;

/** The first report of a viewer has no baseline; it may cover at most this much time. */
export const FIRST_REPORT_WINDOW_S = 60;

/** Segment errors per type per second are capped like bytes (a segment is ≥ ~0.5 s of media). */
export const MAX_ERRORS_PER_SECOND = 50;

/**
 * Reports per client address per stats shard: a token bucket of REPORT_BURST_PER_CLIENT
 * refilled at REPORTS_PER_CLIENT_S. One viewer reports once per REPORT_INTERVAL_MS (5 s), so
 * 10/s carries ~50 viewers behind one address (an office or campus NAT watching one event).
 * A NAT larger than that loses some reports (its viewers back off and retry); their playback
 * is unaffected.
 */
export const REPORTS_PER_CLIENT_S = 10;
export const REPORT_BURST_PER_CLIENT = 100;

/**
 * New rows (a viewer id or stream name this shard does not hold) per client address: 60 at
 * once covers a room of viewers opening the page together, then one per second. Viewer rows
 * live VIEWER_TTL_MS (30 s), so one address holds at most ~90 live rows per shard: it can fill
 * neither a stream (MAX_VIEWERS_PER_STREAM) nor a shard (MAX_STREAMS_PER_SHARD).
 */
export const FRESH_PER_CLIENT_S = 1;
export const FRESH_BURST_PER_CLIENT = 60;
