// Runs inside a bench viewer page (bundled into both page scripts): watches the <video>
// (startup, stalls, live jumps) and hls.js (fragments buffered, the pinned rendition,
// fragment errors) the same way for EdgeSwarm and stock, and keeps the P2P counters the
// page script feeds it from the player's events. Exposes window.__bench.read().
// It reaches hls.js through the `fpsController` slot of hls.js's config: hls.js builds that
// component with the Hls instance for every player, and the default one does nothing unless
// capLevelOnFPSDrop is set (it is not), so the probe replaces a no-op and changes no
// behaviour. That way the EdgeSwarm page needs no access to the client's internals.
// It does not decide anything about loading; it only pins the level and counts.
import type { DiagRecorder } from "./browser-diag-probe.ts";
import { isShort, MAX_PROBLEMS, newStallState, onPlaying, onSample, onWaiting, pickLevel, stallSnapshot, type PageRecord } from "./browser-metrics.ts";

/** The slice of hls.js's API the probe uses (hls.js Events values are these strings). */
export interface HlsLike {
  on(event: string, fn: (event: string, data: unknown) => void): void;
  loadLevel: number;
}

interface FragData {
  frag?: { type?: string; sn?: number | string; level?: number; duration?: number };
  stats?: { loaded?: number };
  part?: unknown;
  id?: string;
}

export interface Probe {
  /** Class for hls.js config `fpsController`. */
  controller: new (hls: HlsLike) => { setStreamController(): void; destroy(): void };
  p2p(bytes: number): void;
  http(bytes: number): void;
  upload(bytes: number): void;
  peer(event: "connect" | "close", id: string): void;
  reject(): void;
  problem(msg: string): void;
  /** Replaces the HTTP counter by a reading from the player (EdgeSwarm's own stats). */
  httpFrom(read: () => number): void;
  read(): PageRecord;
}

declare global {
  interface Window {
    __bench?: Probe;
    __benchConfig?: unknown;
  }
}

