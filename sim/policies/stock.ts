// Stock p2p-media-loader-core 2.3.1 with its defaults, paired at random by the tracker, no
// edge coordination. The numbers are the core's Core.DEFAULT_STREAM_CONFIG
// (node_modules/p2p-media-loader-core/src/core.ts); the core itself is not imported because
// it pulls in WebRTC and DOM code at load time. test/unit/sim/stock-policy.test.ts reads
// that source and fails if these numbers drift from it.
// Behaviour modelled from the core's source (hybrid-loader.ts, p2p/loader.ts):
// - segments within highDemandTimeWindow of the playhead load over HTTP at once (a P2P
//   download in progress is dropped for HTTP);
// - every 1 s + random × 1 s × peers, "random HTTP" picks segments in the HTTP window that no
//   connected peer holds or is loading, with probability count / (peers + 1) each;
// - other segments load from a random connected holder, 3 at a time;
// - uploads: every request is served at once, the uplink shared among them.
import type { ClientPolicy } from "./types";

export const STOCK_DEFAULTS = {
  simultaneousHttpDownloads: 2,
  simultaneousP2PDownloads: 3,
  highDemandTimeWindow: 15,
  httpDownloadTimeWindow: 3000,
  p2pDownloadTimeWindow: 6000,
} as const;

/** hybrid-loader.ts: PEER_UPDATE_LATENCY, the random-HTTP timer's unit (ms). */
export const PEER_UPDATE_LATENCY_MS = 1000;

export const stock: ClientPolicy = {
  name: "stock",
  windows: () => ({
    highDemandS: STOCK_DEFAULTS.highDemandTimeWindow,
    httpS: STOCK_DEFAULTS.httpDownloadTimeWindow,
    p2pS: STOCK_DEFAULTS.p2pDownloadTimeWindow,
  }),
  simultaneousP2P: STOCK_DEFAULTS.simultaneousP2PDownloads,
  simultaneousHttp: STOCK_DEFAULTS.simultaneousHttpDownloads,
  maxParallelUploads: Infinity,
  edgeFetchers: false,
};
