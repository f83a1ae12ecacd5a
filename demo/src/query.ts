// What the viewer page reads from its own URL: which stream to play (`?src=`) and how to
// configure WebRTC (`?ice=none`, `?stun=`). The URL is outside input (anyone can send a
// link), so every value is validated here and a bad one becomes a visible message, never
// a script URL handed to the player. Pure: takes strings, returns values. No DOM.

export interface Preset {
  id: "live" | "vod" | "film";
  label: string;
  path: string;
}

/** The Worker's built-in streams (contract: origin room). */
export const PRESETS: readonly Preset[] = [
  { id: "live", label: "Live channel (simulated)", path: "/live/loop/master.m3u8" },
  { id: "vod", label: "VOD sample", path: "/streams/sample/master.m3u8" },
  { id: "film", label: "VOD film (3 min)", path: "/streams/film/master.m3u8" },
];

export const DEFAULT_SRC = PRESETS[0]!.path;
const MAX_URL = 2048;

export type StreamChoice =
  { ok: true; kind: "preset"; preset: Preset; url: string } | { ok: true; kind: "custom"; url: string } | { ok: false; reason: string };

/**
 * Resolves a user-supplied stream (a preset id, a same-origin path, or an http(s) URL)
 * against the page's origin. Anything else (javascript:, data:, blob:, relative
 * nonsense, over-long) is refused with a reason the page shows.
 */
export function resolveStream(input: string | null | undefined, pageOrigin: string): StreamChoice {
  const raw = (input ?? "").trim();
  if (raw === "") return resolveStream(DEFAULT_SRC, pageOrigin);
  if (raw.length > MAX_URL) return { ok: false, reason: `Stream URL is longer than ${MAX_URL} characters.` };
  const byId = PRESETS.find((p) => p.id === raw);
  if (byId) return { ok: true, kind: "preset", preset: byId, url: new URL(byId.path, pageOrigin).href };
  if (!raw.startsWith("/") && !/^https?:\/\//i.test(raw)) {
    return { ok: false, reason: "Stream must be an http(s) URL or a path on this server." };
  }
  // "//evil.example/x" is protocol-relative, not a path: require an explicit scheme for other hosts.
  if (raw.startsWith("//")) return { ok: false, reason: "Stream must be an http(s) URL or a path on this server." };
  let url: URL;
  try {
    url = new URL(raw, pageOrigin);
  } catch {
    return { ok: false, reason: "Stream URL is not a valid URL." };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, reason: "Stream must be an http(s) URL or a path on this server." };
  }
  if (url.username || url.password) return { ok: false, reason: "Stream URL must not carry a user name or password." };
  const preset = url.origin === new URL(pageOrigin).origin ? PRESETS.find((p) => p.path === url.pathname) : undefined;
  if (preset) return { ok: true, kind: "preset", preset, url: url.href };
  return { ok: true, kind: "custom", url: url.href };
}

export interface IceServer {
  urls: string;
}

/**
 * WebRTC config from the page URL. `?ice=none` → `{ iceServers: [] }` (host candidates
 * only, what the tests and a LAN need). `?stun=stun:host:port` (repeatable) adds STUN/TURN
 * servers. Neither → undefined, i.e. the client's own default (no STUN unless configured).
 */
export function rtcConfigFromQuery(params: URLSearchParams): { iceServers: IceServer[] } | undefined | { error: string } {
  const stun = params
    .getAll("stun")
    .map((s) => s.trim())
    .filter(Boolean);
  const ice = params.get("ice");
  if (ice !== null && ice !== "none") return { error: `Unknown ice mode "${ice.slice(0, 20)}" (use ice=none).` };
  if (stun.length > 4) return { error: "At most 4 stun servers." };
  for (const s of stun) {
    if (!/^(stun|stuns|turn|turns):[^\s]{1,200}$/.test(s)) return { error: "stun must look like stun:host:port." };
  }
  if (ice === "none" && stun.length > 0) return { error: "ice=none and stun= contradict each other." };
  if (ice === "none") return { iceServers: [] };
  if (stun.length > 0) return { iceServers: stun.map((urls) => ({ urls })) };
  return undefined;
}

/**
 * The link "Open another viewer" opens: this page with the chosen stream, keeping the
 * WebRTC settings and the pinned rendition, so a second window joins the same swarm.
 */
export function viewerLink(pageHref: string, streamUrl: string, quality?: string): string {
  const page = new URL(pageHref);
  const out = new URL(page.pathname, page.origin);
  const stream = new URL(streamUrl);
  // Same-origin streams travel as paths: shorter links, and they survive a host rename.
  out.searchParams.set("src", stream.origin === page.origin ? stream.pathname + stream.search : stream.href);
  for (const key of ["ice", "stun"]) for (const v of page.searchParams.getAll(key)) out.searchParams.append(key, v);
  if (quality && quality !== "auto") out.searchParams.set("q", quality);
  return out.href;
}

/** `?q=`: "auto", or a rendition label as master.ts makes them ("360p", "493k"). */
export function qualityFromQuery(params: URLSearchParams): string | { error: string } {
  const q = params.get("q");
  if (q === null || q === "" || q === "auto") return "auto";
  if (/^\d{1,5}p$|^\d{1,7}k$/.test(q)) return q;
  return { error: `Unknown quality "${q.slice(0, 20)}" (use auto, or a rendition such as 360p).` };
}

/**
 * What the page says when the browser refused to load a stream from another origin. The
 * Worker's pages send a Content-Security-Policy whose connect-src is this server plus
 * ALLOWED_ORIGINS (worker/http.ts pageCsp), so `/?src=` cannot make the operator's domain
 * play anyone's stream; without this message the viewer would only see a network error.
 * `blockedUri` is what the browser reports (a securitypolicyviolation event's blockedURI: the
 * URL, or only its origin); undefined when it is not the stream's origin or is unreadable.
 */
export function foreignStreamMessage(blockedUri: string, streamUrl: string, pageOrigin: string): string | undefined {
  let blocked: string;
  let stream: URL;
  try {
    blocked = new URL(blockedUri).origin;
    stream = new URL(streamUrl);
  } catch {
    return undefined;
  }
  if (stream.origin === pageOrigin || blocked !== stream.origin) return undefined;
  return (
    `This page plays streams of this server only (and of sites its operator lists in ALLOWED_ORIGINS); ` +
    `${stream.origin} is not one of them. Serve the stream through this Worker, or put the EdgeSwarm client on your own page.`
  );
}
