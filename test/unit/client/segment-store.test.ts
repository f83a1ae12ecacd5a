// The store the core serves peers from: lookups, announcements on change, eviction
// behind the playhead and under the byte limit.
import { describe, expect, it } from "vitest";
import { KEEP_BEHIND_S, MAX_PARALLEL_UPLOADS, SegmentStore, UPLOAD_STALE_MS } from "../../../client/segment-store";
import { uploadSlots } from "../../../client/upload-slots";
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

describe("SegmentStore upload slots", () => {
  const A = "v2-sw-main-a";
  async function filled(now: () => number) {
    const s = new SegmentStore(now);
    await s.initialize(cfg(), stream, stream);
    await s.storeSegment("sw", A, 1, buf(1000), 2, 4, "main", true);
    await s.storeSegment("sw", A, 2, buf(1000), 4, 6, "main", true);
    return s;
  }

  it("serves one peer at a time to begin with: a second asker hears 'absent' until the first upload's bytes went out", async () => {
    const s = await filled(() => 0);
    expect(s.maxUploads).toBe(1);
    expect((await s.getSegmentData("sw", A, 1))?.byteLength).toBe(1000);
    expect(await s.getSegmentData("sw", A, 1)).toBeUndefined();
    expect(await s.getSegmentData("sw", A, 2)).toBeUndefined();
    s.noteUploaded(600);
    expect(await s.getSegmentData("sw", A, 2)).toBeUndefined();
    s.noteUploaded(400);
    expect((await s.getSegmentData("sw", A, 2))?.byteLength).toBe(1000);
  });

  it("times each whole upload from the core's request for the bytes to its last chunk", async () => {
    let now = 0;
    const s = await filled(() => now);
    const done: [number, number][] = [];
    s.onUploadDone = (bytes, ms) => done.push([bytes, ms]);
    await s.getSegmentData("sw", A, 1);
    now = 300;
    s.noteUploaded(600);
    expect(done).toEqual([]);
    now = 750;
    s.noteUploaded(400);
    expect(done).toEqual([[1000, 750]]);
  });

  it("never refuses the player's own read of a segment, even while uploading", async () => {
    const s = await filled(() => 0);
    await s.getSegmentData("sw", A, 1); // a peer's upload takes the slot
    s.onSegmentRequested("sw", A, 2); // the core asks for the player, then reads
    expect((await s.getSegmentData("sw", A, 2))?.byteLength).toBe(1000);
    expect(await s.getSegmentData("sw", A, 2)).toBeUndefined(); // a peer asking next still waits
  });

  it("frees the slot of an upload whose bytes stopped going out (cancelled or the peer left)", async () => {
    let t = 0;
    const s = await filled(() => t);
    await s.getSegmentData("sw", A, 1);
    t = UPLOAD_STALE_MS - 1;
    expect(await s.getSegmentData("sw", A, 2)).toBeUndefined();
    t = UPLOAD_STALE_MS;
    expect((await s.getSegmentData("sw", A, 2))?.byteLength).toBe(1000);
  });

  it("counts a peer's chunks against that peer's own upload, and times each upload by its own last chunk", async () => {
    let now = 0;
    const s = await filled(() => now);
    const done: [number, number, number, number][] = [];
    s.onUploadDone = (...a) => done.push(a);
    s.maxUploads = 2;
    await s.getSegmentData("sw", A, 1); // to peer a
    await s.getSegmentData("sw", A, 2); // to peer b
    expect(await s.getSegmentData("sw", A, 1)).toBeUndefined(); // both slots taken
    s.noteUploaded(500, "a");
    s.noteUploaded(500, "b");
    now = 200;
    s.noteUploaded(500, "b"); // b finishes first although a was granted first
    now = 300;
    s.noteUploaded(500, "a");
    // bytes, ms, seconds of media (the segment's end − start), uploads at once: the most at its
    // grant or its end (b: a ran at its grant; a: alone at both, though b ran in between)
    expect(done).toEqual([
      [1000, 200, 2, 2],
      [1000, 300, 2, 1],
    ]);
    await s.getSegmentData("sw", A, 1);
    now = 400;
    s.noteUploaded(1000, "c");
    expect(done.at(-1)).toEqual([1000, 100, 2, 1]); // alone
  });

  it("wired to upload-slots.ts as seeding.ts wires it, serves more peers at once once its uploads show a fast uplink", async () => {
    let now = 0;
    const s = await filled(() => now);
    const slots = uploadSlots();
    s.onUploadDone = (_bytes, ms, mediaS, conc) => (s.maxUploads = slots.done(mediaS, (now - ms) / 1000, conc, now / 1000));
    // Each upload carries 2 s of media in 0.2 s: ten times real time, side by side.
    for (let i = 0; i < 20; i++) {
      const k = s.maxUploads;
      for (let j = 0; j < k; j++) expect((await s.getSegmentData("sw", A, 1))?.byteLength).toBe(1000);
      expect(await s.getSegmentData("sw", A, 1)).toBeUndefined();
      now += 200;
      for (let j = 0; j < k; j++) s.noteUploaded(1000, `p${j}`);
    }
    expect(s.maxUploads).toBeGreaterThan(2);
    expect(s.maxUploads).toBeLessThanOrEqual(MAX_PARALLEL_UPLOADS);
  });

  it("ignores upload counts that are not positive numbers", async () => {
    const s = await filled(() => 0);
    await s.getSegmentData("sw", A, 1);
    s.noteUploaded(Number.NaN);
    s.noteUploaded(-5000);
    expect(await s.getSegmentData("sw", A, 2)).toBeUndefined();
  });
});
