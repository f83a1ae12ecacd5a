// Upstream mode: /upstream/<path> fronts an existing HLS origin (UPSTREAM_ORIGIN) with
// the edge cache. Only HLS playlists and media are proxied (upstreamKind), always
// without the query (upstreamTarget). A segment miss streams through: the upstream body
// is counted against MAX_SEGMENT_BYTES, then teed to the viewer, into the edge cache and
// through a SHA-256 DigestStream, so no whole-segment buffer is held; the hash is stored
// next to the body (a "meta" entry) once the last byte has passed. Playlists (≤ 1 MiB)
// are read whole, cached ~1 s and rewritten on every serve with hash tags for every
// segment whose hash is known; up to UPSTREAM_PREFETCH_PER_PLAYLIST unknown ones are
// fetched and hashed per playlist request (the newest for live, the first for VOD).
// Failures are remembered for UPSTREAM_FAILURE_TTL s and fetches per isolate are capped.
import type { Env } from "../env";
import { jsonError } from "../http";
import {
  CACHE_SEGMENT,
  MAX_PLAYLIST_BYTES,
  MAX_SEGMENT_BYTES,
  UPSTREAM_FAILURE_MEMO_ENTRIES,
  UPSTREAM_FAILURE_TTL,
  UPSTREAM_HASH_LOOKUPS_PER_PLAYLIST,
  UPSTREAM_HASH_MEMO_ENTRIES,
  UPSTREAM_MAX_CONCURRENT,
  UPSTREAM_PLAYLIST_TTL,
  UPSTREAM_PREFETCH_CONCURRENCY,
  UPSTREAM_PREFETCH_PER_PLAYLIST,
  UPSTREAM_PREFETCH_SLOTS,
  UPSTREAM_RETRY_AFTER_S,
  UPSTREAM_SEGMENT_TTL,
  UPSTREAM_SLOT_MAX_MS,
  UPSTREAM_SLOT_POLL_MS,
  UPSTREAM_SLOT_WAIT_MS,
  UPSTREAM_TIMEOUT_MS,
} from "./limits";
import { parsePlaylist, renderMaster, renderMedia } from "./playlist";
import { readBounded } from "../../shared/body";
import { sha256Hex, toHex } from "../../shared/sha256";
import { respond, type Resource } from "./serve";
import { mapUpstreamUri, parseUpstreamBase, upstreamKind, upstreamTarget } from "./upstream-rewrite";

/** What is known about one upstream URL: its stored bytes' hash, or a recent failure. */
type Meta = { ok: true; sha256: string; size: number; fill: string } | { ok: false; status: number; error: string; until: number };

// This isolate's memo of what the edge cache's meta entries say (hashes, and failures until
// they expire). Only a memo: the meta entries are the record. Each map is bounded, oldest out.
const hashes = new Map<string, Meta & { ok: true }>();
const failures = new Map<string, Meta & { ok: false }>();
function bounded<V>(m: Map<string, V>, key: string, v: V, max: number) {
  m.delete(key);
  if (m.size >= max) m.delete(m.keys().next().value!);
  m.set(key, v);
}
function remember(url: string, m: Meta) {
  if (m.ok) {
    failures.delete(url);
    bounded(hashes, url, m, UPSTREAM_HASH_MEMO_ENTRIES);
  } else {
    hashes.delete(url);
    bounded(failures, url, m, UPSTREAM_FAILURE_MEMO_ENTRIES);
  }
}
function recalled(url: string): Meta | undefined {
  const f = failures.get(url);
  if (f && f.until > Date.now()) return f;
  if (f) failures.delete(url);
  return hashes.get(url);
}

// Upstream fetches in flight in this isolate, each by its start time. A timer poll waits
// for a free one: a promise resolved from another request's context is not allowed.
const inflight = new Set<{ at: number }>();
function tryAcquire(ceiling: number): { at: number } | null {
  const now = Date.now();
  for (const s of inflight) if (now - s.at > UPSTREAM_SLOT_MAX_MS) inflight.delete(s);
  if (inflight.size >= ceiling) return null;
  const slot = { at: now };
  inflight.add(slot);
  return slot;
}
async function acquire(): Promise<{ at: number } | null> {
  for (let waited = 0; ; waited += UPSTREAM_SLOT_POLL_MS) {
    const s = tryAcquire(UPSTREAM_MAX_CONCURRENT);
    if (s || waited >= UPSTREAM_SLOT_WAIT_MS) return s;
    await new Promise((r) => setTimeout(r, UPSTREAM_SLOT_POLL_MS));
  }
}
const busy = () => jsonError(503, "too many upstream fetches in progress; retry shortly", { "retry-after": String(UPSTREAM_RETRY_AFTER_S) });

