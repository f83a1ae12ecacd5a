// Upstream mode: /upstream/<path> fronts an existing HLS origin (UPSTREAM_ORIGIN) with
// the edge cache. Segments are fetched once, hashed once, and cached with their hash
// (x-edgeswarm-sha256 in the cached response); playlists are cached ~1 s and rewritten
// on every serve so they carry hash tags for every segment whose hash is known.
// While serving a playlist, up to UPSTREAM_PREFETCH_PER_PLAYLIST unknown segments are
// fetched and hashed (4 at a time): the newest for live playlists, the first for VOD,
// so live upstream streams get tags for the segments players are about to fetch.
import type { Env } from "../env";
import { jsonError } from "../http";
import {
  CACHE_SEGMENT,
  MAX_PLAYLIST_BYTES,
  MAX_SEGMENT_BYTES,
  UPSTREAM_HASH_LOOKUPS_PER_PLAYLIST,
  UPSTREAM_HASH_MEMO_ENTRIES,
  UPSTREAM_PLAYLIST_TTL,
  UPSTREAM_PREFETCH_CONCURRENCY,
  UPSTREAM_PREFETCH_PER_PLAYLIST,
  UPSTREAM_SEGMENT_TTL,
  UPSTREAM_TIMEOUT_MS,
} from "./limits";
import { contentTypeFor } from "./names";
import { parsePlaylist, renderMaster, renderMedia } from "./playlist";
import { readBounded } from "../../shared/body";
import { HASH_HEADER } from "../../shared/hash-tag";
import { sha256Hex } from "../../shared/sha256";
import { bytesResource, respond } from "./serve";
import { mapUpstreamUri, parseUpstreamBase, upstreamTarget } from "./upstream-rewrite";

// Hashes seen by this isolate (URL → sha256). Only a memo: the edge cache is the record.
const memo = new Map<string, string>();
function remember(url: string, sha: string) {
  if (memo.size >= UPSTREAM_HASH_MEMO_ENTRIES) memo.delete(memo.keys().next().value!);
  memo.set(url, sha);
}

/** Per-request context: waitUntil, and the Worker's own origin for cache keys. */
interface Ctx {
  ctx: ExecutionContext;
  keyBase: string;
}

/**
 * Cache key for an upstream URL. It lives under the Worker's own host (the Cache API
 * stores per zone) on a path no route serves, so it cannot collide with real URLs.
 */
const cacheKey = (u: Ctx, target: URL) => new Request(`${u.keyBase}/__edgeswarm-upstream-cache/${encodeURIComponent(target.href)}`);

async function cache(): Promise<Cache> {
  return caches.default;
}

async function fetchUpstream(
  target: URL,
  limit: number,
): Promise<{ ok: true; bytes: ArrayBuffer; type: string | null } | { ok: false; status: number; error: string }> {
  let r: Response;
  try {
    r = await fetch(target.href, { signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS), redirect: "manual" });
  } catch {
    return { ok: false, status: 502, error: "upstream unreachable" };
  }
  if (r.status === 404) {
    await r.body?.cancel();
    return { ok: false, status: 404, error: "not found upstream" };
  }
  if (r.status !== 200) {
    await r.body?.cancel();
    return { ok: false, status: 502, error: `upstream answered ${r.status}` };
  }
  const cl = Number(r.headers.get("content-length") ?? "0");
  if (cl > limit) {
    await r.body?.cancel();
    return { ok: false, status: 502, error: "upstream object too large" };
  }
  const body = await readBounded(r.body, limit);
  if (!body.ok) return { ok: false, status: 502, error: "upstream object too large" };
  return { ok: true, bytes: body.value.buffer, type: r.headers.get("content-type") };
}

interface Cached {
  bytes: ArrayBuffer;
  sha256: string;
  type: string;
}

async function cachedSegment(u: Ctx, target: URL): Promise<Cached | null> {
  const hit = await (await cache()).match(cacheKey(u, target));
  if (!hit) return null;
  const sha = hit.headers.get(HASH_HEADER);
  const bytes = await hit.arrayBuffer();
  if (!sha) return null;
  remember(target.href, sha);
  return { bytes, sha256: sha, type: hit.headers.get("content-type") ?? contentTypeFor(target.pathname) };
}

/** Fetches, hashes and caches one segment; the hash is computed here and only here. */
async function loadSegment(u: Ctx, target: URL): Promise<Cached | { status: number; error: string }> {
  const hit = await cachedSegment(u, target);
  if (hit) return hit;
  const r = await fetchUpstream(target, MAX_SEGMENT_BYTES);
  if (!r.ok) return { status: r.status, error: r.error };
  const sha = await sha256Hex(new Uint8Array(r.bytes));
  const type = contentTypeFor(target.pathname);
  remember(target.href, sha);
  const stored = new Response(r.bytes.slice(0), {
    headers: { "content-type": type, "cache-control": `public, max-age=${UPSTREAM_SEGMENT_TTL}`, [HASH_HEADER]: sha },
  });
  u.ctx.waitUntil((await cache()).put(cacheKey(u, target), stored));
  return { bytes: r.bytes, sha256: sha, type };
}

