// R2 layout and reads. Each stream has its own prefix:
//   vod/<stream>/<path>     published VOD files   → served at /streams/<stream>/<path>
//   live/<stream>/<path>    live ingest files     → served at /live/<stream>/<path>
//   live/<stream>/.index/<playlist>.json           live window index (never served:
//                                                   names starting with "." are refused)
// Segments carry customMetadata.sha256 (computed by the Worker at ingest). Playlists are
// stored already rewritten with hash tags, so a read is a plain R2 get.
import type { Env } from "../env";
import { jsonError } from "../http";
import { CACHE_LIVE_PLAYLIST, CACHE_SEGMENT, CACHE_VOD_PLAYLIST } from "./limits";
import { parseFilePath } from "./names";
import { respond } from "./serve";

export type Area = "vod" | "live";

export const objectKey = (area: Area, stream: string, path: string) => `${area}/${stream}/${path}`;
export const indexKey = (stream: string, playlistPath: string) => `live/${stream}/.index/${playlistPath}.json`;

export async function serveStored(request: Request, env: Env, area: Area, stream: string, file: string): Promise<Response> {
  const fp = parseFilePath(file);
  if (!fp.ok) return jsonError(400, fp.reason);
  const key = objectKey(area, stream, fp.value.path);
  const head = await env.MEDIA.head(key);
  if (!head) return jsonError(404, `no such file in stream ${stream}`);
  const playlist = fp.value.kind === "playlist";
  const sha = head.customMetadata?.sha256;
  return respond(request, {
    size: head.size,
    type: fp.value.type,
    etag: playlist || !sha ? head.httpEtag : `"${sha}"`,
    cacheControl: playlist ? (area === "live" ? CACHE_LIVE_PLAYLIST : CACHE_VOD_PLAYLIST) : CACHE_SEGMENT,
    ...(sha && !playlist ? { sha256: sha } : {}),
    read: async (range) => {
      // etagMatches guards against a live playlist replaced between head and get.
      const obj = await env.MEDIA.get(key, range ? { range } : {});
      return obj && "body" in obj ? obj.body : null;
    },
  });
}