/** Per-request context: waitUntil, and the Worker's own origin for cache keys. */
interface Ctx {
  ctx: ExecutionContext;
  keyBase: string;
}

/**
 * Cache keys for an upstream URL (query already dropped): the body, and its meta (hash,
 * size and fill id, or a failure). They live under the Worker's own host (the Cache API
 * stores per zone) on paths no route serves, so they cannot collide with real URLs.
 */
const bodyKey = (u: Ctx, t: URL) => new Request(`${u.keyBase}/__edgeswarm-upstream-cache/${encodeURIComponent(t.href)}`);
const metaKey = (u: Ctx, t: URL) => new Request(`${u.keyBase}/__edgeswarm-upstream-meta/${encodeURIComponent(t.href)}`);
/** Pairs a cached body with its meta: a body stored by an aborted fill (the cache may keep a truncated one) has no meta that names it. */
const FILL_HEADER = "x-edgeswarm-fill";
const cache = (): Cache => caches.default;

async function lookupMeta(u: Ctx, t: URL): Promise<Meta | undefined> {
  const hit = await cache().match(metaKey(u, t));
  if (!hit) return undefined;
  const m = (await hit.json().catch(() => null)) as Partial<Record<string, unknown>> | null;
  let meta: Meta | undefined;
  if (m?.ok === true && typeof m.sha256 === "string" && /^[0-9a-f]{64}$/.test(m.sha256) && Number.isSafeInteger(m.size) && typeof m.fill === "string") {
    meta = { ok: true, sha256: m.sha256, size: m.size as number, fill: m.fill };
  } else if (m?.ok === false && typeof m.status === "number" && typeof m.error === "string" && typeof m.until === "number" && m.until > Date.now()) {
    meta = { ok: false, status: m.status, error: m.error, until: m.until };
  }
  if (meta) remember(t.href, meta);
  return meta;
}
const knownMeta = async (u: Ctx, t: URL) => recalled(t.href) ?? (await lookupMeta(u, t));

function storeMeta(u: Ctx, t: URL, m: Meta): Promise<void> {
  remember(t.href, m);
  const ttl = m.ok ? UPSTREAM_SEGMENT_TTL : UPSTREAM_FAILURE_TTL;
  return cache().put(metaKey(u, t), Response.json(m, { headers: { "cache-control": `public, max-age=${ttl}` } }));
}
const failure = (status: number, error: string): Meta => ({ ok: false, status, error, until: Date.now() + UPSTREAM_FAILURE_TTL * 1000 });
/** Answers a failure and remembers it briefly (404, and 502 for any other upstream trouble). */
function fail(u: Ctx, t: URL, status: number, error: string): Response {
  u.ctx.waitUntil(storeMeta(u, t, failure(status, error)).catch(() => {}));
  return jsonError(status, error);
}

type Opened = { ok: true; body: ReadableStream<Uint8Array>; length: number | null } | { ok: false; status: number; error: string };
/** Fetches from upstream and checks status and declared length; the body is not read. */
async function openUpstream(target: URL, limit: number): Promise<Opened> {
  let r: Response;
  try {
    r = await fetch(target.href, { signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS), redirect: "manual" });
  } catch {
    return { ok: false, status: 502, error: "upstream unreachable" };
  }
  const refuse = async (status: number, error: string): Promise<Opened> => {
    await r.body?.cancel().catch(() => {});
    return { ok: false, status, error };
  };
  if (r.status === 404) return refuse(404, "not found upstream");
  if (r.status !== 200) return refuse(502, `upstream answered ${r.status}`);
  const cl = r.headers.get("content-length");
  const declared = cl !== null && /^\d+$/.test(cl) ? Number(cl) : null;
  if (declared !== null && declared > limit) return refuse(502, "upstream object too large");
  // A declared length is passed on only for an identity body: fetch decodes gzip/br, so
  // an encoded response's length is not the length of the bytes that come out.
  const length = r.headers.has("content-encoding") ? null : declared;
  return { ok: true, body: r.body ?? new ReadableStream({ start: (c) => c.close() }), length };
}

/** Passes bytes through until more than `limit` came, then errors (both tee branches see it). */
function byteLimit(limit: number, seen: { bytes: number; over: boolean }): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, c) {
      seen.bytes += chunk.byteLength;
      if (seen.bytes > limit) {
        seen.over = true;
        c.error(new Error("upstream object too large"));
      } else c.enqueue(chunk);
    },
  });
}

/**
 * Streams one opened segment into the edge cache and through a SHA-256 at once, and, if
 * asked, to the viewer: the body is counted against MAX_SEGMENT_BYTES first, so every
 * branch stops at the limit. `done` resolves with the stored meta, or null (over the
 * limit, upstream error mid-body, cache refused), and releases `slot` either way. Nothing
 * here holds the whole segment: tee keeps only what its slower branch has not read yet.
 */
