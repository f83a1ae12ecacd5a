// The three things the swarm bench compares, on the same stream in the same run:
//   edgeswarm   – our Worker tracker (/announce/<channel>) + the client's tuned core config
//                 + SHA-256 check of every peer segment (the real product path);
//   stock       – p2p-media-loader defaults + bittorrent-tracker's own Server;
//   stock-tuned – stock with the hand-tuned windows from the field notes (2 s / 6 s / 30 s);
//   p2p-off     – the EdgeSwarm client with P2P off (hls.js alone): the egress EdgeSwarm must
//                 never exceed, measured instead of assumed (browser mode, on request).
// It only builds configs; running them is run-variant.ts.
import type { CoreConfig } from "p2p-media-loader-core";
// The client's tuned engine config, the same object client/player.ts spreads into the core.
// Values only (the file has no imports), so it loads in Node as it is.
import { CORE_TUNING, windowsFor } from "../../client/engine-config.ts";
import type { PlayerOverrides } from "../../harness/virtual-viewer/player-model.ts";
import type { VariantName } from "./args.ts";

export interface VariantSpec {
  name: VariantName;
  core: Partial<CoreConfig>;
  player: PlayerOverrides;
  integrity: boolean;
  tracker: "worker" | "stock";
  /** Windows per target duration, applied when the playlist loads (EdgeSwarm client only). */
  windowsFor?: (targetDuration: number, live: boolean, slowestHttpS: number, joining: boolean) => Partial<CoreConfig>;
  /** Edge seeding (client/seeder.ts): claim new live segments on this tracker channel. */
  seed?: { channel: string };
  /** Where the config came from, printed with every table. */
  configSource: string;
  /** False: the client's P2P is off (the p2p-off variant). */
  p2p?: boolean;
}

/** The windows that took stock to ~0.91 of ideal in the field notes' browser run. */
export const HAND_TUNED: Partial<CoreConfig> = {
  highDemandTimeWindow: 2,
  httpDownloadTimeWindow: 6,
  p2pDownloadTimeWindow: 30,
};

/**
 * The EdgeSwarm client's core settings as client/player.ts builds them: CORE_TUNING, the
 * default swarm id (manifest URL without query, which the viewer's core derives itself),
 * windowsFor(target duration) applied once the playlist is known, and hls.js left to the
 * engine for maxBufferLength / liveSyncDurationCount (HLS_TUNING only sets retry
 * policies, which the player model does not simulate).
 */
export function edgeSwarmCoreConfig(): Partial<CoreConfig> {
  return { ...CORE_TUNING };
}

function describeWindows(w: { highDemandTimeWindow: number; httpDownloadTimeWindow: number; p2pDownloadTimeWindow: number }): string {
  return `highDemand ${w.highDemandTimeWindow} s, http ${w.httpDownloadTimeWindow} s, p2p ${w.p2pDownloadTimeWindow} s`;
}

export function buildVariant(name: VariantName, channel: string): VariantSpec {
  switch (name) {
    case "edgeswarm":
      // The channel names the tracker URL (index.ts) and the edge's claim room; the swarm id is the manifest URL.
      return {
        name,
        core: edgeSwarmCoreConfig(),
        player: {},
        integrity: true,
        tracker: "worker",
        windowsFor,
        seed: { channel },
        configSource: `client/engine-config.ts CORE_TUNING + windowsFor(target duration) (2 s segments: live ${describeWindows(windowsFor(2, true))}; VOD ${describeWindows(windowsFor(2))}; joining, live and VOD, ${windowsFor(2, true, 0.05, true).highDemandTimeWindow} s with 1 HTTP fetch at a time) + edge seeding`,
      };
    case "stock":
      return { name, core: {}, player: {}, integrity: false, tracker: "stock", configSource: "p2p-media-loader 2.3.1 defaults" };
    case "p2p-off":
      return {
        name,
        core: {},
        player: {},
        integrity: false,
        tracker: "worker",
        p2p: false,
        configSource: "the EdgeSwarm client with p2p: false (hls.js alone, no tracker, no claims)",
      };
    case "stock-tuned":
      return { name, core: { ...HAND_TUNED }, player: {}, integrity: false, tracker: "stock", configSource: "defaults + highDemand 2 s, http 6 s, p2p 30 s" };
  }
}
