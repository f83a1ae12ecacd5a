// The swarm bench's arithmetic and flags: offload, ideal, totals, channel names, and the
// refusal of bad flags.
import { describe, expect, it } from "vitest";
import { fractionOfIdeal, idealOffload, invariantLines, median, offload, totals, type ViewerRow } from "../../../bench/swarm/offload.ts";
import { channelOf, DEFAULTS, parseArgs } from "../../../bench/swarm/args.ts";
import { copiesHistogram, shortTag, stallTimeline } from "../../../bench/swarm/table.ts";

const row = (id: string, http: number, need: number, extra: Partial<ViewerRow> = {}): ViewerRow => ({
  id,
  httpSegmentBytes: http,
  neededBytes: need,
  p2pBytes: need - http,
  stalls: 0,
  stallMs: 0,
  startupMs: 100,
  abortedHttp: 0,
  integrityRejects: 0,
  ...extra,
});

describe("offload arithmetic", () => {
  it("is 1 − metered HTTP bytes / needed bytes", () => {
    expect(offload(250, 1000)).toBe(0.75);
    expect(offload(1000, 1000)).toBe(0);
  });

  it("goes negative when the origin sent more than was needed (aborted or duplicate fetches)", () => {
    expect(offload(1500, 1000)).toBe(-0.5);
  });

  it("says nothing when nothing was needed", () => {
    expect(offload(10, 0)).toBeUndefined();
  });

  it("has ideal 1 − 1/N and reports offload as a fraction of it", () => {
    expect(idealOffload(1)).toBe(0);
    expect(idealOffload(4)).toBe(0.75);
    expect(fractionOfIdeal(0.6, 4)).toBeCloseTo(0.8);
    expect(fractionOfIdeal(0.6, 1)).toBeUndefined();
    expect(() => idealOffload(0)).toThrow(RangeError);
    expect(() => idealOffload(2.5)).toThrow(RangeError);
  });

  it("totals sum bytes across viewers before dividing (not a mean of ratios)", () => {
    const t = totals([row("a", 1000, 1000), row("b", 0, 3000, { stalls: 1, stallMs: 400, startupMs: 300 })]);
    expect(t.httpSegmentBytes).toBe(1000);
    expect(t.neededBytes).toBe(4000);
    expect(t.offload).toBe(0.75);
    expect(t.ideal).toBe(0.5);
    expect(t.ofIdeal).toBe(1.5);
    expect(t.stalls).toBe(1);
    expect(t.stallMs).toBe(400);
    expect(t.startupMsMedian).toBe(200);
    expect(t.startupMsMax).toBe(300);
  });

  it("takes the median of odd and even lists", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});

describe("bench flags", () => {
  it("defaults to 4 Node viewers, 2 s apart, all three variants on the built-in live channel", () => {
    expect(parseArgs([])).toEqual({ ok: true, opts: DEFAULTS });
    expect(DEFAULTS.stream).toBe("/live/loop/master.m3u8");
  });

  it("reads --flag value and --flag=value forms", () => {
    const r = parseArgs(["--viewers", "30", "--duration=90", "--variants", "edgeswarm,stock", "--mode", "node"]);
    expect(r).toMatchObject({ ok: true, opts: { viewers: 30, duration: 90, variants: ["edgeswarm", "stock"], mode: "node" } });
  });

  it("refuses out-of-range, non-numeric and unknown values with a reason", () => {
    expect(parseArgs(["--viewers", "0"])).toMatchObject({ ok: false, reason: expect.stringMatching(/--viewers/) });
    expect(parseArgs(["--viewers", "1000"])).toMatchObject({ ok: false });
    expect(parseArgs(["--viewers", "2.5"])).toMatchObject({ ok: false });
    expect(parseArgs(["--duration"])).toMatchObject({ ok: false, reason: expect.stringMatching(/--duration/) });
    expect(parseArgs(["--variants", "edgeswarm,evil"])).toMatchObject({ ok: false, reason: expect.stringMatching(/evil/) });
    expect(parseArgs(["--mode", "wasm"])).toMatchObject({ ok: false });
    expect(parseArgs(["--stream", "http://evil.example/x.m3u8"])).toMatchObject({ ok: false });
    expect(parseArgs(["--stream", "/live/../../etc/passwd.m3u8"])).toMatchObject({ ok: false });
    expect(parseArgs(["--frobnicate"])).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown flag/) });
  });

  it("runs viewers in the network lab only in browser mode, and plain-HTTP pages only in the lab", () => {
    expect(parseArgs(["--mode", "browser", "--net", "cable"])).toMatchObject({ ok: true, opts: { net: "cable", plainHttp: false } });
    expect(parseArgs(["--mode", "browser", "--net=blocked", "--http"])).toMatchObject({ ok: true, opts: { net: "blocked", plainHttp: true } });
    expect(parseArgs(["--net", "cable"])).toMatchObject({ ok: false, reason: expect.stringMatching(/--mode browser/) });
    expect(parseArgs(["--mode", "browser", "--http"])).toMatchObject({ ok: false, reason: expect.stringMatching(/--net/) });
    expect(parseArgs(["--mode", "browser", "--net", "satellite"])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/lan, cable, dsl, mixed, blocked/),
    });
  });

  it("measures P2P off only when asked, and only with browser viewers", () => {
    expect(DEFAULTS.variants).not.toContain("p2p-off");
    expect(parseArgs(["--mode", "browser", "--variants", "edgeswarm,p2p-off"])).toMatchObject({ ok: true, opts: { variants: ["edgeswarm", "p2p-off"] } });
    expect(parseArgs(["--variants", "p2p-off"])).toMatchObject({ ok: false });
  });

  it("plays the built-in 3-minute video with --vod, and spreads start positions only on a VOD stream", () => {
    expect(parseArgs(["--vod", "--spacing", "5"])).toMatchObject({ ok: true, opts: { stream: "/streams/film/master.m3u8", spacing: 5, startStep: 0 } });
    expect(parseArgs(["--vod", "--start-step", "20"])).toMatchObject({ ok: true, opts: { startStep: 20 } });
    expect(parseArgs(["--stream", "/streams/sample/master.m3u8", "--start-step=4"])).toMatchObject({ ok: true, opts: { startStep: 4 } });
    expect(parseArgs(["--start-step", "20"])).toMatchObject({ ok: false, reason: expect.stringMatching(/VOD/) });
    expect(parseArgs(["--vod", "--start-step", "-1"])).toMatchObject({ ok: false, reason: expect.stringMatching(/--start-step/) });
    expect(channelOf("/streams/film/master.m3u8")).toBe("film");
  });

  it("names the tracker channel after the stream, as the contract says", () => {
    expect(channelOf("/live/loop/master.m3u8")).toBe("loop");
    expect(channelOf("/streams/sample/master.m3u8")).toBe("sample");
    expect(channelOf("/x.m3u8")).toBe("default");
  });
});

