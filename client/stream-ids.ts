// Which of p2p-media-loader-core's streams a media playlist of hls.js is, in the core's own
// ids. The core tells its segment storage the swarm id and stream id of every segment it
// requests (SegmentStorage.onSegmentRequested; the stream id is what the stream's tracker
// info_hash is made from), and hls.js says which playlist each fragment it loads is from.
// A core request for a media sequence number that hls.js has just loaded from one playlist
// pairs that playlist with the core's ids, so the edge seeder stores won segments exactly where the core looks,
// without re-deriving the library's id scheme. Until a pair is certain (none yet, or two
// playlists loaded the same number, as after a level switch) there are no ids, and seeding
// waits: a wrong id would put one rendition's bytes under another's.
// Pure: no hls.js, no core, no timers.
import { STREAM_ID_PAIRING_WINDOW } from "./limits";

export interface CoreIds {
  swarmId: string;
  streamId: string;
}

export interface StreamIdBook {
  /** hls.js started loading main fragment `sn` of the media playlist at `playlist`. */
  onFragmentLoad(playlist: string, sn: number): void;
  /**
   * The core requested main segment `sn` (live: the media sequence number) under these ids.
   * hls.js announces a fragment load (FRAG_LOADING) before the core, which first awaits its
   * storage, gets the request, so the load is already known here.
   */
  onCoreRequest(swarmId: string, streamId: string, sn: number): void;
  /** The core's ids for the media playlist at `playlist`, once paired. */
  idsOf(playlist: string): CoreIds | undefined;
}

export function streamIdBook(): StreamIdBook {
  /** Media playlist each recent main fragment number was loaded from; "" when two were. */
  const loads = new Map<number, string>();
  const byPlaylist = new Map<string, CoreIds>();
  return {
    onFragmentLoad(playlist, sn) {
      const seen = loads.get(sn);
      loads.set(sn, seen === undefined || seen === playlist ? playlist : "");
      if (loads.size > STREAM_ID_PAIRING_WINDOW) loads.delete(loads.keys().next().value!);
    },
    onCoreRequest(swarmId, streamId, sn) {
      const playlist = loads.get(sn);
      if (!playlist) return;
      for (const [p, ids] of byPlaylist) if (ids.streamId === streamId) byPlaylist.delete(p);
      byPlaylist.set(playlist, { swarmId, streamId });
    },
    idsOf: (playlist) => byPlaylist.get(playlist),
  };
}
