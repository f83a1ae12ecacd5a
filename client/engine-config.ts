// The p2p-media-loader core and hls.js settings the player starts with, built from
// limits.ts. Values only; player.ts spreads them into the configs, and the window policy
// (scheduling/window-policy.ts) resizes the windows once the playlist is known.
import {
  FRAG_ERROR_RETRIES,
  FRAG_FIRST_BYTE_MS,
  FRAG_LOAD_MS,
  FRAG_RETRY_MAX_MS,
  FRAG_RETRY_MIN_MS,
  FRAG_TIMEOUT_RETRIES,
  HIGH_DEMAND_S,
  HTTP_RETRIES,
  HTTP_SILENCE_MS,
  HTTP_WINDOW_S,
  P2P_RETRIES,
  P2P_SILENCE_MS,
  P2P_WINDOW_S,
  SIMULTANEOUS_HTTP,
  SIMULTANEOUS_P2P,
} from "./limits";

/** Older homes of these names, still imported by benches (bench/swarm/variants.ts). */
export { windowsFor, liveHighDemand, liveJoinHighDemand } from "./scheduling/window-policy";
export { JOIN_SEGMENTS } from "./limits";

/** Core settings before the playlist is known (limits.ts says why each has its value). */
export const CORE_TUNING = {
  highDemandTimeWindow: HIGH_DEMAND_S,
  httpDownloadTimeWindow: HTTP_WINDOW_S,
  p2pDownloadTimeWindow: P2P_WINDOW_S,
  simultaneousHttpDownloads: SIMULTANEOUS_HTTP,
  simultaneousP2PDownloads: SIMULTANEOUS_P2P,
  p2pNotReceivingBytesTimeoutMs: P2P_SILENCE_MS,
  httpNotReceivingBytesTimeoutMs: HTTP_SILENCE_MS,
  httpErrorRetries: HTTP_RETRIES,
  p2pErrorRetries: P2P_RETRIES,
} as const;

/** hls.js settings. The engine manages maxBufferLength and liveSyncDurationCount itself. */
export const HLS_TUNING = {
  fragLoadPolicy: {
    default: {
      maxTimeToFirstByteMs: FRAG_FIRST_BYTE_MS,
      maxLoadTimeMs: FRAG_LOAD_MS,
      timeoutRetry: { maxNumRetry: FRAG_TIMEOUT_RETRIES, retryDelayMs: 0, maxRetryDelayMs: 0 },
      errorRetry: { maxNumRetry: FRAG_ERROR_RETRIES, retryDelayMs: FRAG_RETRY_MIN_MS, maxRetryDelayMs: FRAG_RETRY_MAX_MS },
    },
  },
} as const;