describe("stall timeline", () => {
  it("buckets stall starts by seconds after the first join so simultaneous stalls stand out", () => {
    expect(stallTimeline([31_000, 33_000, 34_900, 51_000], 0)).toBe("30–35 s: 3, 50–55 s: 1");
    expect(stallTimeline([], 0)).toBe("");
  });
});

describe("copies histogram", () => {
  it("counts how many segments left the origin once, twice, and so on", () => {
    expect(copiesHistogram({ "/a.ts": ["v-01"], "/b.ts": ["v-01", "v-02"], "/c.ts": ["v-03"], "/d.ts": ["v-01", "v-02", "v-03", "v-04"] })).toBe(
      "1×: 2, 2×: 1, 4×: 1",
    );
    expect(shortTag("edgeswarm-03")).toBe("03");
    expect(shortTag("untagged")).toBe("untagged");
    expect(copiesHistogram({})).toBe("");
  });
});

describe("egress invariant lines", () => {
  const t = (http: number, need: number) => totals([row("a", http, need)]);
  it("holds when EdgeSwarm's egress is at most the need, and says by how much", () => {
    const [line] = invariantLines([{ variant: "edgeswarm", total: t(300, 1000) }]);
    expect(line).toMatch(/egress \/ need = 0\.300 → holds \(70\.0 % below need\)/);
  });
  it("says BROKEN when EdgeSwarm sent more than the need", () => {
    expect(invariantLines([{ variant: "edgeswarm", total: t(1050, 1000) }])[0]).toMatch(/BROKEN: 5\.0 % above need/);
  });
  it("compares per byte of need with a measured P2P-off run when there is one", () => {
    const lines = invariantLines([
      { variant: "edgeswarm", total: t(500, 1000) },
      { variant: "p2p-off", total: t(1100, 1000) },
    ]);
    expect(lines[1]).toMatch(/egress \/ need = 1\.100; edgeswarm egress per byte of need = 0\.455 × P2P off → holds/);
    expect(
      invariantLines([
        { variant: "edgeswarm", total: t(1200, 1000) },
        { variant: "p2p-off", total: t(1100, 1000) },
      ])[1],
    ).toMatch(/BROKEN/);
  });
  it("prints nothing without an EdgeSwarm row", () => {
    expect(invariantLines([{ variant: "stock", total: t(1, 1) }])).toEqual([]);
  });
});