async function knownHash(u: Ctx, target: URL, budget: { lookups: number }): Promise<string | undefined> {
  const m = memo.get(target.href);
  if (m) return m;
  if (budget.lookups <= 0) return undefined;
  budget.lookups--;
  const hit = await (await cache()).match(cacheKey(u, target));
  const sha = hit?.headers.get(HASH_HEADER) ?? undefined;
  await hit?.body?.cancel();
  if (sha) remember(target.href, sha);
  return sha;
}

async function playlistText(u: Ctx, target: URL): Promise<{ ok: true; text: string } | { ok: false; status: number; error: string }> {
  const c = await cache();
  const hit = await c.match(cacheKey(u, target));
  if (hit) return { ok: true, text: await hit.text() };
  const r = await fetchUpstream(target, MAX_PLAYLIST_BYTES);
  if (!r.ok) return r;
  const text = new TextDecoder().decode(r.bytes);
  u.ctx.waitUntil(c.put(cacheKey(u, target), new Response(text, { headers: { "cache-control": `public, max-age=${UPSTREAM_PLAYLIST_TTL}` } })));
  return { ok: true, text };
}

async function servePlaylist(request: Request, u: Ctx, base: URL, target: URL): Promise<Response> {
  const t = await playlistText(u, target);
  if (!t.ok) return jsonError(t.status, t.error);
  const parsed = parsePlaylist(t.text);
  if (!parsed.ok) return jsonError(502, `upstream playlist invalid: ${parsed.reason}`);
  const p = parsed.playlist;
  const map = (uri: string) => mapUpstreamUri(base, target, uri).uri;
  let body: string;
  if (p.kind === "master") {
    body = renderMaster(p, map);
  } else {
    const targets = p.segments.map((s) => (s.tags.some((x) => x.startsWith("#EXT-X-BYTERANGE")) ? null : mapUpstreamUri(base, target, s.uri).target));
    const budget = { lookups: UPSTREAM_HASH_LOOKUPS_PER_PLAYLIST };
    // Live: look at the newest first (what players fetch next); VOD: from the start.
    const order = targets.map((_, i) => i);
    if (!p.endList) order.reverse();
    const hashes = new Map<number, string>();
    for (const i of order) {
      const tg = targets[i];
      if (!tg) continue;
      const h = await knownHash(u, tg, budget);
      if (h) hashes.set(i, h);
    }
    const todo = order.filter((i) => targets[i] && !hashes.has(i)).slice(0, UPSTREAM_PREFETCH_PER_PLAYLIST);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(UPSTREAM_PREFETCH_CONCURRENCY, todo.length) }, async () => {
        while (next < todo.length) {
          const i = todo[next++]!;
          const r = await loadSegment(u, targets[i]!);
          if ("sha256" in r) hashes.set(i, r.sha256);
        }
      }),
    );
    const index = new Map(p.segments.map((s, i) => [s, i]));
    body = renderMedia(p, { hashOf: (s) => hashes.get(index.get(s)!), mapUri: map });
  }
  const bytes = new TextEncoder().encode(body).buffer as ArrayBuffer;
  return respond(
    request,
    bytesResource(bytes, {
      type: "application/vnd.apple.mpegurl",
      etag: `"${(await sha256Hex(new Uint8Array(bytes))).slice(0, 32)}"`,
      cacheControl: `public, max-age=${UPSTREAM_PLAYLIST_TTL}`,
    }),
  );
}

export async function handleUpstream(request: Request, env: Env, ctx: ExecutionContext, rest: string): Promise<Response> {
  const base = parseUpstreamBase(env.UPSTREAM_ORIGIN);
  if (!base) return jsonError(404, "upstream mode is off (UPSTREAM_ORIGIN is not set)");
  if (request.method !== "GET" && request.method !== "HEAD") return jsonError(405, "method not allowed", { allow: "GET, HEAD" });
  const target = upstreamTarget(base, rest);
  if (!target) return jsonError(400, "bad upstream path");
  const u: Ctx = { ctx, keyBase: new URL(request.url).origin };
  if (/\.m3u8$/i.test(target.pathname)) return servePlaylist(request, u, base, target);
  const seg = await loadSegment(u, target);
  if (!("sha256" in seg)) return jsonError(seg.status, seg.error);
  return respond(request, bytesResource(seg.bytes, { type: seg.type, etag: `"${seg.sha256}"`, cacheControl: CACHE_SEGMENT, sha256: seg.sha256 }));
}
