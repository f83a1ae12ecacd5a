// Two adapters between hls.js and p2p-media-loader:
//  - a view of the Hls instance for the P2P engine in which media playlists list only the
//    segments whose SHA-256 the Worker published, so the core never schedules, requests or
//    announces a segment it could not verify (those load through hls.js's own loader);
//  - an hls.js loader class that counts fragment bytes fetched outside the core (HTTP);
//  - an hls.js loader class that sends the viewer token (playlists, keys, fragments).
// No scheduling decisions and no counters of its own.
import type Hls from "hls.js";
import type { HashBook, FragmentLike } from "./integrity";

const PLAYLIST_EVENTS = new Set(["hlsLevelUpdated", "hlsAudioTrackLoaded"]);

type Handler = (event: string, data: unknown) => void;
interface PlaylistEventData {
  details: { fragments: FragmentLike[] };
}

function hasFragments(d: unknown): d is PlaylistEventData {
  const det = (d as { details?: { fragments?: unknown } } | null)?.details;
  return !!det && Array.isArray(det.fragments);
}

/**
 * Wraps the engine's playlist handler: learns every hash, then passes on only the fragments
 * that have one. With none known it does not call the engine at all (it reads fragments[0]).
 */
export function filterPlaylistHandler(fn: Handler, book: HashBook): Handler {
  return (event, data) => {
    if (!hasFragments(data)) return fn(event, data);
    const all = data.details.fragments;
    const known = book.learn(all);
    const kept = all.filter((_, i) => known[i]);
    if (kept.length === 0) return;
    if (kept.length === all.length) return fn(event, data);
    // Same LevelDetails (getters resolve through the prototype) with a shorter fragment list.
    const details = Object.create(data.details as object, { fragments: { value: kept, enumerable: true } }) as object;
    return fn(event, { ...(data as object), details });
  };
}

/** The Hls instance as the P2P engine should see it (bindHls takes any object with hls's API). */
export function engineView(hls: Hls, book: HashBook): Hls {
  const wrapped = new WeakMap<Handler, Handler>();
  const target = hls as unknown as Record<string | symbol, unknown>;
  return new Proxy(hls, {
    get(_t, prop) {
      if (prop === "on" || prop === "off") {
        const method = target[prop] as (e: string, f: Handler, ctx?: unknown) => unknown;
        return (event: string, fn: Handler, ctx?: unknown) => {
          let f = fn;
          if (PLAYLIST_EVENTS.has(event)) {
            f = wrapped.get(fn) ?? filterPlaylistHandler(fn, book);
            wrapped.set(fn, f);
          }
          return method.call(hls, event, f, ctx);
        };
      }
      const v = Reflect.get(hls, prop, hls) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(hls) : v;
    },
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- TS mixins require any[]
type LoaderCtor = new (...args: any[]) => {
  stats?: { loaded?: number };
  load(context: unknown, config: unknown, callbacks: Record<string, unknown>): void;
  abort(): void;
  destroy(): void;
};

/**
 * hls.js's default loader, counting the bytes of every fragment it fetches — completed,
 * failed or aborted part-way — because the origin bills them all.
 */
export function countingLoader<T extends LoaderCtor>(Base: T, onBytes: (n: number) => void): T {
  return class CountingLoader extends Base {
    private counted = true;

    override load(context: unknown, config: unknown, callbacks: Record<string, unknown>): void {
      const isFragment = !!(context as { frag?: unknown } | null)?.frag;
      if (!isFragment) return super.load(context, config, callbacks);
      this.counted = false;
      const settle = () => {
        if (this.counted) return;
        this.counted = true;
        onBytes(this.stats?.loaded ?? 0);
      };
      const wrap = (name: string) => {
        const orig = callbacks[name];
        if (typeof orig !== "function") return orig;
        return (...args: unknown[]) => {
          settle();
          return (orig as (...a: unknown[]) => unknown)(...args);
        };
      };
      super.load(context, config, {
        ...callbacks,
        onSuccess: wrap("onSuccess"),
        onError: wrap("onError"),
        onTimeout: wrap("onTimeout"),
        onAbort: wrap("onAbort"),
      });
    }

    override abort(): void {
      if (!this.counted) {
        this.counted = true;
        onBytes(this.stats?.loaded ?? 0);
      }
      super.abort();
    }
  };
}

type Context = { url: string };
type Response = { url?: string };

/**
 * hls.js's default loader, requesting every URL as `authed` makes it (the viewer token on the
 * Worker's URLs). It is the one hook for all hls.js requests: master and variant playlists
 * (a variant's relative URI loses the master's query, so each request needs it again),
 * keys, and the fragments hls.js fetches itself; p2p-media-loader's playlist and fragment
 * loaders fall back to this class too. hls.js resolves a playlist's URIs against its
 * response URL and the P2P engine finds its streams by that URL, so a response from the
 * URL we sent is handed back under the URL hls.js asked for: the token stays out of level,
 * fragment and stream ids (a redirect still shows, as without a token).
 */
export function tokenLoader<T extends LoaderCtor>(Base: T, authed: (url: string) => string): T {
  return class TokenLoader extends Base {
    override load(context: unknown, config: unknown, callbacks: Record<string, unknown>): void {
      const asked = context as Context;
      const sent = authed(asked.url);
      if (sent === asked.url) return super.load(context, config, callbacks);
      // A copy, so hls.js's own context (which it keeps and extends) never holds the token.
      const copy: Context = { ...asked, url: sent };
      const wrapped: Record<string, unknown> = { ...callbacks };
      for (const [name, fn] of Object.entries(callbacks)) {
        if (typeof fn !== "function") continue;
        wrapped[name] = (...args: unknown[]) => {
          const back = args.map((a) => (a === copy ? asked : a));
          // onSuccess(response, stats, context, details): the response URL, see above.
          if (name === "onSuccess" && (back[0] as Response | null)?.url === sent) back[0] = { ...(back[0] as object), url: asked.url };
          return (fn as (...a: unknown[]) => unknown)(...back);
        };
      }
      super.load(copy, config, wrapped);
    }
  };
}
