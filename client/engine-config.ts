// The tuned p2p-media-loader and hls.js settings, in one place so the scheduling work of a
// later issue changes one file. Values only; engine.ts wires them.

/**
 * Core scheduling windows. Stock treats the next 15 s as "high demand" (HTTP first), so on a
 * 6 × 2 s live window nearly every byte goes over HTTP (origin-metered offload ≈ 0). With a
 * 2 s high-demand window, HTTP prefetch to 6 s and P2P prefetch to 30 s, the same run reached
 * ~0.91 of ideal offload (FIELD-NOTES). hls.js then buffers max(2 × target duration, 2 s)
 * ahead (the engine sets maxBufferLength), while the core prefetches further from peers.
 */
export const CORE_TUNING = {
  highDemandTimeWindow: 2,
  httpDownloadTimeWindow: 6,
  p2pDownloadTimeWindow: 30,
  simultaneousHttpDownloads: 2,
  simultaneousP2PDownloads: 3,
  // A peer that stops sending for 2 s is abandoned for HTTP; short because the playhead is close.
  p2pNotReceivingBytesTimeoutMs: 2000,
  httpNotReceivingBytesTimeoutMs: 3000,
  httpErrorRetries: 3,
  p2pErrorRetries: 3,
} as const;

/** High-demand window in target durations (see windowsFor). */
export const LIVE_HIGH_DEMAND_SEGMENTS = 1.5;
export const VOD_HIGH_DEMAND_SEGMENTS = 3;
/** Ceiling of the live high-demand window, in target durations, however slow HTTP gets. */
export const LIVE_HIGH_DEMAND_MAX_SEGMENTS = 4;

/**
 * Windows for a stream's target duration. The P2P engine caps hls.js's buffer-ahead at
 * max(2 × target duration, highDemandTimeWindow), and the core sends a segment hls.js asks
 * for over HTTP only once it is inside the high-demand window. With a 2 s window and 2 s
 * segments hls.js asks for segments 2–4 s ahead that the core then holds back until the
 * playhead is 2 s away: just-in-time loading, buffer holes and stalls in Chromium. So the
 * high-demand window covers hls.js's whole buffer (every segment it asks for loads at once,
 * from storage when peers delivered it, else HTTP), and peers get everything beyond it.
 *
 * Live (edge-seeded, seeder.ts): a new segment appears 6–8 s ahead of the playhead (hls.js
 * plays fragments − 1 segments behind the edge, minus one playlist refresh). One viewer
 * fetches it over HTTP at once, on the edge's say; the others have until it enters the
 * high-demand window to get it from peers. So live keeps that window as small as HTTP's
 * speed allows (liveHighDemand: the time between appearing and needed is what pays for
 * P2P), and no random HTTP seeding (httpDownloadTimeWindow = highDemandTimeWindow):
 * choosing who fetches a new segment is the edge's job, and a random second fetcher only
 * costs egress.
 *
 * `joining`: a live viewer before its second segment (liveJoinHighDemand). It fetches one
 * segment over HTTP at a time then: before the first fetch is timed the steady window may
 * cover the second segment too, and two fetches at once would take it before any peer
 * could be asked.
 *
 * VOD: viewers are spread over the timeline and the core's random HTTP seeding serves them;
 * 3 × target duration, because with a 4 s buffer re-fetching a rejected peer segment over
 * HTTP stalled the victim in 3 of 7 browser runs on a loaded machine.
 */
export function windowsFor(targetDuration: number, live = false, slowestHttpS = 0, joining = false): { highDemandTimeWindow: number, httpDownloadTimeWindow: number, p2pDownloadTimeWindow: number, simultaneousHttpDownloads: number } {
  const td = Number.isFinite(targetDuration) && targetDuration > 0 ? Math.min(targetDuration, 30) : 2;
  const high = !live ? Math.max(CORE_TUNING.highDemandTimeWindow, VOD_HIGH_DEMAND_SEGMENTS * td)
    : joining ? liveJoinHighDemand(td, slowestHttpS)
    : liveSteadyHighDemand(td, slowestHttpS);
  return {
    highDemandTimeWindow: high,
    httpDownloadTimeWindow: live ? high : Math.max(CORE_TUNING.httpDownloadTimeWindow, high + 2 * td),
    p2pDownloadTimeWindow: Math.max(CORE_TUNING.p2pDownloadTimeWindow, high + 10 * td),
    simultaneousHttpDownloads: live && joining ? 1 : CORE_TUNING.simultaneousHttpDownloads,
  };
}

