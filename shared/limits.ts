// The numbers both sides of a contract must agree on, each with its reason. Limits that only
// one room enforces stay in that room's limits.ts (worker/*/limits.ts, client/limits.ts).

/** How often a client reports its counters (the Worker's reply repeats it; clients obey). */
export const REPORT_INTERVAL_MS = 5_000;

/**
 * A viewer that has not reported for this long is gone (tab closed, network lost): the
 * Worker stops counting it live, and a client silent that long starts over with a fresh
 * viewer id. Tolerates ~5 lost reports at REPORT_INTERVAL_MS.
 */
export const VIEWER_TTL_MS = 30_000;

/** WebRTC peers a single page can hold open, as reported; p2p-media-loader asks for far fewer. */
export const MAX_PEERS = 200;

/** Upper bound of any reported counter: exact integers in JSON numbers stop at 2^53. */
export const MAX_COUNTER = Number.MAX_SAFE_INTEGER;

/**
 * Largest segment size the Worker publishes (#EXT-X-EDGESWARM-BYTES) and the largest peer
 * transfer a client accepts for a segment whose size was not published (issue 14 M6: a peer
 * may declare any size). Equal to the Worker's own store/proxy bound (worker/origin/limits.ts
 * MAX_SEGMENT_BYTES): nothing larger is ever served, so nothing larger is a real segment.
 */
export const MAX_PUBLISHED_SEGMENT_BYTES = 32 * 1024 * 1024;
