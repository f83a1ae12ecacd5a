// Feeds the edge seeder from hls.js: each refresh of the live media playlist being played
// becomes a SeedPlaylist in the core's own terms (stream id, segment ids), so seeded bytes
// land exactly where the core would have put them. Stream ids are computed the way
// p2p-media-loader-hlsjs computes them (segment-manager.ts); the store only accepts ids the
// core has used itself, so a mismatch makes seeding a no-op, never a wrong segment.
//
// Not wired into player.ts yet. In Chromium runs the stream ids matched and claims were
// granted and refused as designed, but with live latency at 5 segments and the high-demand
// window at 3 × target duration there is too little time between a segment appearing and
// hls.js needing it for seeding to pay off; see docs/client.md ("Edge seeding").
import Hls from "hls.js";
import type { LevelParsed, ManifestLoadedData, LevelUpdatedData } from "hls.js";
import { generateStreamShortId } from "p2p-media-loader-core";
import { hashOfFragment, type FragmentLike } from "./integrity";
import { SEED_MARGIN_S, type EdgeSeeder, type SeedSegment } from "./seeder";

/** p2p-media-loader's peer protocol version, the prefix of every stream swarm id. */
const PEER_PROTOCOL_VERSION = "v2";

/** The core's short id of a main-stream level, as p2p-media-loader-hlsjs derives it. */
export function levelShortId(level: LevelParsed & { maxBitrate?: number }): string {
  const b = level.maxBitrate ?? level.bitrate;
  const missing = b === 0;
  return generateStreamShortId({
    bitrate: b,
    codecs: missing ? undefined : level.videoCodec,
    width: missing ? undefined : level.width,
    height: missing ? undefined : level.height,
    frameRate: missing ? undefined : level.attrs["FRAME-RATE"],
    videoRange: missing ? undefined : level.attrs["VIDEO-RANGE"],
  });
}

export function streamSwarmId(swarmId: string, shortId: string): string {
  return `${PEER_PROTOCOL_VERSION}-${swarmId}-main-${shortId}`;
}

interface Frag extends FragmentLike {
  sn: number | "initSegment";
  start: number;
  end: number;
}

/** Wires hls.js playlist events to the seeder; returns the function that unwires them. */
export function bridgeSeeder(
  hls: Hls,
  seeder: EdgeSeeder,
  swarmId: string,
  playhead: () => number,
  /** The core's current high-demand window (seconds). */
  highDemand: () => number,
): () => void {
  const shortIds = new Map<string, string>();
  const onManifest = (_e: string, data: ManifestLoadedData) => {
    for (const level of data.levels) {
      const url = Array.isArray(level.url) ? (level.url as string[])[0] : level.url;
      if (url) shortIds.set(url, levelShortId(level));
    }
  };
  const onLevel = (_e: string, data: LevelUpdatedData) => {
    const { details } = data;
    if (!details.live) return;
    const shortId = shortIds.get(details.url);
    if (!shortId) return;
    const segments: SeedSegment[] = [];
    for (const f of details.fragments as unknown as Frag[]) {
      if (typeof f.sn !== "number" || f.byteRange?.length) continue; // byte-range segments are not seeded
      segments.push({ url: f.url, externalId: f.sn, start: f.start, end: f.end, sha256: hashOfFragment(f) });
    }
    seeder.onPlaylist({ swarmId, streamId: streamSwarmId(swarmId, shortId), streamType: "main", live: true, segments, minLead: highDemand() + SEED_MARGIN_S }, playhead());
  };
  hls.on(Hls.Events.MANIFEST_LOADED, onManifest);
  hls.on(Hls.Events.LEVEL_UPDATED, onLevel);
  // Refused segments are checked between playlist refreshes too (the fallback deadline).
  const timer = setInterval(() => seeder.tick(playhead()), 250);
  return () => {
    clearInterval(timer);
    hls.off(Hls.Events.MANIFEST_LOADED, onManifest);
    hls.off(Hls.Events.LEVEL_UPDATED, onLevel);
  };
}
