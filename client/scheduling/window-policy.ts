// Live and VOD scheduling as one pure policy: which p2p-media-loader-core windows a viewer
// runs with, from its stream's target duration, whether it is live, how slow its recent HTTP
// fetches were and whether it is still joining. `WindowPolicy` holds those inputs and says
// when the windows change; whoever holds a core applies them (plugins/scheduling.ts in the
// page, harness/virtual-viewer in Node, a swarm simulator later). No I/O, no timers, no DOM
// or hls.js types: time is passed in.
import { HttpTiming } from "../http-timing";
import {
  CORE_REVISIT_S,
  DEFAULT_TARGET_DURATION_S,
  HIGH_DEMAND_S,
  HTTP_WINDOW_S,
  JOIN_SEGMENTS,
  VOD_JOIN_SEGMENTS,
  LIVE_HIGH_DEMAND_MAX_SEGMENTS,
  JOIN_HIGH_DEMAND_MIN_SEGMENTS,
  LIVE_HIGH_DEMAND_SEGMENTS,
  MAX_TARGET_DURATION_S,
  P2P_EXTRA_SEGMENTS,
  P2P_WINDOW_S,
  SIMULTANEOUS_HTTP,
  VOD_HIGH_DEMAND_SEGMENTS,
  VOD_HTTP_EXTRA_SEGMENTS,
  WINDOW_STEP_S,
} from "../limits";

export interface Windows {
  highDemandTimeWindow: number;
  httpDownloadTimeWindow: number;
  p2pDownloadTimeWindow: number;
  simultaneousHttpDownloads: number;
}

export type WindowRule<W> = (targetDuration: number, live: boolean, slowestHttpS: number, joining: boolean) => W;

/** The core settings that are windows: a page that sets any of them schedules for itself. */
const WINDOW_KEYS = ["highDemandTimeWindow", "httpDownloadTimeWindow", "p2pDownloadTimeWindow"];

/** True when the page's core config sets its own windows (then no policy and no edge seeding). */
export function pageSetsWindows(coreConfig: object): boolean {
  return WINDOW_KEYS.some((k) => k in coreConfig);
}

const roundUp = (s: number) => Math.ceil(s / WINDOW_STEP_S) * WINDOW_STEP_S;

/**
 * Windows for a stream's target duration. The P2P engine caps hls.js's buffer-ahead at
 * max(2 × target duration, highDemandTimeWindow), and the core sends a segment hls.js asks
 * for over HTTP only once it is inside the high-demand window. With a 2 s window and 2 s
 * segments hls.js asks for segments 2–4 s ahead that the core then holds back until the
 * playhead is 2 s away: just-in-time loading, buffer holes and stalls in Chromium. So the
 * high-demand window covers hls.js's whole buffer (every segment it asks for loads at once,
 * from storage when peers delivered it, else HTTP), and peers get everything beyond it.
 *
 * Live (edge-seeded, seeder.ts): a new segment appears 6–8 s ahead of the playhead (hls.js
 * plays fragments − 1 segments behind the edge, minus one playlist refresh). One viewer
 * fetches it over HTTP at once, on the edge's say; the others have until it enters the
 * high-demand window to get it from peers. So live keeps that window as small as HTTP's
 * speed allows (liveHighDemand: the time between appearing and needed is what pays for
 * P2P), and no random HTTP seeding (httpDownloadTimeWindow = highDemandTimeWindow):
 * choosing who fetches a new segment is the edge's job, and a random second fetcher only
 * costs egress.
 *
 * `joining`: a live viewer before its second segment (JOIN_SEGMENTS), a VOD viewer before
 * its steady window is full (VOD_JOIN_SEGMENTS): the join window (liveJoinHighDemand), one
 * HTTP fetch at a time. Before the first fetch is timed the steady window may cover the
 * next segment too, and two fetches at once would take it before any peer could be asked;
 * and a window that widens at once sends everything newly inside it over HTTP, even what a
 * peer that just connected holds.
 *
 * VOD: viewers are spread over the timeline and the core's random HTTP seeding serves them;
 * VOD_HIGH_DEMAND_SEGMENTS × target duration once joined (limits.ts says why).
 */
export function windowsFor(targetDuration: number, live = false, slowestHttpS = 0, joining = false): Windows {
  const td = Number.isFinite(targetDuration) && targetDuration > 0 ? Math.min(targetDuration, MAX_TARGET_DURATION_S) : DEFAULT_TARGET_DURATION_S;
  const steady = live ? liveSteadyHighDemand(td, slowestHttpS) : Math.max(HIGH_DEMAND_S, VOD_HIGH_DEMAND_SEGMENTS * td);
  const high = joining ? joinHighDemand(td, slowestHttpS, steady) : steady;
  return {
    highDemandTimeWindow: high,
    httpDownloadTimeWindow: live ? high : Math.max(HTTP_WINDOW_S, high + VOD_HTTP_EXTRA_SEGMENTS * td),
    p2pDownloadTimeWindow: Math.max(P2P_WINDOW_S, high + P2P_EXTRA_SEGMENTS * td),
    simultaneousHttpDownloads: joining ? 1 : SIMULTANEOUS_HTTP,
  };
}

