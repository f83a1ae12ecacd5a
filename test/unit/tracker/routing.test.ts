// Which Durable Object a tracker connection lands in: channel from the path, shard
// suffix by sharding mode. Pure string logic.
import { isChannelName } from "../../../shared/names";
import { describe, expect, it } from "vitest";
import {
  askedBucket,
  bucketShardName,
  bucketsFor,
  channelFromPath,
  expectedViewers,
  parseExpectedViewers,
  parseShardName,
  shardingMode,
  shardName,
} from "../../../worker/tracker/routing";
import type { Env } from "../../../worker/env";
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
    expect(isChannelName(null)).toBe(false);
    expect(isChannelName("!registry")).toBe(false); // the registry's name can never be a channel
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

describe("bucket names and sizes", () => {
  it("bucket 0 keeps the region's name, others append ~<bucket>", () => {
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

describe("asked buckets and shard names", () => {
  it("takes a bucket a viewer asks for only when it could exist", () => {
    expect(askedBucket("0")).toBe(0);
    expect(askedBucket(String(MAX_BUCKETS - 1))).toBe(MAX_BUCKETS - 1);
    for (const bad of [null, "", "-1", String(MAX_BUCKETS), "1000", "1e2", "abc", "01a"]) expect(askedBucket(bad)).toBeNull();
  });

  it("splits a shard name back into region and bucket", () => {
    expect(parseShardName("live")).toEqual({ region: "live", bucket: 0 });
    expect(parseShardName("live#EU~12")).toEqual({ region: "live#EU", bucket: 12 });
    expect(parseShardName(bucketShardName("a-b_c#XX", 3))).toEqual({ region: "a-b_c#XX", bucket: 3 });
  });
});

describe("TRACKER_EXPECTED_VIEWERS", () => {
  it("reads <region>=<viewers> entries, continent regions included, and ignores what does not parse", () => {
    const m = parseExpectedViewers(" live=100000, news#EU = 20000,bad,x=,y=-3,z=0,w=1e5");
    expect([...m]).toEqual([
      ["live", 100000],
      ["news#EU", 20000],
    ]);
    expect(parseExpectedViewers(undefined).size).toBe(0);
  });

  it("gives a region its expected audience from the env, 0 for a region it does not name", () => {
    const env = { TRACKER_EXPECTED_VIEWERS: "live=5000" } as unknown as Env;
    expect(expectedViewers(env, "live")).toBe(5000);
    expect(expectedViewers(env, "other")).toBe(0);
    expect(expectedViewers({} as Env, "live")).toBe(0);
  });
});
