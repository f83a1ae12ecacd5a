// The three things the swarm bench compares, on the same stream in the same run:
//   edgeswarm   – our Worker tracker (/announce/<channel>) + the client's tuned core config
//                 + SHA-256 check of every peer segment (the real product path);
//   stock       – p2p-media-loader defaults + bittorrent-tracker's own Server;
//   stock-tuned – stock with the hand-tuned windows from the field notes (2 s / 6 s / 30 s).
// It only builds configs; running them is run-variant.ts.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { CoreConfig } from "p2p-media-loader-core";
import type { PlayerOverrides } from "../../test/helpers/virtual-viewer/player-model.ts";
import type { VariantName } from "./args.ts";

export interface VariantSpec {
  name: VariantName;
  core: Partial<CoreConfig>;
  player: PlayerOverrides;
  integrity: boolean;
  tracker: "worker" | "stock";
  /** Where the config came from, printed with every table. */
  configSource: string;
}

/** The windows that took stock to ~0.91 of ideal in the field notes' browser run. */
export const HAND_TUNED: Partial<CoreConfig> = {
  highDemandTimeWindow: 2,
  httpDownloadTimeWindow: 6,
  p2pDownloadTimeWindow: 30,
};

const ROOT = resolve(import.meta.dirname, "../..");
// Where the client engineer's tuned engine config is expected (client/ is theirs). The
// bench reads it as data: a `coreConfig` (p2p-media-loader core options) and optionally
// `hlsConfig` ({ maxBufferLength, liveSyncDurationCount }) export.
const CLIENT_CONFIG_CANDIDATES = ["client/engine-config.ts", "client/src/engine-config.ts"];

interface ClientConfigModule {
  coreConfig?: unknown;
  CORE_CONFIG?: unknown;
  engineConfig?: unknown;
  hlsConfig?: unknown;
  HLS_CONFIG?: unknown;
}

export async function loadEdgeSwarmConfig(): Promise<{ core: Partial<CoreConfig>; player: PlayerOverrides; source: string }> {
  for (const rel of CLIENT_CONFIG_CANDIDATES) {
    const abs = resolve(ROOT, rel);
    if (!existsSync(abs)) continue;
    const mod = (await import(pathToFileURL(abs).href)) as ClientConfigModule;
    const core = mod.coreConfig ?? mod.CORE_CONFIG ?? mod.engineConfig;
    if (core && typeof core === "object") {
      const hls = (mod.hlsConfig ?? mod.HLS_CONFIG ?? {}) as Record<string, unknown>;
      const player: PlayerOverrides = {};
      if (typeof hls.maxBufferLength === "number") player.maxBufferLength = hls.maxBufferLength;
      if (typeof hls.liveSyncDurationCount === "number") player.liveSyncDurationCount = hls.liveSyncDurationCount;
      return { core: core as Partial<CoreConfig>, player, source: rel };
    }
  }
  return { core: { ...HAND_TUNED }, player: {}, source: "hand-tuned windows 2/6/30 s (no client engine config found)" };
}

export async function buildVariant(name: VariantName, channel: string): Promise<VariantSpec> {
  switch (name) {
    case "edgeswarm": {
      const es = await loadEdgeSwarmConfig();
      // All viewers of one stream meet in one swarm (contract: channel = stream name).
      return { name, core: { swarmId: channel, ...es.core }, player: es.player, integrity: true, tracker: "worker", configSource: es.source };
    }
    case "stock":
      return { name, core: {}, player: {}, integrity: false, tracker: "stock", configSource: "p2p-media-loader 2.3.1 defaults" };
    case "stock-tuned":
      return { name, core: { ...HAND_TUNED }, player: {}, integrity: false, tracker: "stock", configSource: "defaults + highDemand 2 s, http 6 s, p2p 30 s" };
  }
}
