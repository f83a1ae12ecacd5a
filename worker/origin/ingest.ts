// Authenticated ingest: PUT (or POST) /ingest/(vod|live)/<stream>/<path>, DELETE of a
// whole stream, DELETE of a live segment (accepted, ignored: the DVR window decides).
// Order of checks: auth (401) → names (400) → size (413) → content → conflicts (409),
// so a refused request never writes anything. Segments are hashed here, once.
// VOD: nothing can be overwritten with different bytes (409); a media playlist must
// list only stored segments and end with ENDLIST; a master only stored playlists.
// Live playlists: live-ingest.ts (I/O) and live-index.ts (window logic). Does not serve
// anything (storage.ts does).
import type { Env } from "../env";
import { json, jsonError } from "../http";
import { extractCredentials, ingestAccess } from "./auth";
import { BUILTIN_VOD, LOOP_STREAM } from "./builtin";
import { MAX_PLAYLIST_BYTES, MAX_SEGMENT_BYTES } from "./limits";
import { afterLiveSegment, putLiveMedia } from "./live-ingest";
import { liveMasterTagsOnly } from "./live-tags";
import { parseFilePath, parseStreamName, resolveRelative, segmentPaths, type FilePath } from "./names";
import { masterUris, parsePlaylist, renderMaster, renderMedia, type MasterPlaylist, type MediaPlaylist } from "./playlist";
import { readRequestBounded } from "../../shared/body";
import { sha256Hex } from "../../shared/sha256";
import { objectKey, type Area } from "./storage";

type Body = { ok: true; bytes: Uint8Array<ArrayBuffer> } | { ok: false; response: Response };

/** Reads the body, refusing past `limit`: Content-Length up front, counted bytes for chunked. */
async function readLimited(request: Request, limit: number): Promise<Body> {
  const body = await readRequestBounded(request, limit);
  return body.ok ? { ok: true, bytes: body.value } : { ok: false, response: jsonError(413, `body larger than ${limit} bytes`) };
}

export async function handleIngest(request: Request, env: Env, ctx: ExecutionContext, rawRest: string): Promise<Response> {
  const cred = extractCredentials(request, rawRest);
  const access = await ingestAccess(env, cred.token, Date.now());
  if (!access.ok) {
    await request.body?.cancel();
    return jsonError(401, access.error, { "www-authenticate": 'Bearer realm="ingest"' });
  }
  const m = /^(vod|live)\/([^/]*)(?:\/(.*))?$/.exec(cred.rest);
  if (!m) return jsonError(400, "ingest path must be /ingest/(vod|live)/<stream>/<file>");
  const area = m[1] as Area;
  const stream = parseStreamName(m[2]!);
  if (!stream.ok) return jsonError(400, stream.reason);
  // A per-stream ingest token (auth.ts) opens its own stream only.
  if (access.stream !== "*" && access.stream !== stream.value) {
    await request.body?.cancel();
    return jsonError(403, `this ingest token is for stream ${access.stream} only`);
  }
  if ((area === "vod" && BUILTIN_VOD.includes(stream.value)) || (area === "live" && stream.value === LOOP_STREAM)) {
    return jsonError(409, `stream name ${stream.value} is reserved for the built-in stream`);
  }
  const method = request.method;
  if (m[3] === undefined || m[3] === "") {
    if (method === "DELETE") return deleteStream(env, area, stream.value);
    return jsonError(400, "missing file name");
  }
  const fp = parseFilePath(m[3]);
  if (!fp.ok) return jsonError(400, fp.reason);
  if (method === "DELETE") {
    // ffmpeg's delete_segments sends these; retention is the Worker's DVR window.
    if (area === "live" && fp.value.kind !== "playlist") return new Response(null, { status: 204 });
    return jsonError(405, "DELETE a whole stream instead: /ingest/(vod|live)/<stream>");
  }
  if (method !== "PUT" && method !== "POST") return jsonError(405, "use PUT", { allow: "PUT, POST, DELETE" });
  const body = await readLimited(request, fp.value.kind === "playlist" ? MAX_PLAYLIST_BYTES : MAX_SEGMENT_BYTES);
  if (!body.ok) return body.response;
  // Once the whole body is here, finish storing it even if the sender hangs up: ffmpeg
  // exits right after its last PUT, and a cancelled handler would lose the final
  // playlist (with ENDLIST) or leave the live index behind the stored segments.
  const work = store(env, area, stream.value, fp.value, body.bytes);
  ctx.waitUntil(work.catch(() => undefined));
  return work;
}

async function store(env: Env, area: Area, stream: string, fp: FilePath, bytes: Uint8Array<ArrayBuffer>): Promise<Response> {
  const body = { bytes };
  if (fp.kind !== "playlist") return putSegment(env, area, stream, fp, body.bytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body.bytes);
  } catch {
    return jsonError(400, "playlist is not UTF-8");
  }
  const parsed = parsePlaylist(text);
  if (!parsed.ok) return jsonError(400, parsed.reason);
  if (parsed.playlist.kind === "master") {
    // Live playlists keep only allowlisted tags (live-tags.ts); a VOD master is published once, as sent.
    return putMaster(env, area, stream, fp, area === "live" ? liveMasterTagsOnly(parsed.playlist) : parsed.playlist);
  }
  if (area === "vod") return putVodMedia(env, stream, fp, parsed.playlist);
  return putLiveMedia(env, stream, fp, parsed.playlist);
}

