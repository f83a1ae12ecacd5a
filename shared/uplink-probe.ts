// The uplink probe's contract between the client (client/uplink-probe.ts) and the Worker
// (worker/uplink-probe.ts): a viewer POSTs bytes that the Worker reads and drops, and times
// the upload itself. It measures the viewer's uplink before the viewer serves any peer.

/** Where the probe's bytes go. */
export const UPLINK_PROBE_PATH = "/api/uplink";

/**
 * The largest probe body the Worker reads; more is 413. Twice the client's largest probe
 * (UPLINK_PROBE in client/limits.ts), so a probe never meets it.
 */
export const UPLINK_PROBE_MAX_BYTES = 256 * 1024;
