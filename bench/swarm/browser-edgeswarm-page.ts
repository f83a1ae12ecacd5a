// Page script of the edgeswarm variant in browser mode (bundled by browser-bundles.ts). The
// page has already loaded the real /edgeswarm.js from the Worker (through the metering
// proxy); this attaches it to the <video> as an embedding site would, with only what the
// bench must set: the tracker URL (the Worker's /announce/<channel>, since the page is
// served from the meter's origin), no ICE servers (none reachable here) and the probe in
// hls.js's config. The client's own core windows and hls.js tuning apply unchanged. The
// source breakdown recorder (browser-diag-probe.ts) is installed first, since it wraps
// fetch and the WebSocket prototype the client's requests and tracker frames go through.
import { installDiag } from "./browser-diag-probe.ts";
import { installProbe, pageConfig, type Probe } from "./browser-probe.ts";

interface Handle {
  stats(): { httpBytes: number };
  on(type: string, fn: (e: Record<string, unknown>) => void): () => void;
}
declare const EdgeSwarm: { attach(video: HTMLVideoElement, src: string, options: Record<string, unknown>): Handle } | undefined;

const cfg = pageConfig();
const video = document.querySelector("video");
if (!video) throw new Error("bench page: no <video>");
if (typeof EdgeSwarm === "undefined") throw new Error("bench page: /edgeswarm.js did not load (run `npm run build`)");
const diag = installDiag();
const probe: Probe = installProbe(video, cfg.rendition, diag);
const h = EdgeSwarm.attach(video, cfg.src, {
  tracker: cfg.tracker,
  p2p: cfg.p2p,
  ...(cfg.upload ? { upload: cfg.upload } : {}),
  rtcConfig: { iceServers: [] },
  hlsConfig: { fpsController: probe.controller, ...(cfg.startPosition !== undefined ? { startPosition: cfg.startPosition } : {}) },
});
// `segment` carries the core's onSegmentLoaded, so p2p bytes are counted as on the stock page.
h.on("segment", (e) => {
  if (e.source === "p2p") probe.p2p(Number(e.bytes));
});
h.on("upload", (e) => probe.upload(Number(e.bytes)));
h.on("peer", (e) => probe.peer(e.event === "connect" ? "connect" : "close", String(e.peerId)));
h.on("rejected", () => probe.reject());
// The uplink verdicts, shown in the breakdown's roles column ("uplink probe 37 KiB/s slow").
h.on("uplink", (e) => {
  const rate = typeof e.bytesPerS === "number" ? (Number.isFinite(e.bytesPerS) ? `${Math.round(e.bytesPerS / 1024)} KiB/s` : "fast") : "no figure";
  diag.log.roles.push({ t: Date.now(), mode: `uplink ${String(e.source)} ${rate}${e.slow ? " slow" : ""}`, classes: 0 });
});
h.on("error", (e) => {
  if (e.type === "tracker" || e.fatal) probe.problem(`${String(e.type)}: ${String(e.details)}${e.fatal ? " (fatal)" : ""}`);
});
// The client counts HTTP bytes of fragments outside the core too (unknown-hash segments).
probe.httpFrom(() => h.stats().httpBytes);
