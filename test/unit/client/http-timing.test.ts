// HTTP fetch timing and the live high-demand window it sizes.
import { describe, expect, it } from "vitest";
import { HttpTiming, RECENT_FETCHES, timedFetch } from "../../../client/http-timing";
import { CORE_TUNING } from "../../../client/engine-config";
import { CORE_REVISIT_S, LIVE_HIGH_DEMAND_MAX_SEGMENTS, LIVE_HIGH_DEMAND_SEGMENTS } from "../../../client/limits";
import { liveHighDemand, liveJoinHighDemand, windowsFor } from "../../../client/scheduling/window-policy";

describe("HttpTiming", () => {
  it("measures a fetch from start to end and reports the slowest recent one", () => {
    const t = new HttpTiming();
    expect(t.slowest()).toBe(0);
    t.start("a", 1000);
    t.start("b", 1100);
    t.end("b", 1400);
    t.end("a", 3000);
    expect(t.slowest()).toBe(2);
  });
  it("forgets fetches older than the last RECENT_FETCHES", () => {
    const t = new HttpTiming();
    t.sample(5);
    for (let i = 0; i < RECENT_FETCHES; i++) t.sample(0.1);
    expect(t.slowest()).toBe(0.1);
  });
  it("ignores ends it never saw start, and nonsense samples", () => {
    const t = new HttpTiming();
    t.end("never", 5000);
    t.sample(Number.NaN);
    t.sample(-3);
    expect(t.slowest()).toBe(0);
  });
  it("keeps a bounded number of open fetches (aborted ones never end)", () => {
    const t = new HttpTiming();
    for (let i = 0; i < 100; i++) t.start(`u${i}`, i);
    t.end("u0", 10_000); // evicted long ago: no sample
    t.end("u99", 1099);
    expect(t.slowest()).toBe(1);
  });
});

describe("liveHighDemand", () => {
  it("is 1.5 target durations while HTTP is fast", () => {
    expect(liveHighDemand(2, 0)).toBe(LIVE_HIGH_DEMAND_SEGMENTS * 2);
    expect(liveHighDemand(2, 0.2)).toBe(3);
  });
  it("grows with the slowest recent fetch: one target duration plus twice the fetch, in 0.5 s steps", () => {
    expect(liveHighDemand(2, 1)).toBe(4);
    expect(liveHighDemand(2, 1.6)).toBe(5.5);
  });
  it("stops at LIVE_HIGH_DEMAND_MAX_SEGMENTS target durations", () => {
    expect(liveHighDemand(2, 30)).toBe(LIVE_HIGH_DEMAND_MAX_SEGMENTS * 2);
    expect(liveHighDemand(2, Number.POSITIVE_INFINITY)).toBe(3); // not finite: treated as unknown
  });
  it("shapes live windows: no random HTTP seeding beyond the high-demand window", () => {
    const w = windowsFor(2, true, 1);
    expect(w.highDemandTimeWindow).toBe(4);
    expect(w.httpDownloadTimeWindow).toBe(4);
    expect(w.p2pDownloadTimeWindow).toBeGreaterThanOrEqual(30);
  });
});

describe("liveJoinHighDemand (between a live viewer's first and second segment)", () => {
  it("is one core revisit plus twice the first fetch, in 0.5 s steps: 1.5 s on a fast origin", () => {
    expect(CORE_REVISIT_S).toBe(1);
    expect(liveJoinHighDemand(2, 0.05)).toBe(1.5);
    expect(liveJoinHighDemand(2, 0.25)).toBe(1.5);
    expect(liveJoinHighDemand(2, 0.3)).toBe(2);
  });
  it("leaves the second of two 2 s segments to peers only while HTTP could still fetch it after a revisit", () => {
    // Playback starts ~0.1 s into the first segment: the second is ~1.9 s ahead.
    const lead = 1.9;
    const w = liveJoinHighDemand(2, 0.1);
    expect(w).toBeLessThan(lead); // held back for peers
    // Worst case the core notices it one revisit after it entered the window.
    expect(w - CORE_REVISIT_S).toBeGreaterThanOrEqual(2 * 0.1); // HTTP still has twice its time
    expect(liveJoinHighDemand(2, 0.5)).toBeGreaterThanOrEqual(lead); // slow origin: fetched at once, as before
  });
  it("is the steady window until a fetch has been timed, and never more than it", () => {
    expect(liveJoinHighDemand(2, 0)).toBe(liveHighDemand(2, 0));
    expect(liveJoinHighDemand(2, Number.NaN)).toBe(liveHighDemand(2, 0));
    for (const s of [0.1, 0.5, 1, 2, 5]) expect(liveJoinHighDemand(2, s)).toBeLessThanOrEqual(liveHighDemand(2, s));
  });
  it("joins live and VOD alike: the same join window under each one's steady window", () => {
    expect(windowsFor(2, true, 0.1, true).highDemandTimeWindow).toBe(1.5);
    expect(windowsFor(2, true, 0.1, true).httpDownloadTimeWindow).toBe(1.5);
    expect(windowsFor(2, true, 0.1, false).highDemandTimeWindow).toBe(3);
    expect(windowsFor(2, false, 0.1, true).highDemandTimeWindow).toBe(1.5);
    expect(windowsFor(2, false, 0.1, false).highDemandTimeWindow).toBe(6);
    // VOD keeps its HTTP prefetch beyond the (join) window: random HTTP seeding of viewers
    // at one position.
    expect(windowsFor(2, false, 0.1, true).httpDownloadTimeWindow).toBe(Math.max(6, 1.5 + 2 * 2));
    // A slow origin: the join window grows to the steady one, never past it.
    expect(windowsFor(2, false, 5, true).highDemandTimeWindow).toBe(6);
  });
  it("fetches one segment at a time over HTTP while joining, so the next is not taken alongside the first", () => {
    expect(windowsFor(2, true, 0, true).simultaneousHttpDownloads).toBe(1);
    expect(windowsFor(2, false, 0, true).simultaneousHttpDownloads).toBe(1);
    expect(windowsFor(2, true, 0.1, false).simultaneousHttpDownloads).toBe(CORE_TUNING.simultaneousHttpDownloads);
    expect(windowsFor(2, false, 0.1, false).simultaneousHttpDownloads).toBe(CORE_TUNING.simultaneousHttpDownloads);
  });
});

describe("timedFetch", () => {
  it("times full 200 responses, body included, and passes them on intact", async () => {
    const t = new HttpTiming();
    let samples = 0;
    const slowBody: typeof fetch = async () =>
      new Response(
        new ReadableStream({
          async start(c) {
            c.enqueue(new Uint8Array([1, 2]));
            await new Promise((r) => setTimeout(r, 60));
            c.enqueue(new Uint8Array([3]));
            c.close();
          },
        }),
        { status: 200, headers: { "x-edgeswarm-claim": "granted" } },
      );
    const res = await timedFetch(t, () => samples++, slowBody)("http://x/1.ts");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    expect(res.headers.get("x-edgeswarm-claim")).toBe("granted");
    expect(samples).toBe(1);
    expect(t.slowest()).toBeGreaterThanOrEqual(0.05);
  });
  it("does not time a denied claim's empty 204", async () => {
    const t = new HttpTiming();
    let samples = 0;
    const res = await timedFetch(
      t,
      () => samples++,
      async () => new Response(null, { status: 204 }),
    )("http://x/1.ts");
    expect(res.status).toBe(204);
    expect(samples).toBe(0);
    expect(t.slowest()).toBe(0);
  });
});
