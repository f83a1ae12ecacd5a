// Page script of the stock variants in browser mode (bundled by browser-bundles.ts): what a
// site running stock p2p-media-loader does, hls.js + p2p-media-loader-hlsjs 2.3.1 with the
// variant's core config (stock defaults or the hand-tuned windows), bittorrent-tracker's
// Server as tracker, no integrity check. The probe counts need, stalls and P2P the same way
// as on the EdgeSwarm page. No tuning of its own beyond pinning the rendition.
import Hls from "hls.js";
import { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";
import { installProbe, pageConfig } from "./browser-probe.ts";

const cfg = pageConfig();
const video = document.querySelector("video");
if (!video) throw new Error("bench page: no <video>");
const probe = installProbe(video, cfg.rendition);
const engine = new HlsJsP2PEngine({
  core: { ...cfg.core, announceTrackers: [cfg.tracker], rtcConfig: { iceServers: [] } },
});
// The same counts the EdgeSwarm client makes from the same core events (client/player.ts).
engine.addEventListener("onSegmentLoaded", (d) => {
  if (d.downloadSource === "p2p") probe.p2p(d.bytesLength);
});
engine.addEventListener("onChunkDownloaded", (bytes, source) => {
  if (source === "http") probe.http(bytes);
});
engine.addEventListener("onChunkUploaded", (bytes) => probe.upload(bytes));
engine.addEventListener("onPeerConnect", (p) => probe.peer("connect", p.peerId));
engine.addEventListener("onPeerClose", (p) => probe.peer("close", p.peerId));
engine.addEventListener("onTrackerError", (d) => probe.problem(`tracker error: ${String(d.error)}`));
engine.addEventListener("onTrackerWarning", (d) => probe.problem(`tracker warning: ${String(d.warning)}`));
const hls = new Hls({
  ...engine.getConfigForHlsJs(),
  fpsController: probe.controller,
  ...(cfg.startPosition !== undefined ? { startPosition: cfg.startPosition } : {}),
} as never);
engine.bindHls(hls);
hls.attachMedia(video);
hls.loadSource(cfg.src);
