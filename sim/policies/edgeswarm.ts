// EdgeSwarm's policy as the simulator runs it, made of the modules the product runs:
// the client's live scheduling windows (windowsFor), its core tuning (P2P downloads at once),
// its upload slots (uploadSlots, as the segment store runs it), its uplink probe's verdict
// (SlowUplink) and its peerless re-announce,
// and the Worker's fetcher plan
// (planFetchers / fetchesSegment, called by sim/swarm.ts). Nothing is re-implemented here;
// this file only says which of those the simulated viewer and shard use.
import { SlowUplink } from "../../client/claim-policy";
import { MAX_PARALLEL_UPLOADS, SIMULTANEOUS_HTTP, SIMULTANEOUS_P2P } from "../../client/limits";
import { PeerlessReannounce } from "../../client/reannounce";
import { windowsFor } from "../../client/scheduling/window-policy";
import { uploadSlots } from "../../client/upload-slots";
import type { ClientPolicy } from "./types";

export const edgeswarm: ClientPolicy = {
  name: "edgeswarm",
  windows: (td, httpS, joining) => {
    const w = windowsFor(td, true, httpS, joining);
    return { highDemandS: w.highDemandTimeWindow, httpS: w.httpDownloadTimeWindow, p2pS: w.p2pDownloadTimeWindow };
  },
  simultaneousP2P: SIMULTANEOUS_P2P,
  simultaneousHttp: SIMULTANEOUS_HTTP,
  maxParallelUploads: MAX_PARALLEL_UPLOADS,
  uploadSlots,
  reannounce: () => new PeerlessReannounce(),
  edgeFetchers: true,
  uplinkProbe: () => new SlowUplink(),
};

/** EdgeSwarm as built before upload slots: one upload at a time (`--one-upload`, for comparison). */
export const edgeswarmOneUpload: ClientPolicy = { ...edgeswarm, maxParallelUploads: 1, uploadSlots: undefined };
