// Pure pieces of the swarm bench's browser mode, shared by the page probe (bundled into
// the viewer pages) and the Node driver: the stall clock fed by <video> events, the choice
// of the pinned rendition, what a page reports (PageRecord) and how it becomes the bench's
// ViewerStats, and the safe embedding of a config object in an HTML page.
// No DOM, no I/O, no timers: callers pass the clock readings in.
import type { ViewerStats } from "../../harness/virtual-viewer/viewer.ts";
import { claimCounts, type DiagLog } from "./browser-diag.ts";

/**
 * A rebuffer a viewer notices. Chromium fires 'waiting' for a few ms at some segment
 * boundaries while the next append lands; test/e2e counts a stall from 250 ms on, and so
 * does the bench, so both variants are judged by what a viewer sees. Shorter ones are
 * counted separately as blips.
 */
export const STALL_MIN_MS = 250;

/** Bounded logs: one broken page must not grow a report without limit. */
export const MAX_PROBLEMS = 20;
export const MAX_STALL_LOG = 200;

export interface StallState {
  started: boolean;
  /** performance.now() of the 'waiting' that opened the current stall. */
  since: number | undefined;
  /** Wall-clock (epoch ms) of the same moment, for the bench's stall timeline. */
  sinceWall: number | undefined;
  stalls: number;
  stallMs: number;
  stallLog: number[];
  blips: number;
}

export function newStallState(): StallState {
  return { started: false, since: undefined, sinceWall: undefined, stalls: 0, stallMs: 0, stallLog: [], blips: 0 };
}

function close(s: StallState, now: number): void {
  if (s.since === undefined) return;
  const ms = Math.max(0, now - s.since);
  if (ms >= STALL_MIN_MS) {
    s.stalls++;
    s.stallMs += ms;
    if (s.stallLog.length < MAX_STALL_LOG && s.sinceWall !== undefined) s.stallLog.push(s.sinceWall);
  } else {
    s.blips++;
  }
  s.since = undefined;
  s.sinceWall = undefined;
}

/** 'playing': ends an open stall; the first one marks the end of startup. */
export function onPlaying(s: StallState, now: number): void {
  close(s, now);
  s.started = true;
}

/** 'waiting' after playback first started opens a stall (before that it is startup). */
export function onWaiting(s: StallState, now: number, wall: number): void {
  if (!s.started || s.since !== undefined) return;
  s.since = now;
  s.sinceWall = wall;
}

/**
 * A periodic look at the <video> (every 250 ms). `short` = unpaused, not ended, and below
 * HAVE_FUTURE_DATA or seeking. Needed beside the events: Chromium fires no 'waiting' for a
 * seek into an unbuffered range while already short of data, so a player hopping from hole
 * to hole (hls.js jumping to the live edge) would show no stall from events alone
 * (found by the e2e churn test). A stall opens at the first short sample or 'waiting',
 * and ends at 'playing' or the first sample that is not short.
 */
export function onSample(s: StallState, now: number, wall: number, short: boolean): void {
  if (!s.started) return;
  if (short) onWaiting(s, now, wall);
  else close(s, now);
}

/** What a 250 ms sample reads from the <video>. */
export interface VideoSample {
  paused: boolean;
  ended: boolean;
  readyState: number;
  seeking: boolean;
  currentTime: number;
}

/**
 * Whether the video is short of media at a sample: unpaused, not ended, and below
 * HAVE_FUTURE_DATA (3), or seeking, or its clock has not moved since the previous sample (a
 * starved pipeline can sit in 'playing' with the playhead frozen and fire nothing; the e2e
 * churn test saw one stopped for 120 s).
 */
export function isShort(v: VideoSample, previousTime: number | undefined): boolean {
  if (v.paused || v.ended) return false;
  return v.readyState < 3 || v.seeking || v.currentTime === previousTime;
}