async function putSegment(env: Env, area: Area, stream: string, fp: FilePath, bytes: Uint8Array<ArrayBuffer>): Promise<Response> {
  if (bytes.byteLength === 0) return jsonError(400, "empty segment");
  const key = objectKey(area, stream, fp.path);
  const sha = await sha256Hex(bytes);
  const existing = await env.MEDIA.head(key);
  if (existing) {
    // Idempotent retries are fine; different bytes would silently alter what peers verify.
    if (existing.customMetadata?.sha256 === sha) return json({ stored: fp.path, sha256: sha, unchanged: true });
    return jsonError(
      409,
      area === "vod"
        ? "segment already published with different bytes; publish under a new stream name"
        : "live segment name already in the DVR window; use unique names (ffmpeg numbers them) or DELETE the stream first",
    );
  }
  await env.MEDIA.put(key, bytes, { httpMetadata: { contentType: fp.type }, customMetadata: { sha256: sha } });
  // A live playlist may already be waiting for this segment (ffmpeg does not wait for
  // one PUT to finish before the next): let it catch up now.
  if (area === "live") await afterLiveSegment(env, stream, fp.path);
  return json({ stored: fp.path, sha256: sha }, { status: 201 });
}

/** Hashes and sizes of stored objects under a folder of a stream, one R2 list per 1000 objects. */
async function storedHashes(env: Env, area: Area, stream: string, dir: string): Promise<Map<string, { sha256: string; size: number }>> {
  const prefix = objectKey(area, stream, dir);
  const out = new Map<string, { sha256: string; size: number }>();
  let cursor: string | undefined;
  do {
    const page = await env.MEDIA.list({ prefix, cursor, include: ["customMetadata"] });
    for (const o of page.objects) {
      const rel = o.key.slice(prefix.length);
      if (!rel.includes("/") && o.customMetadata?.sha256) out.set(dir + rel, { sha256: o.customMetadata.sha256, size: o.size });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}

/** Stores a playlist text unless an identical one is there; VOD refuses changes. */
async function storePlaylist(env: Env, area: Area, stream: string, fp: FilePath, text: string): Promise<Response> {
  const key = objectKey(area, stream, fp.path);
  // encode() always returns a fresh ArrayBuffer-backed array; workerd's types say ArrayBufferLike.
  const sha = await sha256Hex(new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>);
  if (area === "vod") {
    const existing = await env.MEDIA.head(key);
    if (existing) {
      if (existing.customMetadata?.sha256 === sha) return json({ stored: fp.path, unchanged: true });
      return jsonError(409, "playlist already published; a published VOD stream cannot change");
    }
  }
  await env.MEDIA.put(key, text, { httpMetadata: { contentType: fp.type }, customMetadata: { sha256: sha } });
  return json({ stored: fp.path }, { status: 201 });
}

async function putMaster(env: Env, area: Area, stream: string, fp: FilePath, p: MasterPlaylist): Promise<Response> {
  const targets: string[] = [];
  for (const uri of masterUris(p)) {
    const r = resolveRelative(fp.path, uri);
    if (!r.ok) return jsonError(400, r.reason);
    targets.push(r.value.path);
  }
  // VOD: the master goes last, so it may only name playlists that are already stored.
  // Live: ffmpeg writes its master before the first media playlist, so it is not checked.
  if (area === "vod") {
    const missing: string[] = [];
    for (const t of targets) if (!(await env.MEDIA.head(objectKey(area, stream, t)))) missing.push(t);
    if (missing.length) return jsonError(409, `master references playlists not stored yet: ${missing.slice(0, 5).join(", ")}`);
  }
  return storePlaylist(env, area, stream, fp, renderMaster(p));
}

const dirOf = (path: string) => path.slice(0, path.lastIndexOf("/") + 1);

async function putVodMedia(env: Env, stream: string, fp: FilePath, p: MediaPlaylist): Promise<Response> {
  if (!p.endList) return jsonError(400, "a VOD media playlist must end with #EXT-X-ENDLIST");
  if (p.segments.length === 0) return jsonError(400, "playlist has no segments");
  const sp = segmentPaths(fp, p);
  if (!sp.ok) return jsonError(400, sp.reason);
  const hashes = new Map<string, { sha256: string; size: number }>();
  for (const dir of new Set([...sp.paths.values()].map(dirOf))) {
    for (const [k, v] of await storedHashes(env, "vod", stream, dir)) hashes.set(k, v);
  }
  const missing = [...sp.paths.values()].filter((path) => !hashes.has(path));
  // MAP (init segment) URIs must be stored too, or players would fetch a 404.
  for (const t of p.segments.flatMap((s) => s.tags).filter((t) => t.startsWith("#EXT-X-MAP:"))) {
    const uri = /URI="([^"]*)"/.exec(t)?.[1];
    const r = uri === undefined ? null : resolveRelative(fp.path, uri);
    if (!r || !r.ok) return jsonError(400, "bad EXT-X-MAP URI");
    if (!(await env.MEDIA.head(objectKey("vod", stream, r.value.path)))) missing.push(r.value.path);
  }
  if (missing.length)
    return jsonError(
      409,
      `playlist references segments not stored: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ` (+${missing.length - 5} more)` : ""}`,
    );
  // R2's object size is the stored body's length: the bytes a viewer, and an honest peer, get.
  const text = renderMedia(p, { hashOf: (s) => hashes.get(sp.paths.get(s.uri)!)?.sha256, sizeOf: (s) => hashes.get(sp.paths.get(s.uri)!)?.size });
  return storePlaylist(env, "vod", stream, fp, text);
}

async function deleteStream(env: Env, area: Area, stream: string): Promise<Response> {
  const prefix = `${area}/${stream}/`;
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await env.MEDIA.list({ prefix, cursor });
    const keys = page.objects.map((o) => o.key);
    if (keys.length) await env.MEDIA.delete(keys);
    deleted += keys.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  if (deleted === 0) return jsonError(404, `no stream ${stream}`);
  return json({ deleted });
}