/** `diag`: the EdgeSwarm page's source breakdown recorder (browser-diag-probe.ts), bound to hls.js here. */
export function installProbe(video: HTMLVideoElement, rendition: "highest" | "lowest" | number, diag?: DiagRecorder): Probe {
  const stall = newStallState();
  let startupMs: number | undefined;
  let neededBytes = 0;
  let segmentsBuffered = 0;
  let bufferedSeconds = 0;
  let pinnedLevel: number | undefined;
  const bufferedLevels = new Set<number>();
  let p2pBytes = 0;
  let httpBytes = 0;
  let httpRead: (() => number) | undefined;
  let uploadedBytes = 0;
  const peers = new Set<string>();
  let peakPeers = 0;
  let peersConnected = 0;
  let integrityRejects = 0;
  let segmentErrors = 0;
  let liveJumps = 0;
  let lastTime = 0;
  let maxLagMs = 0;
  // Heartbeat: how late a 250 ms timer fires says how starved this renderer is.
  let beat = performance.now();
  let sampledTime: number | undefined;
  setInterval(() => {
    const now = performance.now();
    maxLagMs = Math.max(maxLagMs, now - beat - 250);
    beat = now;
    onSample(stall, now, Date.now(), isShort(video, sampledTime));
    sampledTime = video.currentTime;
  }, 250);
  const problems: string[] = [];
  const problem = (msg: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(msg.slice(0, 300));
  };
  const add = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);

  video.addEventListener("playing", () => {
    if (startupMs === undefined) startupMs = performance.now();
    onPlaying(stall, performance.now());
  });
  video.addEventListener("waiting", () => onWaiting(stall, performance.now(), Date.now()));
  video.addEventListener("timeupdate", () => {
    lastTime = video.currentTime;
  });
  // hls.js seeks the video itself when a live viewer falls out of the window (or to skip a
  // gap); a jump of more than a second after playback began is what the Node viewer calls
  // a live jump. Gap nudges are a fraction of a second.
  video.addEventListener("seeking", () => {
    if (startupMs !== undefined && Math.abs(video.currentTime - lastTime) > 1) liveJumps++;
    lastTime = video.currentTime;
  });

  const bind = (hls: HlsLike) => {
    hls.on("hlsManifestParsed", (_e, data) => {
      const levels = (data as { levels?: Array<{ bitrate?: number }> }).levels ?? [];
      pinnedLevel = pickLevel(
        levels.map((l) => l.bitrate ?? 0),
        rendition,
      );
      // A manual level: hls.js starts on it and its ABR never switches away.
      if (pinnedLevel !== undefined) hls.loadLevel = pinnedLevel;
    });
    hls.on("hlsFragBuffered", (_e, data) => {
      const d = data as FragData;
      if (d.frag?.type !== undefined && d.frag.type !== "main") return;
      neededBytes += add(d.stats?.loaded ?? 0);
      segmentsBuffered++;
      bufferedSeconds += add(d.frag?.duration ?? 0);
      if (typeof d.frag?.level === "number") bufferedLevels.add(d.frag.level);
    });
    hls.on("hlsError", (_e, data) => {
      const d = data as { details?: string; fatal?: boolean };
      if (d.details?.startsWith("frag")) segmentErrors++;
      if (d.fatal) problem(`hls.js fatal error: ${d.details}`);
    });
  };

  class ProbeController {
    constructor(hls: HlsLike) {
      bind(hls);
      diag?.bindHls(hls);
    }
    setStreamController(): void {}
    destroy(): void {}
  }

  const probe: Probe = {
    controller: ProbeController,
    p2p: (n) => {
      p2pBytes += add(n);
    },
    http: (n) => {
      httpBytes += add(n);
    },
    upload: (n) => {
      uploadedBytes += add(n);
    },
    peer: (event, id) => {
      if (event === "connect") {
        peers.add(id);
        peersConnected++;
        peakPeers = Math.max(peakPeers, peers.size);
      } else {
        peers.delete(id);
      }
    },
    reject: () => {
      integrityRejects++;
    },
    problem,
    httpFrom: (read) => {
      httpRead = read;
    },
    read: () => {
      const s = stallSnapshot(stall, performance.now());
      let playedSeconds = 0;
      for (let i = 0; i < video.played.length; i++) playedSeconds += video.played.end(i) - video.played.start(i);
      const q = typeof video.getVideoPlaybackQuality === "function" ? video.getVideoPlaybackQuality() : undefined;
      return {
        startupMs,
        stalls: s.stalls,
        stallMs: s.stallMs,
        stallLog: s.stallLog,
        blips: s.blips,
        neededBytes,
        segmentsBuffered,
        bufferedSeconds,
        pinnedLevel,
        bufferedLevels: [...bufferedLevels],
        p2pBytes,
        httpBytesSeen: httpRead ? httpRead() : httpBytes,
        uploadedBytes,
        peersNow: peers.size,
        peakPeers,
        peersConnected,
        integrityRejects,
        segmentErrors,
        liveJumps,
        playedSeconds,
        maxLagMs,
        droppedFrames: q?.droppedVideoFrames ?? 0,
        totalFrames: q?.totalVideoFrames ?? 0,
        problems: [...problems],
        ...(diag ? { diag: diag.log } : {}),
      };
    },
  };
  window.__bench = probe;
  return probe;
}

/** The page's config, as the driver wrote it into the page. */
export function pageConfig(): {
  src: string;
  tracker: string;
  rendition: "highest" | "lowest" | number;
  core?: Record<string, unknown>;
  p2p: boolean;
  upload?: "off";
  /** hls.js startPosition (VOD), seconds. */
  startPosition?: number;
} {
  const c = window.__benchConfig as
    { src?: unknown; tracker?: unknown; rendition?: unknown; core?: unknown; p2p?: unknown; upload?: unknown; startPosition?: unknown } | undefined;
  if (!c || typeof c.src !== "string" || typeof c.tracker !== "string") throw new Error("bench page: no config");
  const r = c.rendition;
  const rendition = r === "highest" || r === "lowest" || typeof r === "number" ? r : "highest";
  return {
    src: c.src,
    tracker: c.tracker,
    rendition,
    p2p: c.p2p !== false,
    ...(c.upload === "off" ? { upload: "off" as const } : {}),
    ...(typeof c.startPosition === "number" && c.startPosition >= 0 ? { startPosition: c.startPosition } : {}),
    ...(c.core && typeof c.core === "object" ? { core: c.core as Record<string, unknown> } : {}),
  };
}