/** Stalls so far, counting a stall still open at `now` if it is already long enough. */
export function stallSnapshot(s: StallState, now: number): Pick<StallState, "stalls" | "stallMs" | "stallLog" | "blips"> {
  const copy: StallState = { ...s, stallLog: [...s.stallLog] };
  if (copy.since !== undefined && now - copy.since >= STALL_MIN_MS) close(copy, now);
  return { stalls: copy.stalls, stallMs: copy.stallMs, stallLog: copy.stallLog, blips: copy.blips };
}

/**
 * Index of the rendition every viewer is pinned to, among hls.js's levels (by bitrate, so
 * the answer does not depend on the order hls.js keeps them in). Undefined without levels.
 */
export function pickLevel(bitrates: readonly number[], rendition: "highest" | "lowest" | number): number | undefined {
  if (bitrates.length === 0) return undefined;
  if (typeof rendition === "number") return Number.isInteger(rendition) && rendition >= 0 && rendition < bitrates.length ? rendition : undefined;
  let best = 0;
  for (let i = 1; i < bitrates.length; i++) {
    const b = bitrates[i] ?? 0;
    const cur = bitrates[best] ?? 0;
    if (rendition === "highest" ? b > cur : b < cur) best = i;
  }
  return best;
}

/** What a viewer page reports (window.__bench.read()); plain JSON. */
export interface PageRecord {
  /** navigation start → first 'playing', ms. */
  startupMs: number | undefined;
  stalls: number;
  stallMs: number;
  stallLog: number[];
  blips: number;
  /** Bytes of the fragments hls.js appended to the buffer (FRAG_BUFFERED stats.loaded). */
  neededBytes: number;
  segmentsBuffered: number;
  bufferedSeconds: number;
  /** Level index the page pinned, and every level a buffered fragment came from. */
  pinnedLevel: number | undefined;
  bufferedLevels: number[];
  p2pBytes: number;
  httpBytesSeen: number;
  uploadedBytes: number;
  peersNow: number;
  peakPeers: number;
  peersConnected: number;
  integrityRejects: number;
  segmentErrors: number;
  liveJumps: number;
  /** Seconds the <video> actually played (sum of video.played): need must cover it. */
  playedSeconds: number;
  /** Longest delay of the page's 250 ms heartbeat timer: how starved the renderer was. */
  maxLagMs: number;
  /** Frames the decoder dropped / decoded (getVideoPlaybackQuality). */
  droppedFrames: number;
  totalFrames: number;
  problems: string[];
  /** EdgeSwarm pages: where each segment came from (browser-diag.ts). */
  diag?: DiagLog;
}

/**
 * A heartbeat late by more than this means the page itself was starved of CPU (2 shared
 * cores, one renderer per viewer): stalls then say more about the machine than the loader.
 */
export const LAG_NOTE_MS = 1000;

function num(x: unknown): number {
  return typeof x === "number" && Number.isFinite(x) && x >= 0 ? x : 0;
}

/**
 * The bench's ViewerStats from a page's record (untrusted shape: it crossed a process
 * boundary). `extraProblems` are the driver's own notes (page errors, an unreadable page).
 * corruptPlayed is not measured in the browser (hls.js hands fragment bytes to its
 * transmuxer worker before a page could hash them): always 0, and the docs say so.
 */
