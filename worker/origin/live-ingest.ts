// Live media playlist ingest: merges each incoming playlist into the Worker-owned index
// (live-index.ts), stores the rendered playlist, and deletes segments that left the DVR
// window. ffmpeg's HTTP output does not wait for one PUT's answer before the next, so
// PUTs of one stream overlap and arrive in any order; this module converges anyway:
//   - every update of a stream's indexes goes through that stream's LiveStream Durable
//     Object (live-stream.ts), one at a time, so read → merge → write → render → delete
//     is never interleaved with another update;
//   - a playlist only announces segments (the index's plan); a segment PUT, once stored,
//     merges again the playlists waiting for it (afterLiveSegment);
//   - a segment that never comes is skipped after segmentWaitMs (the object's alarm fires
//     then, even when no other PUT arrives, so a final ENDLIST is not held back).
// Only allowlisted tags get in or out (live-tags.ts): an incoming playlist is filtered
// before it is merged, and the served text again when rendered (an index written before
// the allowlist may still hold other tags).
import type { Env } from "../env";
import { json, jsonError } from "../http";
import { DEFAULT_DVR_SECONDS, MAX_DVR_SECONDS, MIN_DVR_SECONDS } from "./limits";
import { indexToPlaylist, lookups, mergeLive, nextDeadline, parseIndex, type LiveIndex } from "./live-index";
import { liveTagsOnly } from "./live-tags";
import { resolveRelative, segmentPaths, type FilePath } from "./names";
import { renderMedia, type MediaPlaylist } from "./playlist";
import { indexKey, objectKey } from "./storage";

/** What one update did, as the ingest answer reports it, plus what the object must remember. */
export interface LiveUpdate {
  added: string[];
  removed: string[];
  waiting: string[];
  skipped: string[];
  restarted: boolean;
  /** Stream paths of the waiting segments (a PUT of one of them merges again). */
  waitingPaths: string[];
  /** When the first waiting segment is given up on (ms), or null when nothing waits. */
  deadline: number | null;
}

async function readIndex(env: Env, key: string): Promise<LiveIndex | null> {
  const obj = await env.MEDIA.get(key);
  if (!obj) return null;
  try {
    return parseIndex(await obj.json());
  } catch {
    return null; // unreadable: restart the window
  }
}

const pathOf = (playlistPath: string, uri: string) => {
  const r = resolveRelative(playlistPath, uri);
  return r.ok ? r.value.path : null;
};

/**
 * One update of the index of `playlistPath`: merge `incoming` (or, with null, re-check what
 * waits), write the index, store the rendered playlist, then delete what left the window.
 * Call it only from the stream's LiveStream object, which runs one at a time.
 */
export async function updateLiveIndex(env: Env, stream: string, playlistPath: string, incoming: MediaPlaylist | null, now: number): Promise<LiveUpdate> {
  const ikey = indexKey(stream, playlistPath);
  const prev = await readIndex(env, ikey);
  // Nothing to re-check (the stream was deleted, DELETE /ingest/live/<stream>): write nothing back.
  if (!prev && !incoming) return { added: [], removed: [], waiting: [], skipped: [], restarted: false, waitingPaths: [], deadline: null };
  const found = new Map<string, { sha256: string; size: number }>();
  await Promise.all(
    lookups(prev, incoming).map(async (uri) => {
      const path = pathOf(playlistPath, uri);
      const head = path === null ? null : await env.MEDIA.head(objectKey("live", stream, path));
      const sha = head?.customMetadata?.sha256;
      if (head && sha) found.set(uri, { sha256: sha, size: head.size });
    }),
  );
  const merged = mergeLive(prev, incoming, (uri) => found.get(uri)?.sha256, dvrSeconds(env), now);
  const index = merged.index;
  // Segments indexed by this merge were all looked up, so their stored sizes are known here.
  for (const e of index.segments) if (e.size === undefined && found.has(e.uri)) e.size = found.get(e.uri)!.size;
  await env.MEDIA.put(ikey, JSON.stringify(index));
  const text = renderMedia(liveTagsOnly(indexToPlaylist(index), playlistPath), {
    hashOf: (s) => index.segments.find((e) => e.uri === s.uri)?.sha256,
    sizeOf: (s) => index.segments.find((e) => e.uri === s.uri)?.size,
  });
  await env.MEDIA.put(objectKey("live", stream, playlistPath), text, { httpMetadata: { contentType: "application/vnd.apple.mpegurl" } });
  // Only now, with no stored playlist naming them any more, delete what left the window.
  const gone = merged.removed.flatMap((uri) => pathOf(playlistPath, uri) ?? []).map((p) => objectKey("live", stream, p));
  if (gone.length) await env.MEDIA.delete(gone);
  const { added, removed, waiting, skipped, restarted } = merged;
  return { added, removed, waiting, skipped, restarted, waitingPaths: waiting.flatMap((u) => pathOf(playlistPath, u) ?? []), deadline: nextDeadline(index) };
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
  const u = await env.LIVE.getByName(stream).playlist(stream, fp.path, liveTagsOnly(incoming, fp.path));
  return json({ stored: fp.path, added: u.added, removed: u.removed, waiting: u.waiting, skipped: u.skipped, restarted: u.restarted }, { status: 200 });
}

/** After a live segment is stored: merge any playlist of this stream that waits for it. */
export async function afterLiveSegment(env: Env, stream: string, segmentPath: string): Promise<void> {
  await env.LIVE.getByName(stream).segmentStored(stream, segmentPath);
}
