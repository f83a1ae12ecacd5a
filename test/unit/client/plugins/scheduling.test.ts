// Scheduling plug-in: the window policy runs on hls.js's playlist updates and the core's
// deliveries, and the core gets each change of windows once; a page's own windows stay.
import { describe, expect, it } from "vitest";
import Hls from "hls.js";
import { JOIN_SEGMENTS } from "../../../../client/limits";
import { installScheduling } from "../../../../client/plugins/scheduling";
import { windowsFor } from "../../../../client/scheduling/window-policy";
import { fakeContext } from "./fake-context";

const level = (targetduration: number, live: boolean) => ({ details: { targetduration, live } });

describe("installScheduling", () => {
  it("applies the joining windows on the first live playlist and the steady ones after JOIN_SEGMENTS deliveries, once each", () => {
    const f = fakeContext();
    installScheduling(f.ctx);
    f.hls.emit(Hls.Events.LEVEL_UPDATED, level(2, true));
    f.hls.emit(Hls.Events.LEVEL_UPDATED, level(2, true)); // a refresh: nothing new
    for (let i = 0; i < JOIN_SEGMENTS; i++)
      f.core("onSegmentLoaded", { segmentUrl: `s${i}`, bytesLength: 1, downloadSource: "p2p", peerId: "p", streamType: "main" });
    expect(f.applied).toEqual([windowsFor(2, true, 0, true), windowsFor(2, true, 0, false)]);
  });

  it("times the core's HTTP fetches (httpStart → delivery) into the live window", () => {
    const f = fakeContext();
    installScheduling(f.ctx);
    f.hls.emit(Hls.Events.LEVEL_UPDATED, level(2, true));
    f.ctx.hooks.httpStart!("slow.ts");
    f.time.now = 3_000;
    f.core("onSegmentLoaded", { segmentUrl: "slow.ts", bytesLength: 1, downloadSource: "http", peerId: undefined, streamType: "main" });
    expect(f.applied.at(-1)).toEqual(windowsFor(2, true, 3, JOIN_SEGMENTS > 1));
    expect(typeof f.ctx.hooks.fetch).toBe("function"); // the edge seeder's claims are timed too
  });

  it("leaves a page's own windows alone, and stops listening when disposed", () => {
    const f = fakeContext({ coreConfig: { highDemandTimeWindow: 9 } });
    const dispose = installScheduling(f.ctx);
    f.hls.emit(Hls.Events.LEVEL_UPDATED, level(2, true));
    expect(f.applied).toEqual([]);
    dispose();
    expect(f.hls.listeners(Hls.Events.LEVEL_UPDATED)).toBe(0);
  });
});