export function toViewerStats(id: string, rec: Partial<PageRecord> | undefined, extraProblems: readonly string[] = []): ViewerStats {
  const r = rec ?? {};
  // Notes on the measurement itself come first: the bench prints only the first few.
  const problems: string[] = [];
  const levels = Array.isArray(r.bufferedLevels) ? r.bufferedLevels.filter((x) => typeof x === "number") : [];
  if (r.pinnedLevel === undefined && rec) problems.push("rendition not pinned (no levels in the master playlist?)");
  else if (levels.some((l) => l !== r.pinnedLevel))
    problems.push(`rendition did not hold: pinned level ${r.pinnedLevel}, buffered from levels ${levels.join(",")}`);
  const neededBytes = num(r.neededBytes);
  const bufferedSeconds = num(r.bufferedSeconds);
  // Self-checks of the measurement: every played second was buffered, so was counted.
  if (num(r.playedSeconds) > bufferedSeconds + 0.5)
    problems.push(`need undercounted? played ${num(r.playedSeconds).toFixed(1)} s > buffered ${bufferedSeconds.toFixed(1)} s`);
  if (num(r.maxLagMs) > LAG_NOTE_MS) problems.push(`page starved of CPU: heartbeat up to ${Math.round(num(r.maxLagMs))} ms late`);
  if (num(r.droppedFrames) > 0) problems.push(`decoder dropped ${num(r.droppedFrames)} of ${num(r.totalFrames)} frames`);
  problems.push(...(Array.isArray(r.problems) ? r.problems.map(String) : []), ...extraProblems);
  return {
    id,
    startupMs: typeof r.startupMs === "number" && Number.isFinite(r.startupMs) ? Math.round(r.startupMs) : undefined,
    stalls: num(r.stalls),
    stallMs: Math.round(num(r.stallMs)),
    stallLog: Array.isArray(r.stallLog) ? r.stallLog.filter((x) => typeof x === "number").slice(0, MAX_STALL_LOG) : [],
    neededBytes,
    bufferedSeconds,
    segmentsBuffered: num(r.segmentsBuffered),
    httpBytesSeen: num(r.httpBytesSeen),
    p2pBytes: num(r.p2pBytes),
    uploadedBytes: num(r.uploadedBytes),
    peersConnected: num(r.peersConnected),
    peakPeers: num(r.peakPeers),
    integrityRejects: num(r.integrityRejects),
    corruptPlayed: 0,
    segmentErrors: num(r.segmentErrors),
    liveJumps: num(r.liveJumps),
    problems: problems.slice(0, MAX_PROBLEMS),
    bytesPerSecond: bufferedSeconds > 0 ? neededBytes / bufferedSeconds : 0,
    ...(r.diag && Array.isArray(r.diag.fetches) ? { seed: claimCounts(r.diag) } : {}),
  };
}

/** JSON for an inline <script>: no "</script>", "<!--" or line separators can end it early. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * The part of a core config that survives the trip into a page as JSON. Functions (hooks)
 * cannot cross; they are named in `dropped` so the driver can refuse rather than run a
 * variant with half its config.
 */
export function jsonCore(core: Record<string, unknown>): { core: Record<string, unknown>; dropped: string[] } {
  const out: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [k, v] of Object.entries(core)) {
    if (v === undefined) continue;
    if (typeof v === "function" || typeof v === "symbol" || typeof v === "bigint") {
      dropped.push(k);
      continue;
    }
    try {
      out[k] = JSON.parse(JSON.stringify(v)) as unknown;
    } catch {
      dropped.push(k);
    }
  }
  return { core: out, dropped };
}

/**
 * The viewer page: a muted autoplaying <video>, the config, then the scripts in order. The
 * video is drawn small: every frame is still decoded, but headless Chromium composites in
 * software (SwiftShader), and a 160×90 quad costs far less CPU than a full-size one on a
 * machine where the viewers share 2 cores.
 */
export function viewerPageHtml(config: unknown, scripts: readonly string[]): string {
  const tags = scripts.map((src) => {
    if (!/^\/[A-Za-z0-9_\-./]+$/.test(src)) throw new Error(`bad script path ${JSON.stringify(src)}`);
    return `<script src="${src}"${src === "/edgeswarm.js" ? ' data-auto="off"' : ""}></script>`;
  });
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>bench viewer</title></head><body>` +
    `<video muted autoplay playsinline width="160" height="90"></video>` +
    `<script>window.__benchConfig = ${inlineJson(config)};</script>${tags.join("")}</body></html>`
  );
}
