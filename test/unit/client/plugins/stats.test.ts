// Stats plug-ins: the counters and events from the core's events (HTTP bytes counted once,
// handed-over segments not announced twice), and the `stats` event every tick.
import { afterEach, describe, expect, it, vi } from "vitest";
import { STATS_TICK_MS } from "../../../../client/limits";
import { installCoreStats, installStats } from "../../../../client/plugins/stats";
import { fakeContext } from "./fake-context";

afterEach(() => vi.useRealTimers());

describe("installCoreStats", () => {
  it("counts HTTP chunks through ctx.http, less what the handover already counted", () => {
    const f = fakeContext();
    f.ctx.hooks.originBytes = (n) => n - 10;
    installCoreStats(f.ctx);
    f.core("onChunkDownloaded", 100, "http", undefined);
    f.core("onChunkDownloaded", 50, "p2p", "peer");
    expect(f.http).toEqual([90]);
  });

  it("counts verified peer bytes and emits one segment event per delivered segment, none for a handover", () => {
    const f = fakeContext();
    f.ctx.hooks.handedOver = (url) => url.endsWith("/won.ts");
    installCoreStats(f.ctx);
    f.core("onSegmentLoaded", { segmentUrl: "https://w/p.ts", bytesLength: 700, downloadSource: "p2p", peerId: "pp", streamType: "main" });
    f.core("onSegmentLoaded", { segmentUrl: "https://w/won.ts", bytesLength: 900, downloadSource: "http", peerId: undefined, streamType: "main" });
    f.core("onSegmentLoaded", { segmentUrl: "https://w/h.ts", bytesLength: 800, downloadSource: "http", peerId: undefined, streamType: "main" });
    expect(f.ctx.counters.p2pBytes).toBe(700);
    expect(f.events.filter(([k]) => k === "segment").map(([, e]) => e)).toEqual([
      { source: "p2p", bytes: 700, url: "https://w/p.ts", peerId: "pp" },
      { source: "http", bytes: 800, url: "https://w/h.ts" },
    ]);
  });

  it("tracks peers per stream, uploads and segment errors, with their events", () => {
    const f = fakeContext();
    installCoreStats(f.ctx);
    f.core("onPeerConnect", { peerId: "a", streamType: "main" });
    f.core("onPeerConnect", { peerId: "a", streamType: "secondary" });
    f.core("onPeerClose", { peerId: "a", streamType: "secondary" });
    f.core("onChunkUploaded", 64, "a");
    f.core("onSegmentError", { error: { type: "failed" }, downloadSource: "http" } as never);
    f.core("onSegmentError", { error: { type: "abort" }, downloadSource: "p2p" } as never);
    expect([...f.ctx.counters.peers]).toEqual(["main:a"]);
    expect(f.ctx.counters.uploadedBytes).toBe(64);
    expect(f.ctx.counters.errors["http-failed"]).toBe(1);
    expect(f.events.map(([k]) => k)).toEqual(["peer", "peer", "peer", "upload"]);
  });
});

describe("installStats", () => {
  it("emits a stats snapshot every tick until disposed", () => {
    vi.useFakeTimers();
    const f = fakeContext({ report: false });
    const dispose = installStats(f.ctx);
    f.ctx.http(123);
    vi.advanceTimersByTime(STATS_TICK_MS * 2);
    const stats = f.events.filter(([k]) => k === "stats").map(([, e]) => e as { httpBytes: number; mode: string });
    expect(stats.length).toBe(2);
    expect(stats[1]).toMatchObject({ httpBytes: 123, mode: "p2p", uploading: true });
    dispose();
    vi.advanceTimersByTime(STATS_TICK_MS * 3);
    expect(f.events.filter(([k]) => k === "stats").length).toBe(2);
  });
});