function fill(u: Ctx, t: URL, raw: ReadableStream<Uint8Array>, slot: { at: number }, viewer: boolean) {
  const seen = { bytes: 0, over: false };
  const limited = raw.pipeThrough(byteLimit(MAX_SEGMENT_BYTES, seen));
  const [toViewer, toStore] = viewer ? limited.tee() : [null, limited];
  const [toCache, toHash] = toStore.tee();
  const fillId = crypto.randomUUID();
  const digest = new crypto.DigestStream("SHA-256");
  digest.digest.catch(() => {}); // rejects when the body errors; awaited only on success
  const headers = { "content-type": upstreamKind(t.pathname)!.type, "cache-control": `public, max-age=${UPSTREAM_SEGMENT_TTL}`, [FILL_HEADER]: fillId };
  const done = (async (): Promise<Meta | null> => {
    try {
      const [, d] = await Promise.all([cache().put(bodyKey(u, t), new Response(toCache, { headers })), toHash.pipeTo(digest).then(() => digest.digest)]);
      const meta: Meta = { ok: true, sha256: toHex(new Uint8Array(d)), size: seen.bytes, fill: fillId };
      await storeMeta(u, t, meta);
      return meta;
    } catch {
      // The cache may keep a truncated body, but no meta names its fill id: never served.
      if (seen.over) await storeMeta(u, t, failure(502, "upstream object too large")).catch(() => {});
      return null;
    } finally {
      inflight.delete(slot);
    }
  })();
  return { toViewer, done };
}

/** A cached body whose meta names it, as a Resource that streams (and slices) without buffering. */
async function cachedSegment(u: Ctx, t: URL, meta: Meta & { ok: true }): Promise<{ res: Resource; body: ReadableStream | null } | null> {
  const hit = await cache().match(bodyKey(u, t));
  if (!hit || hit.headers.get(FILL_HEADER) !== meta.fill || !hit.body) {
    await hit?.body?.cancel();
    return null;
  }
  const body = hit.body;
  const res: Resource = {
    size: meta.size,
    type: hit.headers.get("content-type") ?? upstreamKind(t.pathname)!.type,
    etag: `"${meta.sha256}"`,
    cacheControl: CACHE_SEGMENT,
    sha256: meta.sha256,
    read: async (r) => (r ? slice(body, r.offset, r.offset + r.length) : body),
  };
  return { res, body };
}

function slice(body: ReadableStream<Uint8Array>, start: number, end: number): ReadableStream<Uint8Array> {
  let at = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, c) {
        const from = Math.max(start - at, 0);
        const to = Math.min(end - at, chunk.byteLength);
        if (to > from) c.enqueue(chunk.subarray(from, to));
        at += chunk.byteLength;
        if (at >= end) c.terminate();
      },
    }),
  );
}

async function serveSegment(request: Request, u: Ctx, t: URL): Promise<Response> {
  const meta = await knownMeta(u, t);
  if (meta && !meta.ok) return jsonError(meta.status, meta.error);
  if (meta) {
    const hit = await cachedSegment(u, t, meta);
    if (hit) {
      let read = false;
      const res = await respond(request, { ...hit.res, read: (r) => ((read = true), hit.res.read(r)) });
      if (!read) await hit.body?.cancel();
      return res;
    }
  }
  const slot = await acquire();
  if (!slot) return busy();
  const r = await openUpstream(t, MAX_SEGMENT_BYTES);
  if (!r.ok) {
    inflight.delete(slot);
    return fail(u, t, r.status, r.error);
  }
  const { toViewer, done } = fill(u, t, r.body, slot, request.method !== "HEAD");
  u.ctx.waitUntil(done);
  // No hash header and no ETag on a miss: the hash is known only after the last byte has
  // passed, and headers leave before the first (workerd has no trailers). Clients take
  // hashes from the playlist's hash tags (client/integrity.ts reads HASH_TAG; nothing in
  // client/ reads HASH_HEADER), and every later request is a hit that carries both. A
  // Range is answered with the whole body (200), which RFC 9110 §14.2 allows.
  const headers = new Headers({ "content-type": upstreamKind(t.pathname)!.type, "cache-control": CACHE_SEGMENT });
  if (r.length !== null) headers.set("content-length", String(r.length));
  return new Response(toViewer, { status: 200, headers });
}

/** A segment's hash for a playlist tag: memo, then its meta entry (within the budget). */
async function knownHash(u: Ctx, t: URL, budget: { lookups: number }): Promise<Meta | undefined> {
  const m = recalled(t.href);
  if (m || budget.lookups <= 0) return m;
  budget.lookups--;
  return lookupMeta(u, t);
}

