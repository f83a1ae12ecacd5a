import { describe, expect, it } from "vitest";
import { foreignStreamMessage, qualityFromQuery, resolveStream, rtcConfigFromQuery, viewerLink } from "../../../demo/src/query";

const ORIGIN = "https://swarm.example";

describe("resolveStream", () => {
  it("plays the live channel when no stream is given", () => {
    const c = resolveStream(null, ORIGIN);
    expect(c).toMatchObject({ ok: true, kind: "preset", url: "https://swarm.example/live/loop/master.m3u8" });
  });
  it("accepts preset ids, same-origin paths and http(s) URLs", () => {
    expect(resolveStream("vod", ORIGIN)).toMatchObject({ ok: true, kind: "preset", url: `${ORIGIN}/streams/sample/master.m3u8` });
    expect(resolveStream("film", ORIGIN)).toMatchObject({ ok: true, kind: "preset", url: `${ORIGIN}/streams/film/master.m3u8` });
    expect(resolveStream("/streams/sample/master.m3u8", ORIGIN)).toMatchObject({ ok: true, kind: "preset" });
    expect(resolveStream("/streams/other/master.m3u8?t=1", ORIGIN)).toMatchObject({ ok: true, kind: "custom", url: `${ORIGIN}/streams/other/master.m3u8?t=1` });
    expect(resolveStream(" https://cdn.example/a.m3u8 ", ORIGIN)).toMatchObject({ ok: true, kind: "custom", url: "https://cdn.example/a.m3u8" });
  });
  it.each([
    ["javascript:alert(1)", "http(s) URL"],
    ["data:application/x-mpegurl,#EXTM3U", "http(s) URL"],
    ["blob:https://x/1", "http(s) URL"],
    ["ftp://x/a.m3u8", "http(s) URL"],
    ["//evil.example/a.m3u8", "http(s) URL"],
    ["live.m3u8", "http(s) URL"],
    ["https://user:pw@cdn.example/a.m3u8", "user name or password"],
    ["https://[::1/a.m3u8", "not a valid URL"],
    ["https://cdn.example/" + "a".repeat(3000), "longer than 2048"],
  ])("refuses %s with a reason the page shows", (input, reason) => {
    const c = resolveStream(input, ORIGIN);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.reason).toContain(reason);
  });
});

describe("rtcConfigFromQuery", () => {
  it("gives { iceServers: [] } for ice=none and nothing by default", () => {
    expect(rtcConfigFromQuery(new URLSearchParams("ice=none"))).toEqual({ iceServers: [] });
    expect(rtcConfigFromQuery(new URLSearchParams(""))).toBeUndefined();
  });
  it("takes stun servers when configured", () => {
    expect(rtcConfigFromQuery(new URLSearchParams("stun=stun:stun.example:3478"))).toEqual({ iceServers: [{ urls: "stun:stun.example:3478" }] });
  });
  it.each([
    ["ice=all", "Unknown ice mode"],
    ["stun=http://x", "stun must look like"],
    ["ice=none&stun=stun:a:1", "contradict"],
    ["stun=stun:a&stun=stun:b&stun=stun:c&stun=stun:d&stun=stun:e", "At most 4"],
  ])("refuses %s", (q, msg) => {
    const r = rtcConfigFromQuery(new URLSearchParams(q));
    expect(r && "error" in r ? r.error : "").toContain(msg);
  });
});

describe("viewerLink", () => {
  it("carries the stream as a path when same-origin and keeps the ICE settings", () => {
    const link = viewerLink(`${ORIGIN}/?src=vod&ice=none&junk=1`, `${ORIGIN}/live/loop/master.m3u8`);
    const u = new URL(link);
    expect(u.origin + u.pathname).toBe(`${ORIGIN}/`);
    expect(u.searchParams.get("src")).toBe("/live/loop/master.m3u8");
    expect(u.searchParams.get("ice")).toBe("none");
    expect(u.searchParams.has("junk")).toBe(false);
  });
  it("carries a foreign stream as a full URL, which resolveStream accepts back", () => {
    const link = viewerLink(`${ORIGIN}/`, "https://cdn.example/a.m3u8?token=x");
    const src = new URL(link).searchParams.get("src");
    expect(src).toBe("https://cdn.example/a.m3u8?token=x");
    expect(resolveStream(src, ORIGIN)).toMatchObject({ ok: true, url: "https://cdn.example/a.m3u8?token=x" });
  });
});

describe("viewerLink and quality", () => {
  it("carries a pinned rendition so the new viewer joins the same swarm, and omits auto", () => {
    expect(new URL(viewerLink(`${ORIGIN}/`, `${ORIGIN}/live/loop/master.m3u8`, "144p")).searchParams.get("q")).toBe("144p");
    expect(new URL(viewerLink(`${ORIGIN}/`, `${ORIGIN}/live/loop/master.m3u8`, "auto")).searchParams.has("q")).toBe(false);
  });
});

describe("qualityFromQuery", () => {
  it("accepts auto and rendition labels", () => {
    expect(qualityFromQuery(new URLSearchParams(""))).toBe("auto");
    expect(qualityFromQuery(new URLSearchParams("q=auto"))).toBe("auto");
    expect(qualityFromQuery(new URLSearchParams("q=360p"))).toBe("360p");
    expect(qualityFromQuery(new URLSearchParams("q=493k"))).toBe("493k");
  });
  it.each(["<script>", "360", "p", "1234567p", "../x"])("refuses q=%s with a message", (q) => {
    const r = qualityFromQuery(new URLSearchParams({ q }));
    expect(typeof r === "object" && r.error).toContain("Unknown quality");
  });
});

describe("foreignStreamMessage", () => {
  const stream = "https://cdn.other.example/live/master.m3u8";
  it("explains a stream of another origin refused by the page's policy", () => {
    const msg = foreignStreamMessage("https://cdn.other.example/live/master.m3u8", stream, ORIGIN);
    expect(msg).toContain("https://cdn.other.example is not one of them");
    expect(msg).toContain("ALLOWED_ORIGINS");
  });
  it("matches a violation that reports only the origin", () => {
    expect(foreignStreamMessage("https://cdn.other.example", stream, ORIGIN)).toBeDefined();
  });
  it("stays silent for violations that are not the stream's", () => {
    expect(foreignStreamMessage("https://tracker.example/x", stream, ORIGIN)).toBeUndefined();
    expect(foreignStreamMessage("https://swarm.example/live/x.m3u8", `${ORIGIN}/live/x.m3u8`, ORIGIN)).toBeUndefined();
    expect(foreignStreamMessage("eval", stream, ORIGIN)).toBeUndefined();
    expect(foreignStreamMessage("https://cdn.other.example/x", "", ORIGIN)).toBeUndefined();
  });
});
