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
import { bytesResource, respond } from "./serve";

export type Area = "vod" | "live";

export const objectKey = (area: Area, stream: string, path: string) => `${area}/${stream}/${path}`;
export const indexKey = (stream: string, playlistPath: string) => `live/${stream}/.index/${playlistPath}.json`;

export async function serveStored(request: Request, env: Env, area: Area, stream: string, file: string): Promise<Response> {
  const fp = parseFilePath(file);
  if (!fp.ok) return jsonError(400, fp.reason);
  const key = objectKey(area, stream, fp.value.path);
  if (fp.value.kind === "playlist") {
    // One get, not head + get: a live playlist is replaced every segment, and its size
    // and ETag must come from the same version as its bytes.
    const obj = await env.MEDIA.get(key);
    if (!obj) return jsonError(404, `no such file in stream ${stream}`);
    return respond(
      request,
      bytesResource(await obj.arrayBuffer(), {
        type: fp.value.type,
        etag: obj.httpEtag,
        cacheControl: area === "live" ? CACHE_LIVE_PLAYLIST : CACHE_VOD_PLAYLIST,
      }),
    );
  }
  // Segments never change once stored (VOD: no overwrite; live: no reuse inside the
  // window), so head then a ranged get is safe; one deleted in between answers 404.
  const head = await env.MEDIA.head(key);
  if (!head) return jsonError(404, `no such file in stream ${stream}`);
  const sha = head.customMetadata?.sha256;
  return respond(request, {
    size: head.size,
    type: fp.value.type,
    etag: sha ? `"${sha}"` : head.httpEtag,
    cacheControl: CACHE_SEGMENT,
    ...(sha ? { sha256: sha } : {}),
    read: async (range) => {
      const obj = await env.MEDIA.get(key, range ? { range } : {});
      return obj && "body" in obj ? obj.body : null;
    },
  });
}
