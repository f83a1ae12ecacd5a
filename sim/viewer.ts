// Who watches: the audience of one channel as a list of sessions (join, leave, links).
// A flash crowd (most viewers join within the first minute) then steady churn: each
// session lasts an exponential time and its viewer is replaced by a newcomer a few seconds
// later, so the audience stays near its size. Pure: a seed in, sessions out.
import { drawTier, type Tier } from "./network";
import { rng } from "./rng";

export interface ViewerSpec {
  /** Global id, unique in the run (also the WebRTC pairing identity). */
  id: number;
  /** Session key the Worker routes on (jumpBucket). */
  key: number;
  joinS: number;
  /** When its tracker socket opened, when later than joinS (routing refused its join twice, sim/run.ts). */
  socketS?: number;
  leaveS: number;
  upBps: number;
  downBps: number;
}

export interface AudienceConfig {
  viewers: number;
  /** Mean of the exponential join delay of the first wave (flash crowd). */
  flashMeanS: number;
  /** Mean session length; null: nobody leaves before the end. */
  sessionMeanS: number | null;
  /** Mean gap between a departure and its replacement's arrival. */
  replaceGapMeanS: number;
  /** Sessions are cut here (end of the run). */
  endS: number;
  /** No joins after this (the stream stops publishing). */
  lastJoinS: number;
}

export const FLASH_MEAN_S = 20;
export const SESSION_MEAN_S = 15 * 60;
export const REPLACE_GAP_MEAN_S = 5;

export function audience(cfg: AudienceConfig, tiers: readonly Tier[], seed: number): ViewerSpec[] {
  const arrivals = rng(seed, 1),
    sessions = rng(seed, 2),
    links = rng(seed, 3),
    keys = rng(seed, 4);
  const out: ViewerSpec[] = [];
  let id = 0;
  const make = (joinS: number) => {
    const t = drawTier(tiers, links);
    const len = cfg.sessionMeanS === null ? Infinity : sessions.exp(cfg.sessionMeanS);
    const v: ViewerSpec = {
      id: id++,
      key: keys.int(2 ** 31) * 2 ** 20 + keys.int(2 ** 20),
      joinS,
      leaveS: Math.min(cfg.endS, joinS + len),
      upBps: t.upBps,
      downBps: t.downBps,
    };
    out.push(v);
    return v;
  };
  for (let i = 0; i < cfg.viewers; i++) {
    let v = make(Math.min(cfg.lastJoinS * 0.999, arrivals.exp(cfg.flashMeanS)));
    // Replacements keep the seat filled until the end.
    for (;;) {
      const next = v.leaveS + arrivals.exp(cfg.replaceGapMeanS);
      if (v.leaveS >= cfg.endS || next >= cfg.lastJoinS) break;
      v = make(next);
    }
  }
  return out.sort((a, b) => a.joinS - b.joinS || a.id - b.id);
}
