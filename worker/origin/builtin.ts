// The built-in streams, served from static assets made at build time by
// scripts/sample.mjs: the VOD clips (/streams/sample/*, 30 s, and /streams/film/*, 3 min)
// and the simulated live channel (/live/loop/*), generated from the sample's manifest and
// the clock.
// No R2: every fresh `wrangler dev` (tests, CI) has them. Does not handle uploads.
import type { Env } from "../env";
import { jsonError } from "../http";
import { CACHE_LIVE_PLAYLIST, CACHE_SEGMENT, CACHE_VOD_PLAYLIST, LOOP_PAST_SEGMENTS, LOOP_WINDOW_SEGMENTS } from "./limits";
import { loopClock, loopWindow, parseManifest, renderLoopMaster, renderLoopMedia, resolveLoopSegment, type LoopManifest } from "./live-loop";
import { parseFilePath } from "./names";
import { sha256Hex } from "../../shared/sha256";
import { requestClock } from "../test-clock";
import { bytesResource, respond } from "./serve";

export const SAMPLE_STREAM = "sample";
export const LOOP_STREAM = "loop";
/** The built-in VOD clips (scripts/sample.mjs CLIPS); the live loop plays the first. */
export const BUILTIN_VOD: readonly string[] = [SAMPLE_STREAM, "film"];
const clipPrefix = (clip: string) => `/streams/${clip}/`;

// Assets never change within a deployment, so one parsed copy per clip and isolate is enough.
const manifests = new Map<string, Promise<LoopManifest | null>>();

async function fetchAsset(env: Env, request: Request, path: string): Promise<Response | null> {
  if (!env.ASSETS) return null;
  const r = await env.ASSETS.fetch(new Request(new URL(path, request.url), { method: "GET" }));
  if (!r.ok) {
    await r.body?.cancel();
    return null;
  }
  return r;
}

export async function loadManifest(env: Env, request: Request, clip = SAMPLE_STREAM): Promise<LoopManifest | null> {
  let manifest = manifests.get(clip);
  if (!manifest) {
    manifest = (async () => {
      const r = await fetchAsset(env, request, `${clipPrefix(clip)}manifest.json`);
      if (!r) return null;
      const parsed = parseManifest(await r.json());
      if (!parsed.ok) {
        console.error(`${clip} manifest invalid:`, parsed.reason);
        return null;
      }
      return parsed.value;
    })();
    manifests.set(clip, manifest);
    // A missing manifest (assets not built yet) is retried on the next request.
    manifest.then(
      (m) => {
        if (!m) manifests.delete(clip);
      },
      () => manifests.delete(clip),
    );
  }
  return manifest;
}

const text = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;

async function playlistResource(body: string, cacheControl: string) {
  const bytes = text(body);
  return bytesResource(bytes, { type: "application/vnd.apple.mpegurl", etag: `"${(await sha256Hex(bytes)).slice(0, 32)}"`, cacheControl });
}

/** /live/loop/<rest> */
export async function serveLoop(request: Request, env: Env, rest: string): Promise<Response> {
  const manifest = await loadManifest(env, request);
  if (!manifest) return jsonError(404, "built-in sample not built (run npm run build)");
  if (rest === "master.m3u8") return respond(request, await playlistResource(renderLoopMaster(manifest), CACHE_LIVE_PLAYLIST));
  const parts = rest.split("/");
  const rendition = parts.length === 2 ? manifest.renditions.find((r) => r.name === parts[0]) : undefined;
  if (!rendition) return jsonError(404, "no such file in stream loop");
  const file = parts[1]!;
  const now = loopClock(requestClock(request, env).now());
  if (file === "index.m3u8") {
    const w = loopWindow(manifest, rendition, now, LOOP_WINDOW_SEGMENTS);
    return respond(request, await playlistResource(renderLoopMedia(w), CACHE_LIVE_PLAYLIST));
  }
  const seg = resolveLoopSegment(manifest, rendition, file, now, LOOP_PAST_SEGMENTS);
  if (!seg.ok) return jsonError(404, seg.reason);
  const r = await fetchAsset(env, request, `${clipPrefix(SAMPLE_STREAM)}${rendition.name}/${seg.value.segment.uri}`);
  if (!r) return jsonError(404, "sample segment missing");
  const sha = seg.value.segment.sha256;
  return respond(request, bytesResource(await r.arrayBuffer(), { type: "video/mp2t", etag: `"${sha}"`, cacheControl: CACHE_SEGMENT, sha256: sha }));
}

/** /streams/<clip>/<rest>, a BUILTIN_VOD clip's files as built (playlists already carry hash tags). */
export async function serveClip(request: Request, env: Env, clip: string, rest: string): Promise<Response> {
  const fp = parseFilePath(rest);
  if (!fp.ok) return jsonError(400, fp.reason);
  const manifest = await loadManifest(env, request, clip);
  const r = await fetchAsset(env, request, clipPrefix(clip) + fp.value.path);
  if (!r || !manifest) return jsonError(404, `no such file in stream ${clip}`);
  const bytes = await r.arrayBuffer();
  if (fp.value.kind === "playlist") {
    return respond(
      request,
      bytesResource(bytes, { type: fp.value.type, etag: `"${(await sha256Hex(bytes)).slice(0, 32)}"`, cacheControl: CACHE_VOD_PLAYLIST }),
    );
  }
  const [dir, file] = fp.value.path.split("/");
  const known = manifest.renditions.find((x) => x.name === dir)?.segments.find((s) => s.uri === file)?.sha256;
  const sha = known ?? (await sha256Hex(bytes));
  return respond(request, bytesResource(bytes, { type: fp.value.type, etag: `"${sha}"`, cacheControl: CACHE_SEGMENT, sha256: sha }));
}
