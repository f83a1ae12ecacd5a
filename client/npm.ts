// Entry of the npm package (packages/edgeswarm, built by scripts/build.mjs): attach() and
// withEdgeSwarm() for pages built with a bundler, with the page's own hls.js (a peer
// dependency, left out of the build). Unlike the Worker's edgeswarm.mjs it has no script URL
// to take the Worker's origin from: that is `workerOrigin`, else the stream's origin. Its
// optional modules (extras.ts) are chunks of the package (extras-bundled.ts), not URLs on the
// Worker, so they always match the version installed. Re-exports only.
import { attach as attachWith, type EdgeSwarmHandle } from "./player";
import type { AttachOptions } from "./options";

export type { AttachOptions, ResolvedOptions } from "./options";
export type { EdgeSwarmEvents, EdgeSwarmError, EdgeSwarmHandle, EdgeSwarmView } from "./player";
export type { EdgeSwarmHlsConfig, EdgeSwarmHlsView, HlsClassWithEdgeSwarm, HlsWithEdgeSwarm } from "./with-edgeswarm";
export type { Stats } from "./stats";
export type { TrackerState } from "./tracker-watch";
export { handleOf } from "./player";
export { withEdgeSwarm } from "./with-edgeswarm";

/** Plays `src` in `video` with P2P; the Worker is `options.workerOrigin`, else the stream's origin. */
export function attach(video: HTMLVideoElement, src: string, options: AttachOptions = {}): EdgeSwarmHandle {
  return attachWith(video, src, options);
}
