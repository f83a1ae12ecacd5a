// Options: data- attributes are parsed strictly, defaults come from the script origin and
// the stream URL, and every bad value is reported and replaced by its default.
import { describe, expect, it } from "vitest";
import { defaultChannel, defaultSwarmId, optionsFromDataset, resolveOptions, shortHash } from "../../../client/options";
import { MAX_TOKEN_CHARS } from "../../../shared/viewer-token";

const SCRIPT = "https://cdn-worker.example/edgeswarm.js";

describe("resolveOptions: where the optional modules load from", () => {
  it("beside the script when it came from the Worker, else from the Worker the page names", () => {
    expect(resolveOptions("https://x.example/a.m3u8", {}, "https://w.example/v2/edgeswarm.mjs").resolved.assets).toBe("https://w.example/v2/edgeswarm.mjs");
    expect(resolveOptions("https://x.example/a.m3u8", { workerOrigin: "https://w2.example" }, "https://w.example/edgeswarm.js").resolved.assets).toBe(
      "https://w2.example/edgeswarm.js",
    );
    expect(resolveOptions("https://x.example/live/c/a.m3u8", {}, undefined).resolved.assets).toBe("https://x.example/edgeswarm.js");
  });
});

describe("resolveOptions defaults", () => {
  it("uses the script's Worker for tracker and reports, with the /live/<name>/ channel", () => {
    const { resolved, problems } = resolveOptions("https://cdn-worker.example/live/loop/master.m3u8?token=abc", {}, SCRIPT);
    expect(problems).toEqual([]);
    expect(resolved.tracker).toBe("wss://cdn-worker.example/announce/loop");
    expect(resolved.reportUrl).toBe("https://cdn-worker.example/api/report");
    expect(resolved.channel).toBe("loop");
    expect(resolved.swarmId).toBe("https://cdn-worker.example/live/loop/master.m3u8");
    expect(resolved.rtcConfig).toEqual({ iceServers: [] });
    expect(resolved).toMatchObject({ p2p: true, upload: "auto", debug: false });
  });

  it("maps http script origins to ws trackers", () => {
    const { resolved } = resolveOptions("http://127.0.0.1:9000/streams/sample/master.m3u8", {}, "http://127.0.0.1:9000/edgeswarm.js");
    expect(resolved.tracker).toBe("ws://127.0.0.1:9000/announce/sample");
  });

  it("gives viewers with different per-viewer tokens the same swarm and channel", () => {
    const a = resolveOptions("https://o.example/vod/x/index.m3u8?sig=1#t=3", {}, SCRIPT).resolved;
    const b = resolveOptions("https://o.example/vod/x/index.m3u8?sig=2", {}, SCRIPT).resolved;
    expect(a.swarmId).toBe(b.swarmId);
    expect(a.channel).toBe(b.channel);
    expect(a.channel).toMatch(/^h[0-9a-z]+$/);
    expect(a.tracker).toBe(`wss://cdn-worker.example/announce/${a.channel}`);
  });

  it("derives the channel from an explicit swarm id, so pages naming the swarm meet", () => {
    expect(resolveOptions("https://a.example/x.m3u8", { swarmId: "match_42" }, SCRIPT).resolved.channel).toBe("match_42");
    const odd = resolveOptions("https://a.example/x.m3u8", { swarmId: "has spaces/and:colons" }, SCRIPT).resolved.channel;
    expect(odd).toMatch(/^h[0-9a-z]+$/);
  });

  it("reports a bad tracker, channel, report URL or upload value and keeps the default", () => {
    const { resolved, problems } = resolveOptions(
      "https://w.example/live/loop/m.m3u8",
      { tracker: "https://not-ws.example", channel: "bad/channel", report: "javascript:alert(1)", upload: "sometimes" as never, swarmId: "" },
      SCRIPT,
    );
    expect(problems.map((p) => p.option).sort()).toEqual(["channel", "report", "swarmId", "tracker", "upload"]);
    expect(resolved.tracker).toBe("wss://cdn-worker.example/announce/loop");
    expect(resolved.reportUrl).toBe("https://cdn-worker.example/api/report");
    expect(resolved.upload).toBe("auto");
  });

  it("throws a TypeError for a src that is not a URL", () => {
    expect(() => resolveOptions("http://[bad", {}, SCRIPT)).toThrow(TypeError);
  });

  it("turns reports off with report: false", () => {
    expect(resolveOptions("https://w.example/a.m3u8", { report: false }, SCRIPT).resolved.reportUrl).toBeNull();
  });
});

describe("optionsFromDataset", () => {
  it("reads every data- option", () => {
    const { options, problems } = optionsFromDataset({
      tracker: "wss://t.example/announce/x",
      swarmId: "s1",
      p2p: "off",
      upload: "off",
      debug: "",
      report: "off",
      stun: "stun:stun.example:3478, turn:turn.example",
    });
    expect(problems).toEqual([]);
    expect(options).toEqual({
      tracker: "wss://t.example/announce/x",
      swarmId: "s1",
      p2p: false,
      upload: "off",
      debug: true,
      report: false,
      rtcConfig: { iceServers: [{ urls: "stun:stun.example:3478" }, { urls: "turn:turn.example" }] },
    });
  });

  it("lets the video's attributes override the script tag's", () => {
    const { options } = optionsFromDataset({ p2p: "on", debug: "off" }, { debug: "on" });
    expect(options).toMatchObject({ p2p: true, debug: true });
  });

  it("reports unparseable values instead of guessing", () => {
    const { options, problems } = optionsFromDataset({ p2p: "maybe", upload: "lots", stun: "http://x" });
    expect(options.p2p).toBeUndefined();
    expect(problems.map((p) => p.option)).toEqual(["data-p2p", "data-upload", "data-stun"]);
  });
});

