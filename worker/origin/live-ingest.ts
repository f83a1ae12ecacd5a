// Live media playlist ingest: merges each incoming playlist into the Worker-owned index
// (live-index.ts), stores the rendered playlist, and deletes segments that left the DVR
// window. ffmpeg's HTTP output does not wait for one PUT's answer before the next, so
// PUTs of one stream overlap; this module converges anyway:
//   - the index is written with an R2 etag condition; on conflict we re-read and re-merge
//     (merging is idempotent, so a late older playlist changes nothing);
//   - a playlist whose newest segments are not stored yet is kept as `pending` in the
//     index; the segment's own PUT, once stored, merges it again (afterLiveSegment);
//   - after writing, the writer re-checks what it waited for and what it rendered,
//     so the last event always leaves index, playlist text and storage in agreement.
// Only allowlisted tags get in or out (live-tags.ts): an incoming playlist is filtered
// before it is merged, and the served text again when rendered (an index written before
// the allowlist may still hold other tags).
import type { Env } from "../env";
import { json, jsonError } from "../http";
import { DEFAULT_DVR_SECONDS, MAX_DVR_SECONDS, MIN_DVR_SECONDS } from "./limits";
import { indexToPlaylist, mergeLive, newerPlaylist, newSegments, parseIndex, type LiveIndex, type MergeResult } from "./live-index";
import { liveTagsOnly } from "./live-tags";
import { resolveRelative, segmentPaths, type FilePath } from "./names";
import { renderMedia, type MediaPlaylist } from "./playlist";
import { indexKey, objectKey } from "./storage";

/** Attempts per reconcile before giving up on a hot conflict (the next PUT retries anyway). */
const MAX_ATTEMPTS = 6;

async function readIndex(env: Env, key: string): Promise<{ index: LiveIndex | null; etag: string | null }> {
  const obj = await env.MEDIA.get(key);
  if (!obj) return { index: null, etag: null };
  try {
    return { index: parseIndex(await obj.json()), etag: obj.etag };
  } catch {
    return { index: null, etag: obj.etag }; // unreadable: restart the window, keep the etag guard
  }
}

async function renderAndStore(env: Env, stream: string, playlistPath: string, index: LiveIndex): Promise<void> {
  const text = renderMedia(liveTagsOnly(indexToPlaylist(index), playlistPath), { hashOf: (s) => index.segments.find((e) => e.uri === s.uri)?.sha256 });
  await env.MEDIA.put(objectKey("live", stream, playlistPath), text, { httpMetadata: { contentType: "application/vnd.apple.mpegurl" } });
}

/**
 * Merges `incoming` (or the index's pending playlist when null) until the index write
 * wins; returns the last merge, or null when there was nothing to merge.
 */
async function reconcile(env: Env, stream: string, fp: FilePath, incoming: MediaPlaylist | null): Promise<MergeResult | null> {
  const ikey = indexKey(stream, fp.path);
  let result: MergeResult | null = null;
  let source = incoming;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { index: prev, etag } = await readIndex(env, ikey);
    // Keep whichever of (this PUT, the one waiting in the index) reaches further.
    const pl = newerPlaylist(source, prev?.pending);
    if (!pl) return result;
    const sp = segmentPaths(fp, pl);
    if (!sp.ok) return result;
    const found = new Map<string, string>();
    await Promise.all(
      newSegments(prev, pl).segments.map(async (s) => {
        const sha = (await env.MEDIA.head(objectKey("live", stream, sp.paths.get(s.uri)!)))?.customMetadata?.sha256;
        if (sha) found.set(s.uri, sha);
      }),
    );
    const merged = mergeLive(prev, pl, (uri) => found.get(uri), dvrSeconds(env));
    const written = await env.MEDIA.put(ikey, JSON.stringify(merged.index), {
      ...(etag ? { onlyIf: { etagMatches: etag } } : {}),
      customMetadata: { waiting: merged.waiting.length ? sp.paths.get(merged.waiting[0]!)! : "" },
    });
    if (written === null) continue; // someone else wrote the index: merge again on top of theirs
    await renderAndStore(env, stream, fp.path, merged.index);
    // If another writer got in after us, our text may be older than theirs: render the latest.
    const now = await env.MEDIA.head(ikey);
    if (now && now.etag !== written.etag) {
      const latest = await readIndex(env, ikey);
      if (latest.index) await renderAndStore(env, stream, fp.path, latest.index);
    }
    // Only now, with no stored playlist naming them any more, delete what left the window.
    const gone = merged.removed.map((uri) => resolveRelative(fp.path, uri)).flatMap((r) => (r.ok ? [objectKey("live", stream, r.value.path)] : []));
    if (gone.length) await env.MEDIA.delete(gone);
    result = merged;
    // The segment we wait for may have been stored between our head and our write.
    const next = merged.waiting[0];
    if (!next) return result;
    if (!(await env.MEDIA.head(objectKey("live", stream, sp.paths.get(next)!)))) return result;
    source = null;
  }
  return result;
}

/** The DVR window (DVR_WINDOW_SECONDS), clamped; a missing or bad value gets the default. */
export function dvrSeconds(env: Env): number {
  const v = Number(env.DVR_WINDOW_SECONDS);
  if (!Number.isFinite(v) || v <= 0) return DEFAULT_DVR_SECONDS;
  return Math.min(MAX_DVR_SECONDS, Math.max(MIN_DVR_SECONDS, v));
}

export async function putLiveMedia(env: Env, stream: string, fp: FilePath, incoming: MediaPlaylist): Promise<Response> {
  const sp = segmentPaths(fp, incoming);
  if (!sp.ok) return jsonError(400, sp.reason);
  const merged = await reconcile(env, stream, fp, liveTagsOnly(incoming, fp.path));
  if (!merged) return jsonError(409, "live playlist is being updated concurrently; retry");
  return json({ stored: fp.path, added: merged.added, removed: merged.removed, waiting: merged.waiting }, { status: 200 });
}

/** After a live segment is stored: merge any playlist of this stream that waits for it. */
export async function afterLiveSegment(env: Env, stream: string, segmentPath: string): Promise<void> {
  const prefix = `live/${stream}/.index/`; // see storage.ts indexKey
  const page = await env.MEDIA.list({ prefix, include: ["customMetadata"] });
  for (const o of page.objects) {
    if (o.customMetadata?.waiting !== segmentPath) continue;
    const playlistPath = o.key.slice(prefix.length).replace(/\.json$/, "");
    const fp: FilePath = { path: playlistPath, ext: "m3u8", type: "application/vnd.apple.mpegurl", kind: "playlist" };
    await reconcile(env, stream, fp, null);
  }
}
