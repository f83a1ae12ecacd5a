// The store the core serves peers from: lookups, announcements on change, eviction
// behind the playhead and under the byte limit.
import { describe, expect, it } from "vitest";
import { KEEP_BEHIND_S, SegmentStore } from "../../../client/segment-store";
import type { CommonCoreConfig, StreamConfig } from "p2p-media-loader-core";

const buf = (n: number) => new ArrayBuffer(n);
const cfg = (limitMiB?: number) => ({ segmentMemoryStorageLimit: limitMiB }) as unknown as CommonCoreConfig;
const stream = {} as StreamConfig;

async function store(limitMiB?: number) {
  const s = new SegmentStore();
  await s.initialize(cfg(limitMiB), stream, stream);
  const changes: string[] = [];
  s.setSegmentChangeCallback((id) => changes.push(id));
  return { s, changes };
}

describe("SegmentStore", () => {
  it("returns what was stored and lists it per stream, telling the core so it can announce", async () => {
    const { s, changes } = await store();
    await s.storeSegment("sw", "v2-sw-main-a", 7, buf(10), 14, 16, "main", true);
    expect(s.hasSegment("sw", "v2-sw-main-a", 7)).toBe(true);
    expect(s.hasSegment("sw", "v2-sw-main-b", 7)).toBe(false);
    expect((await s.getSegmentData("sw", "v2-sw-main-a", 7))?.byteLength).toBe(10);
    expect(s.getStoredSegmentIds("sw", "v2-sw-main-a")).toEqual([7]);
    expect(changes).toEqual(["v2-sw-main-a"]);
  });

  it("knows a stream only after the core has requested one of its segments", async () => {
    const { s } = await store();
    expect(s.isKnownStream("v2-sw-main-a")).toBe(false);
    s.onSegmentRequested("sw", "v2-sw-main-a");
    expect(s.isKnownStream("v2-sw-main-a")).toBe(true);
  });

  it(`forgets segments that ended more than KEEP_BEHIND_S (${KEEP_BEHIND_S} s) behind the playhead`, async () => {
    const { s, changes } = await store();
    await s.storeSegment("sw", "x", 1, buf(10), 0, 2, "main", true);
    s.onPlaybackUpdated(KEEP_BEHIND_S + 10, 1);
    await s.storeSegment("sw", "x", 40, buf(10), KEEP_BEHIND_S + 10, KEEP_BEHIND_S + 12, "main", true);
    expect(s.hasSegment("sw", "x", 1)).toBe(false);
    expect(s.getStoredSegmentIds("sw", "x")).toEqual([40]);
    expect(s.usedBytes).toBe(10);
    expect(changes.at(-1)).toBe("x");
  });

  it("drops the oldest segments when over the byte limit, never the one just stored", async () => {
    const { s } = await store(1); // 1 MiB
    const half = 600 * 1024;
    await s.storeSegment("sw", "x", 1, buf(half), 0, 2, "main", false);
    await s.storeSegment("sw", "x", 2, buf(half), 2, 4, "main", false);
    expect(s.hasSegment("sw", "x", 1)).toBe(false);
    expect(s.hasSegment("sw", "x", 2)).toBe(true);
    expect(s.usedBytes).toBe(half);
  });

  it("reports capacity used by segments ahead of the playhead only", async () => {
    const { s } = await store(1);
    await s.storeSegment("sw", "x", 1, buf(512 * 1024), 0, 2, "main", false);
    await s.storeSegment("sw", "x", 2, buf(256 * 1024), 10, 12, "main", false);
    s.onPlaybackUpdated(5, 1);
    expect(s.getUsage()).toEqual({ totalCapacity: 1, usedCapacity: 0.25 });
  });

  it("replaces a segment stored twice without double-counting its bytes", async () => {
    const { s } = await store();
    await s.storeSegment("sw", "x", 1, buf(100), 0, 2, "main", true);
    await s.storeSegment("sw", "x", 1, buf(100), 0, 2, "main", true);
    expect(s.usedBytes).toBe(100);
  });
});
