// What the simulated viewer and shard need to know of a client policy. Types only.
import type { SlowUplink } from "../../client/claim-policy";
import type { UploadSlots } from "../../client/upload-slots";

export interface PolicyWindows {
  /** Seconds before its play deadline a missing segment is fetched over HTTP (high-demand window). */
  highDemandS: number;
  /** Random HTTP seeding considers segments this close to the playhead. */
  httpS: number;
  /** Peers are asked for segments this close to the playhead. */
  p2pS: number;
}

/** The subset of PeerlessReannounce (client/reannounce.ts) the simulator drives. */
export interface Reannounce {
  onReply(complete: number, incomplete: number, nowS: number): void;
  onConnect(): void;
  onClose(nowS: number, livedS: number): void;
  due(nowS: number): boolean;
  onAnnounce(nowS: number): void;
}

export interface ClientPolicy {
  name: "edgeswarm" | "stock";
  /** Windows for a stream of target duration `td` when an HTTP segment fetch takes `httpS`. */
  windows(td: number, httpS: number, joining: boolean): PolicyWindows;
  simultaneousP2P: number;
  simultaneousHttp: number;
  /** Uploads one viewer serves at once (Infinity: every request at once, sharing the uplink); with uploadSlots, its ceiling. */
  maxParallelUploads: number;
  /** Each viewer's own upload-slot policy (client/upload-slots.ts), fed its whole uploads; undefined: always maxParallelUploads. */
  uploadSlots?: () => UploadSlots;
  /** A peerless re-announce schedule, or undefined (announce only on the tracker's interval). */
  reannounce?: () => Reannounce;
  /** Viewers report to the shard, which plans fetchers (worker/tracker/fetchers.ts) and leases. */
  edgeFetchers: boolean;
  /**
   * The uplink probe (client/uplink-probe.ts, client/seeding.ts): a viewer neither claims nor
   * uploads until it has timed its uplink, and not while that found it slow
   * (client/claim-policy.ts SlowUplink). Undefined: it uploads from the start (stock).
   */
  uplinkProbe?: () => SlowUplink;
}
