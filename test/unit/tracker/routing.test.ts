// Which Durable Object a tracker connection lands in: channel from the path, shard
// suffix by sharding mode. Pure string logic.
import { describe, expect, it } from "vitest";
import { bucketShardName, bucketsFor, channelFromPath, isValidChannel, jumpBucket, shardingMode, shardName } from "../../../worker/tracker/routing";
import { MAX_BUCKETS, SHARD_TARGET_VIEWERS } from "../../../worker/tracker/limits";

describe("channelFromPath", () => {
  it("takes the channel from /announce/<channel>, tolerating one trailing slash", () => {
    expect(channelFromPath("/announce/loop")).toEqual({ ok: true, channel: "loop" });
    expect(channelFromPath("/announce/loop/")).toEqual({ ok: true, channel: "loop" });
    expect(channelFromPath("/announce/")).toEqual({ ok: true, channel: "default" });
  });
  it("refuses names outside [A-Za-z0-9_-]{1,64}", () => {
    for (const p of ["/announce/a b", "/announce/é", "/announce//", "/announce/!registry", "/announcex", "/announce/a#b"]) {
      expect(channelFromPath(p).ok, p).toBe(false);
    }
    expect(isValidChannel(null)).toBe(false);
    expect(isValidChannel("!registry")).toBe(false); // the registry's name can never be a channel
  });
});

describe("shardName", () => {
  it("is the channel itself in the default mode", () => {
    expect(shardingMode(undefined)).toBe("channel");
    expect(shardingMode("bogus")).toBe("channel");
    expect(shardName("loop", "channel", { continent: "EU" })).toBe("loop");
  });
  it("appends the continent in continent mode, XX when unknown or malformed", () => {
    expect(shardingMode("continent")).toBe("continent");
    expect(shardName("loop", "continent", { continent: "EU" })).toBe("loop#EU");
    expect(shardName("loop", "continent", undefined)).toBe("loop#XX");
    expect(shardName("loop", "continent", { continent: "../x" })).toBe("loop#XX");
    expect(shardName("loop", "continent", { continent: 5 })).toBe("loop#XX");
  });
});

describe("buckets inside a channel region", () => {
  it("jumpBucket spreads keys evenly and moves only about 1/(b+1) of them when a bucket is added", () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => (i * 2654435761) >>> 0);
    const counts = new Array(4).fill(0);
    for (const k of keys) counts[jumpBucket(k, 4)]++;
    for (const c of counts) expect(Math.abs(c - 5000)).toBeLessThan(400);
    const moved = keys.filter((k) => jumpBucket(k, 4) !== jumpBucket(k, 5)).length / keys.length;
    expect(moved).toBeGreaterThan(0.15);
    expect(moved).toBeLessThan(0.25);
    // Keys that move only ever move to the new bucket.
    for (const k of keys) if (jumpBucket(k, 4) !== jumpBucket(k, 5)) expect(jumpBucket(k, 5)).toBe(4);
  });

  it("one bucket puts everyone in the same shard, which keeps the region's name", () => {
    expect(jumpBucket(123456, 1)).toBe(0);
    expect(bucketShardName("live#EU", 0)).toBe("live#EU");
    expect(bucketShardName("live#EU", 3)).toBe("live#EU~3");
  });

  it("sizes buckets to SHARD_TARGET_VIEWERS and caps them", () => {
    expect(bucketsFor(0)).toBe(1);
    expect(bucketsFor(SHARD_TARGET_VIEWERS)).toBe(1);
    expect(bucketsFor(SHARD_TARGET_VIEWERS + 1)).toBe(2);
    expect(bucketsFor(100_000)).toBe(50);
    expect(bucketsFor(1e9)).toBe(MAX_BUCKETS);
  });
});
