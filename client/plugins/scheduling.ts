// Scheduling plug-in: runs the window policy (scheduling/window-policy.ts) on this player's
// events and applies the windows it returns to the core. It times the core's HTTP fetches
// and offers the timed fetch the edge seeder claims with; it decides nothing itself.
import Hls from "hls.js";
import type { LevelUpdatedData } from "hls.js";
import { timedFetch } from "../http-timing";
import { pageSetsWindows, windowPolicy, type Windows } from "../scheduling/window-policy";
import type { Dispose, P2PContext } from "./context";

export function installScheduling(ctx: P2PContext): Dispose {
  const policy = windowPolicy(pageSetsWindows(ctx.opts.coreConfig));
  const apply = (w: Windows | undefined) => {
    if (w) ctx.configure(w);
  };
  ctx.hooks.httpStart = (url) => policy.onHttpStart(url, ctx.now());
  ctx.hooks.fetch = timedFetch(policy.timing, () => apply(policy.decide()));
  // Registered before the engine binds hls.js, so it runs before the engine sizes hls.js's buffer.
  const onLevel = (_e: string, data: LevelUpdatedData) => apply(policy.onLevel(data.details.targetduration, data.details.live));
  ctx.hls.on(Hls.Events.LEVEL_UPDATED, onLevel);
  ctx.on("onSegmentLoaded", (d) => apply(policy.onSegmentLoaded(d.downloadSource, d.segmentUrl, ctx.now())));
  return () => {
    ctx.hls.off(Hls.Events.LEVEL_UPDATED, onLevel);
  };
}