/** Prefetch: fetches and hashes one segment if a prefetch slot is free; never waits. */
async function prefetch(u: Ctx, t: URL): Promise<{ sha256: string; size: number } | undefined> {
  const slot = tryAcquire(UPSTREAM_PREFETCH_SLOTS);
  if (!slot) return undefined;
  const r = await openUpstream(t, MAX_SEGMENT_BYTES);
  if (!r.ok) {
    inflight.delete(slot);
    fail(u, t, r.status, r.error);
    return undefined;
  }
  const m = await fill(u, t, r.body, slot, false).done;
  return m?.ok ? { sha256: m.sha256, size: m.size } : undefined;
}

async function playlistText(u: Ctx, t: URL): Promise<{ ok: true; text: string } | { ok: false; res: Response }> {
  const hit = await cache().match(bodyKey(u, t));
  if (hit) return { ok: true, text: await hit.text() };
  const known = recalled(t.href) ?? (await lookupMeta(u, t));
  if (known && !known.ok) return { ok: false, res: jsonError(known.status, known.error) };
  const slot = await acquire();
  if (!slot) return { ok: false, res: busy() };
  try {
    const r = await openUpstream(t, MAX_PLAYLIST_BYTES);
    if (!r.ok) return { ok: false, res: fail(u, t, r.status, r.error) };
    const body = await readBounded(r.body, MAX_PLAYLIST_BYTES);
    if (!body.ok) return { ok: false, res: fail(u, t, 502, "upstream object too large") };
    const text = new TextDecoder().decode(body.value);
    u.ctx.waitUntil(cache().put(bodyKey(u, t), new Response(text, { headers: { "cache-control": `public, max-age=${UPSTREAM_PLAYLIST_TTL}` } })));
    return { ok: true, text };
  } catch {
    return { ok: false, res: fail(u, t, 502, "upstream unreachable") };
  } finally {
    inflight.delete(slot);
  }
}

async function servePlaylist(request: Request, u: Ctx, base: URL, target: URL): Promise<Response> {
  const t = await playlistText(u, target);
  if (!t.ok) return t.res;
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
    // Hash and size come from the same meta: the size is the bytes counted while hashing.
    const hashes = new Map<number, { sha256: string; size: number }>();
    const failed = new Set<number>();
    for (const i of order) {
      const tg = targets[i];
      if (!tg) continue;
      const m = await knownHash(u, tg, budget);
      if (m?.ok) hashes.set(i, { sha256: m.sha256, size: m.size });
      else if (m) failed.add(i);
    }
    // At most UPSTREAM_PREFETCH_PER_PLAYLIST origin fetches, whatever the playlist lists.
    const todo = order.filter((i) => targets[i] && !hashes.has(i) && !failed.has(i)).slice(0, UPSTREAM_PREFETCH_PER_PLAYLIST);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(UPSTREAM_PREFETCH_CONCURRENCY, todo.length) }, async () => {
        while (next < todo.length) {
          const i = todo[next++]!;
          const h = await prefetch(u, targets[i]!);
          if (h) hashes.set(i, h);
        }
      }),
    );
    const index = new Map(p.segments.map((s, i) => [s, i]));
    body = renderMedia(p, { hashOf: (s) => hashes.get(index.get(s)!)?.sha256, sizeOf: (s) => hashes.get(index.get(s)!)?.size, mapUri: map });
  }
  const bytes = new TextEncoder().encode(body) as Uint8Array<ArrayBuffer>;
  const etag = `"${(await sha256Hex(bytes)).slice(0, 32)}"`;
  return respond(request, {
    size: bytes.byteLength,
    type: "application/vnd.apple.mpegurl",
    etag,
    cacheControl: `public, max-age=${UPSTREAM_PLAYLIST_TTL}`,
    read: async (r) => (r ? bytes.slice(r.offset, r.offset + r.length) : bytes),
  });
}

export async function handleUpstream(request: Request, env: Env, ctx: ExecutionContext, rest: string): Promise<Response> {
  const base = parseUpstreamBase(env.UPSTREAM_ORIGIN);
  if (!base) return jsonError(404, "upstream mode is off (UPSTREAM_ORIGIN is not set)");
  if (request.method !== "GET" && request.method !== "HEAD") return jsonError(405, "method not allowed", { allow: "GET, HEAD" });
  const target = upstreamTarget(base, rest);
  if (!target) return jsonError(400, "bad upstream path");
  const kind = upstreamKind(target.pathname);
  if (!kind) return jsonError(404, "not an HLS playlist or media file (upstream mode proxies only those)");
  const u: Ctx = { ctx, keyBase: new URL(request.url).origin };
  return kind.kind === "playlist" ? servePlaylist(request, u, base, target) : serveSegment(request, u, target);
}
