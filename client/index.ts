// Entry of both bundles: edgeswarm.mjs (ESM: `import { attach } from ".../edgeswarm.mjs"`)
// and edgeswarm.js (IIFE global `EdgeSwarm`, which also attaches to every HLS <video> on the
// page). Re-exports only, plus the script-tag start-up; no logic of its own.
import { autoAttach } from "./auto-attach";
import { attach as attachWith, handleOf, type EdgeSwarmHandle } from "./player";
import type { AttachOptions } from "./options";

export type { AttachOptions, ResolvedOptions } from "./options";
export type { EdgeSwarmEvents, EdgeSwarmError, EdgeSwarmHandle } from "./player";
export type { Stats } from "./stats";
export { handleOf };
export { hlsSourceOf } from "./auto-attach";

declare const __EDGESWARM_FORMAT__: "esm" | "iife";

/** Where this script was loaded from: the default Worker for the tracker and reports. */
function scriptUrl(): string | undefined {
  if (__EDGESWARM_FORMAT__ === "esm") return import.meta.url;
  const s = typeof document !== "undefined" ? document.currentScript : null;
  return s instanceof HTMLScriptElement && s.src ? s.src : undefined;
}

const SCRIPT_URL = scriptUrl();
const SCRIPT_TAG =
  __EDGESWARM_FORMAT__ === "iife" && typeof document !== "undefined" && document.currentScript instanceof HTMLScriptElement ? document.currentScript : null;

/** Plays `src` in `video` with P2P; the Worker defaults to the origin this script came from. */
export function attach(video: HTMLVideoElement, src: string, options: AttachOptions = {}): EdgeSwarmHandle {
  return attachWith(video, src, options, SCRIPT_URL);
}

if (__EDGESWARM_FORMAT__ === "iife" && typeof document !== "undefined" && SCRIPT_TAG?.dataset.auto !== "off") {
  autoAttach(SCRIPT_TAG, SCRIPT_URL);
}
