// Script-tag mode: finds every <video> whose src or <source> is an HLS URL, now and as the
// page adds them (MutationObserver), and attaches a player with the options from data-
// attributes on the script tag and the video. Opt a video out with data-edgeswarm="off".
// Does not touch videos that are not HLS, and detaches players whose video left the page.
import { attach, handleOf, type EdgeSwarmHandle } from "./player";
import { optionsFromDataset } from "./options";

const HLS_URL = /\.m3u8(?:$|[?#])/i;

/** The HLS URL a video points at (its src attribute or a <source>), or null. */
export function hlsSourceOf(video: HTMLVideoElement): string | null {
  const own = video.getAttribute("src");
  if (own && HLS_URL.test(own)) return own;
  for (const s of Array.from(video.querySelectorAll("source"))) {
    const u = s.getAttribute("src");
    const type = (s.getAttribute("type") ?? "").toLowerCase();
    if (u && (HLS_URL.test(u) || type.includes("mpegurl"))) return u;
  }
  return null;
}

export interface AutoAttach {
  stop(): void;
}

export function autoAttach(script: HTMLScriptElement | null, scriptUrl: string | undefined): AutoAttach {
  const attached = new Set<EdgeSwarmHandle>();
  const scriptData = script?.dataset as Record<string, string | undefined> | undefined;

  const consider = (video: HTMLVideoElement) => {
    if (video.dataset.edgeswarm === "off" || handleOf(video)) return;
    const src = hlsSourceOf(video);
    if (!src) return;
    const absolute = new URL(src, document.baseURI).href;
    const { options, problems } = optionsFromDataset(scriptData, video.dataset as Record<string, string | undefined>);
    // hls.js feeds the element through MSE; the HLS URL must not stay as its src (or as a
    // <source>), or the browser would try to play the playlist itself and report an error.
    video.removeAttribute("src");
    for (const s of Array.from(video.querySelectorAll("source"))) s.remove();
    const h = attach(video, absolute, options, scriptUrl);
    for (const p of problems) console.warn(`[edgeswarm] ${p.option}: ${p.reason}`);
    attached.add(h);
    // Script-tag pages have no handle in hand: mirror the typed events as DOM events on the video.
    h.on("stats", (s) => video.dispatchEvent(new CustomEvent("edgeswarm:stats", { detail: s })));
    h.on("error", (e) => video.dispatchEvent(new CustomEvent("edgeswarm:error", { detail: e })));
  };

  const scan = (root: Element | Document) => {
    if (root instanceof HTMLVideoElement) consider(root);
    for (const v of Array.from(root.querySelectorAll("video"))) consider(v);
  };

  const sweepDetached = () => {
    for (const h of [...attached]) {
      if (!h.video.isConnected) {
        h.destroy();
        attached.delete(h);
      }
    }
  };

  const observer = new MutationObserver((records) => {
    let removed = false;
    for (const r of records) {
      if (r.type === "attributes" && r.target instanceof HTMLVideoElement) {
        // A page that sets video.src to a new HLS URL after we attached switches streams.
        const v = r.target;
        const src = v.getAttribute("src");
        if (src && HLS_URL.test(src)) {
          handleOf(v)?.destroy();
          consider(v);
        }
      }
      for (const n of Array.from(r.addedNodes)) if (n instanceof Element) scan(n);
      if (r.removedNodes.length > 0) removed = true;
    }
    if (removed) sweepDetached();
  });

  const start = () => {
    scan(document);
    observer.observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ["src"] });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();

  return {
    stop() {
      observer.disconnect();
      for (const h of attached) h.destroy();
      attached.clear();
    },
  };
}
