// Which Durable Object a tracker connection lands in: channel from the path, shard
// suffix by sharding mode. Pure string logic.
import { describe, expect, it } from "vitest";
import { channelFromPath, isValidChannel, shardingMode, shardName } from "../../../worker/tracker/routing";

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
