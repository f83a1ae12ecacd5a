// The debug overlay (data-debug): a small box over the video with the live figures. Reads
// stats only; never changes playback. Positioned in a wrapper-free way (fixed to the video's rect).
import type { Stats } from "./stats";

function mb(n: number): string {
  return `${(n / 1048576).toFixed(2)} MB`;
}

export function formatStats(s: Stats, tracker: string): string {
  const errs =
    Object.entries(s.errors)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ") || "none";
  return [
    // Without the query: the viewer token must not end up in a screenshot.
    `EdgeSwarm · ${s.mode} · tracker ${tracker.split("?")[0]}`,
    `http ${mb(s.httpBytes)} · p2p ${mb(s.p2pBytes)} · offload ${(s.offload * 100).toFixed(1)}%`,
    `up ${mb(s.uploadedBytes)}${s.uploading ? "" : " (upload off)"} · peers ${s.peers}`,
    `rejected ${mb(s.p2pRejectedBytes)} · errors: ${errs}`,
  ].join("\n");
}

export class Overlay {
  private readonly box: HTMLPreElement;
  private raf = 0;

  constructor(private readonly video: HTMLVideoElement) {
    this.box = document.createElement("pre");
    this.box.className = "edgeswarm-overlay";
    Object.assign(this.box.style, {
      position: "fixed",
      zIndex: "2147483647",
      margin: "0",
      padding: "4px 6px",
      pointerEvents: "none",
      font: "11px/1.3 ui-monospace, monospace",
      color: "#e8ffe8",
      background: "rgba(0,0,0,.65)",
      borderRadius: "3px",
    });
    document.body.appendChild(this.box);
  }

  update(s: Stats, tracker: string): void {
    this.box.textContent = formatStats(s, tracker);
    cancelAnimationFrame(this.raf);
    this.raf = requestAnimationFrame(() => {
      const r = this.video.getBoundingClientRect();
      this.box.style.left = `${Math.max(0, r.left + 4)}px`;
      this.box.style.top = `${Math.max(0, r.top + 4)}px`;
      this.box.style.display = r.width > 0 ? "block" : "none";
    });
  }

  destroy(): void {
    cancelAnimationFrame(this.raf);
    this.box.remove();
  }
}