describe("defaults helpers", () => {
  it("strips query and fragment from the swarm id", () => {
    expect(defaultSwarmId("https://a.example/p/x.m3u8?a=1#b")).toBe("https://a.example/p/x.m3u8");
  });
  it("takes the channel from /streams/<name>/ and ignores names the tracker would refuse", () => {
    expect(defaultChannel("https://a.example/streams/sample/master.m3u8", "x")).toBe("sample");
    expect(defaultChannel("https://a.example/streams/na.me/master.m3u8", "x")).toBe(`h${shortHash("x")}`);
  });
  it("hashes stably and differently for different ids", () => {
    expect(shortHash("abc")).toBe(shortHash("abc"));
    expect(shortHash("abc")).not.toBe(shortHash("abd"));
  });
});

import { CORE_TUNING } from "../../../client/engine-config";
import { windowsFor } from "../../../client/scheduling/window-policy";

describe("windowsFor", () => {
  it("makes the high-demand window cover hls.js's buffer, with a segment of margin (3 × target duration)", () => {
    expect(windowsFor(2).highDemandTimeWindow).toBe(6);
    expect(windowsFor(6).highDemandTimeWindow).toBe(18);
    expect(windowsFor(0.5).highDemandTimeWindow).toBe(CORE_TUNING.highDemandTimeWindow);
  });
  it("keeps HTTP seeding and P2P prefetch beyond the high-demand window", () => {
    for (const td of [1, 2, 4, 6, 10]) {
      const w = windowsFor(td);
      expect(w.httpDownloadTimeWindow).toBeGreaterThan(w.highDemandTimeWindow);
      expect(w.p2pDownloadTimeWindow).toBeGreaterThan(w.httpDownloadTimeWindow);
    }
  });
  it("falls back to 2 s segments for a nonsense target duration", () => {
    expect(windowsFor(Number.NaN)).toEqual(windowsFor(2));
    expect(windowsFor(-1)).toEqual(windowsFor(2));
  });
});

describe("viewer token", () => {
  const SRC = "https://cdn-worker.example/live/loop/master.m3u8";
  const T = "eyJhbGciOiJIUzI1NiJ9.eyJzdHJlYW0iOiJsb29wIn0.c2ln-_";

  it("is read from data-token (the video's wins over the script tag's)", () => {
    expect(optionsFromDataset({ token: "a.b.c" }).options.token).toBe("a.b.c");
    expect(optionsFromDataset({ token: "script.t.t" }, { token: "video.t.t" }).options.token).toBe("video.t.t");
  });

  it("accepts a JWT and puts it on the Worker's tracker and report URLs", () => {
    const { resolved, problems } = resolveOptions(SRC, { token: T }, SCRIPT);
    expect(problems).toEqual([]);
    expect(resolved.token).toBe(T);
    expect(resolved.workerOrigin).toBe("https://cdn-worker.example");
    expect(resolved.tracker).toBe(`wss://cdn-worker.example/announce/loop?token=${T}`);
    expect(resolved.reportUrl).toBe(`https://cdn-worker.example/api/report?token=${T}`);
    // Swarm identity ignores it: viewers with different tokens share a swarm.
    expect(resolved.swarmId).toBe(SRC);
  });

  it("puts it on a tracker or report URL the page names on the Worker, never on another origin", () => {
    const own = resolveOptions(
      SRC,
      { token: T, tracker: "wss://cdn-worker.example/announce/other?x=1", report: "https://cdn-worker.example/api/report" },
      SCRIPT,
    ).resolved;
    expect(own.tracker).toBe(`wss://cdn-worker.example/announce/other?x=1&token=${T}`);
    expect(own.reportUrl).toBe(`https://cdn-worker.example/api/report?token=${T}`);
    const foreign = resolveOptions(SRC, { token: T, tracker: "wss://tracker.example/announce", report: "https://stats.example/collect" }, SCRIPT).resolved;
    expect(foreign.tracker).toBe("wss://tracker.example/announce");
    expect(foreign.reportUrl).toBe("https://stats.example/collect");
  });

  it("follows workerOrigin: the Worker the page names gets it, the script's host does not", () => {
    const r = resolveOptions(SRC, { token: T, workerOrigin: "https://w2.example" }, SCRIPT).resolved;
    expect(r.tracker).toBe(`wss://w2.example/announce/loop?token=${T}`);
    expect(r.reportUrl).toBe(`https://w2.example/api/report?token=${T}`);
  });

  it("reports a token with other characters or over MAX_TOKEN_CHARS, and plays without one", () => {
    for (const token of ["a b", "a&b=c", "x".repeat(MAX_TOKEN_CHARS + 1), ""]) {
      const { resolved, problems } = resolveOptions(SRC, { token }, SCRIPT);
      expect(problems.map((p) => p.option)).toEqual(["token"]);
      expect(resolved.token).toBeNull();
      expect(resolved.tracker).toBe("wss://cdn-worker.example/announce/loop");
      expect(resolved.reportUrl).toBe("https://cdn-worker.example/api/report");
    }
    expect(resolveOptions(SRC, { token: "x".repeat(MAX_TOKEN_CHARS) }, SCRIPT).problems).toEqual([]);
  });

  it("is null without one: no URL changes", () => {
    const { resolved } = resolveOptions(SRC, {}, SCRIPT);
    expect(resolved.token).toBeNull();
    expect(resolved.tracker).toBe("wss://cdn-worker.example/announce/loop");
  });
});
