// Feeds the edge seeder from hls.js: each refresh of the live media playlist being played
// becomes a SeedPlaylist in the core's own terms (stream id, segment ids), so seeded bytes
// land exactly where the core would have put them. Stream ids are computed the way
// p2p-media-loader-hlsjs computes them (segment-manager.ts); the store only accepts ids the
// core has used itself, so a mismatch makes seeding a no-op, never a wrong segment.
// It also tells the seeder how far ahead hls.js may be asking (its buffer horizon), so a
// claim rarely races hls.js's own request (when it does, seeder.ts hands the bytes over).
import Hls from "hls.js";
import type { HlsListeners, LevelParsed, ManifestLoadedData, LevelUpdatedData } from "hls.js";
import { generateStreamShortId } from "p2p-media-loader-core";
import { hashOfFragment, type FragmentLike } from "./integrity";
import { SEED_MARGIN_S, streamSwarmId, type EdgeSeeder, type SeedSegment } from "./seeder";

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
  /** False while this viewer must not seed (it does not upload). */
  enabled: () => boolean,
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
    if (!details.live || !enabled()) return;
    const shortId = shortIds.get(details.url);
    if (!shortId) return;
    const segments: SeedSegment[] = [];
    for (const f of details.fragments as unknown as Frag[]) {
      if (typeof f.sn !== "number" || f.byteRange?.length) continue; // byte-range segments are not seeded
      segments.push({ url: f.url, externalId: f.sn, start: f.start, end: f.end, sha256: hashOfFragment(f) });
    }
    seeder.onPlaylist({
      swarmId, streamId: streamSwarmId(swarmId, shortId), streamType: "main", live: true, segments,
      // hls.js asks for nothing beyond maxBufferLength (the P2P engine sets it), so claims
      // there never race its requests.
      minLead: hls.config.maxBufferLength + SEED_MARGIN_S,
    }, playhead());
  };
  const wiring: Array<[keyof HlsListeners, (e: string, d: never) => void]> = [
    [Hls.Events.MANIFEST_LOADED, onManifest],
    [Hls.Events.LEVEL_UPDATED, onLevel],
  ];
  for (const [event, fn] of wiring) hls.on(event, fn as never);
  return () => {
    for (const [event, fn] of wiring) hls.off(event, fn as never);
  };
}
