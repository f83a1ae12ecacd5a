// Optional parts of the client that most pages never run, built as ES modules beside the
// bundle (scripts/build.mjs: edgeswarm-<name>.mjs) and imported on demand from wherever the
// script came from: the JS SHA-256 (only pages outside a secure context, which have no
// crypto.subtle), the debug overlay (only data-debug), the stats reporter (its first
// report is due seconds after start, so it can arrive a moment later) and the tracker
// watch (it acts only seconds after the tracker fails; loaded at attach, it is there long
// before) and edge seeding (seeding.ts: it acts on live playlists, which come after the
// manifest, and its fetcher role reports seconds after attach). Every viewer downloads the bundle;
// these stay out of it so it keeps its size budget (test/unit/client/size-budget.test.ts).
// Dynamic import() works from classic scripts too, so the script tag uses the same path.
// It loads modules; it decides nothing about when they are needed.

export type ExtraName = "sha256" | "overlay" | "reporter" | "tracker-watch" | "seeding";

/** The URL of an extra module, next to the script (or ESM module) at `scriptUrl`. */
export function extraUrl(name: ExtraName, scriptUrl: string): string {
  return new URL(`edgeswarm-${name}.mjs`, scriptUrl).href;
}

/** Imports an extra module; rejects when it cannot be loaded (offline, CSP, an old deploy). */
export function loadExtra<T>(name: ExtraName, scriptUrl: string): Promise<T> {
  // A runtime string, so bundlers (esbuild here, a site's own later) leave the import alone.
  const url = extraUrl(name, scriptUrl);
  return import(/* webpackIgnore: true */ /* @vite-ignore */ url) as Promise<T>;
}