/**
 * Live high-demand window for the slowest recent HTTP segment fetch (http-timing.ts): one
 * target duration plus twice that fetch, so a fallback that starts late (the core revisits
 * its queue about once a second) still lands with a fetch to spare. 1.5 × target duration
 * while HTTP is fast, up to 4 × when the origin or the device is slow. Rounded up to 0.5 s
 * so the core is not reconfigured for every jitter.
 */
export function liveHighDemand(td: number, slowestHttpS: number): number {
  const s = Number.isFinite(slowestHttpS) && slowestHttpS > 0 ? slowestHttpS : 0;
  const want = Math.ceil((td + 2 * s) * 2) / 2;
  return Math.min(LIVE_HIGH_DEMAND_MAX_SEGMENTS * td, Math.max(LIVE_HIGH_DEMAND_SEGMENTS * td, want));
}

/** The live window once joined: liveHighDemand, never under CORE_TUNING's. */
function liveSteadyHighDemand(td: number, slowestHttpS: number): number {
  return Math.max(CORE_TUNING.highDemandTimeWindow, liveHighDemand(td, slowestHttpS));
}

/** A live viewer is joining until the core has delivered this many segments (windowsFor). */
export const JOIN_SEGMENTS = 2;

/** On playback updates alone, p2p-media-loader-core revisits its queue at most once a second. */
export const CORE_REVISIT_S = 1;

/**
 * Live high-demand window while a viewer joins: after its first segment, until its second
 * has arrived. When playback starts the second segment is about one target duration ahead,
 * and the first peers connect 0.1–0.3 s after the first segment (Chromium, loopback), so the
 * steady window (≥ 1.5 target durations) sent it over HTTP just before a peer could have
 * sent it: one extra origin copy per join, in every swarm. This window holds it back for
 * peers as long as HTTP, timed on the first segment, can still fetch it after the core's
 * next revisit: one revisit plus twice the slowest fetch, rounded up to 0.5 s (1.5 s on a
 * fast origin). With no fetch timed yet it is the steady window, because the first
 * segment must load at once; never more than the steady window.
 */
export function liveJoinHighDemand(td: number, slowestHttpS: number): number {
  const steady = liveSteadyHighDemand(td, slowestHttpS);
  if (!(Number.isFinite(slowestHttpS) && slowestHttpS > 0)) return steady;
  return Math.min(steady, Math.ceil((CORE_REVISIT_S + 2 * slowestHttpS) * 2) / 2);
}

/** hls.js settings. The engine manages maxBufferLength and liveSyncDurationCount itself. */
export const HLS_TUNING = {
  // Retry segment loads patiently: a P2P→HTTP switch or a tracker hiccup must not become fatal.
  fragLoadPolicy: {
    default: {
      maxTimeToFirstByteMs: 10_000,
      maxLoadTimeMs: 30_000,
      timeoutRetry: { maxNumRetry: 4, retryDelayMs: 0, maxRetryDelayMs: 0 },
      errorRetry: { maxNumRetry: 6, retryDelayMs: 500, maxRetryDelayMs: 4000 },
    },
  },
} as const;

/** Tracker recovery: how soon to probe after the tracker fails, and the ceiling of the back-off. */
export const TRACKER_PROBE_MIN_MS = 2_000;
export const TRACKER_PROBE_MAX_MS = 60_000;
/** Gap between tearing down the old tracker clients and starting new ones, so the tracker has
 * seen the old socket close before the same peer_id announces again (bittorrent-tracker waits
 * up to 1 s for a reply before it closes a socket). */
export const TRACKER_RESTART_GAP_MS = 1_500;
