// Feeds the edge seeder from hls.js: each refresh of the live media playlist being played
// becomes a SeedPlaylist in the core's own terms (swarm id, stream id, segment ids), so seeded
// bytes land exactly where the core would have put them. The ids are the ones the core hands
// its segment storage (stream-ids.ts pairs them with hls.js's playlists); nothing here
// re-derives them, so if p2p-media-loader changes its id scheme seeding follows it
// (test/unit/client/core-stream-ids.test.ts drives the real core to check).
// It also tells the seeder how far ahead hls.js may be asking (its buffer horizon), so a
// claim rarely races hls.js's own request (when it does, seeder.ts hands the bytes over).
import Hls from "hls.js";
import type { FragLoadingData, HlsListeners, LevelUpdatedData } from "hls.js";
import { hashOfFragment, type FragmentLike } from "./integrity";
import { SEED_MARGIN_S } from "./limits";
import type { EdgeSeeder, SeedSegment } from "./seeder";
import type { StreamIdBook } from "./stream-ids";

interface Frag extends FragmentLike {
  sn: number | "initSegment";
  start: number;
  end: number;
}

/** Wires hls.js playlist and fragment events to the seeder; returns the function that unwires them. */
export function bridgeSeeder(
  hls: Hls,
  seeder: EdgeSeeder,
  /** Fed with the core's requests by the segment store (plugins/edge-seeding.ts). */
  ids: StreamIdBook,
  playhead: () => number,
  /** False while this viewer must not seed (it does not upload). */
  enabled: () => boolean,
): () => void {
  const onFragLoading = (_e: string, { frag }: FragLoadingData) => {
    if (frag.type === "main" && typeof frag.sn === "number") ids.onFragmentLoad(frag.baseurl, frag.sn);
  };
  const onLevel = (_e: string, data: LevelUpdatedData) => {
    const { details } = data;
    const core = ids.idsOf(details.url);
    if (!details.live || !enabled() || !core) return;
    const segments: SeedSegment[] = [];
    for (const f of details.fragments as unknown as Frag[]) {
      if (typeof f.sn !== "number" || f.byteRange?.length) continue; // byte-range segments are not seeded
      segments.push({ url: f.url, externalId: f.sn, start: f.start, end: f.end, sha256: hashOfFragment(f) });
    }
    seeder.onPlaylist(
      {
        ...core,
        streamType: "main",
        live: true,
        segments,
        // hls.js asks for nothing beyond maxBufferLength (the P2P engine sets it), so claims
        // there never race its requests.
        minLead: hls.config.maxBufferLength + SEED_MARGIN_S,
      },
      playhead(),
    );
  };
  const wiring: Array<[keyof HlsListeners, (e: string, d: never) => void]> = [
    [Hls.Events.FRAG_LOADING, onFragLoading],
    [Hls.Events.LEVEL_UPDATED, onLevel],
  ];
  for (const [event, fn] of wiring) hls.on(event, fn as never);
  return () => {
    for (const [event, fn] of wiring) hls.off(event, fn as never);
  };
}