/**
 * Live high-demand window for the slowest recent HTTP segment fetch (http-timing.ts): one
 * target duration plus twice that fetch, so a fallback that starts late (the core revisits
 * its queue about once a second) still lands with a fetch to spare. 1.5 × target duration
 * while HTTP is fast, up to 4 × when the origin or the device is slow. Rounded up to 0.5 s
 * so the core is not reconfigured for every jitter.
 */
export function liveHighDemand(td: number, slowestHttpS: number): number {
  const s = Number.isFinite(slowestHttpS) && slowestHttpS > 0 ? slowestHttpS : 0;
  return Math.min(LIVE_HIGH_DEMAND_MAX_SEGMENTS * td, Math.max(LIVE_HIGH_DEMAND_SEGMENTS * td, roundUp(td + 2 * s)));
}

/** The live window once joined: liveHighDemand, never under the default high-demand window. */
function liveSteadyHighDemand(td: number, slowestHttpS: number): number {
  return Math.max(HIGH_DEMAND_S, liveHighDemand(td, slowestHttpS));
}

/**
 * Live high-demand window while a viewer joins: after its first segment, until its second
 * has arrived. When playback starts the second segment is about one target duration ahead,
 * and the first peers connect 0.1–0.3 s after the first segment (Chromium, loopback), so the
 * steady window (≥ 1.5 target durations) sent it over HTTP just before a peer could have
 * sent it: one extra origin copy per join, in every swarm. This window holds it back for
 * peers as long as HTTP, timed on the first segment, can still fetch it after the core's
 * next revisit: one revisit plus twice the slowest fetch, rounded up to 0.5 s (1.5 s on a
 * fast origin), and never under JOIN_HIGH_DEMAND_MIN_SEGMENTS target durations (limits.ts
 * says why). With no fetch timed yet it is the steady window, because the first segment must
 * load at once; never more than the steady window.
 */
export function liveJoinHighDemand(td: number, slowestHttpS: number): number {
  return joinHighDemand(td, slowestHttpS, liveSteadyHighDemand(td, slowestHttpS));
}

/** The join window under a steady window `steady` (live or VOD): see liveJoinHighDemand. */
function joinHighDemand(td: number, slowestHttpS: number, steady: number): number {
  if (!(Number.isFinite(slowestHttpS) && slowestHttpS > 0)) return steady;
  return Math.min(steady, Math.max(JOIN_HIGH_DEMAND_MIN_SEGMENTS * td, roundUp(CORE_REVISIT_S + 2 * slowestHttpS)));
}

export interface WindowPolicy<W extends object = Windows> {
  /** HTTP segment fetch times: the core's own (onHttpStart / onSegmentLoaded) and the edge seeder's (timing.sample). */
  readonly timing: HttpTiming;
  /** A media playlist of the stream being played was loaded (every live refresh too). */
  onLevel(targetDuration: number, live: boolean): W | undefined;
  /** The core started an HTTP fetch of `url` at `nowMs`. */
  onHttpStart(url: string, nowMs: number): void;
  /** The core delivered a segment (from any source) at `nowMs`. */
  onSegmentLoaded(source: string, url: string, nowMs: number): W | undefined;
  /** The windows now, if they differ from the last ones returned (call after a timing.sample). */
  decide(): W | undefined;
}

/**
 * The inputs of windowsFor as they arrive, and the windows to apply whenever they change
 * (undefined: keep the current ones). `fixed`: the page set its own windows, so nothing is
 * ever applied. `rule` is windowsFor unless a bench compares another.
 */
export function windowPolicy<W extends object = Windows>(fixed = false, rule: WindowRule<W> = windowsFor as unknown as WindowRule<W>): WindowPolicy<W> {
  const timing = new HttpTiming();
  let level: { td: number; live: boolean } | undefined;
  let loaded = 0;
  let last = "";
  const decide = (): W | undefined => {
    if (fixed || !level) return undefined;
    const w = rule(level.td, level.live, timing.slowest(), loaded < (level.live ? JOIN_SEGMENTS : VOD_JOIN_SEGMENTS));
    const key = JSON.stringify(w);
    if (key === last) return undefined;
    last = key;
    return w;
  };
  return {
    timing,
    decide,
    onLevel(td, live) {
      level = { td, live };
      return decide();
    },
    onHttpStart: (url, nowMs) => timing.start(url, nowMs),
    onSegmentLoaded(source, url, nowMs) {
      if (source === "http") timing.end(url, nowMs);
      loaded++;
      return decide();
    },
  };
}
