// Upstream mode inside workerd, against a fake origin (the global fetch, stubbed): segments
// stream through while hashed (no hash header until a hit), the query never reaches the
// cache key or the origin, only HLS paths are proxied, failures are remembered briefly,
// fetches per isolate are capped, and one cache-busted playlist costs at most prefetch + 1
// origin fetches (issue 14 M3, M4). Each test uses its own base so memos do not mix.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { handleOriginRequest } from "../../../worker/origin/index";
import {
  MAX_SEGMENT_BYTES,
  UPSTREAM_MAX_CONCURRENT,
  UPSTREAM_PREFETCH_PER_PLAYLIST,
  UPSTREAM_PREFETCH_SLOTS,
  UPSTREAM_RETRY_AFTER_S,
} from "../../../worker/origin/limits";
import { mediaPlaylist, segmentBytes, sha256, taggedSegments, testEnv, textOf } from "./helpers";

type Route = () => Response | Promise<Response>;

/** A fake upstream at https://up.test/<name>/ that records every URL fetched. */
function upstream(name: string, routes: Record<string, Route>) {
  const calls: string[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    calls.push(url);
    const route = routes[new URL(url).pathname.slice(`/${name}/`.length)];
    return route ? route() : new Response("not here", { status: 404 });
  });
  const env = { ...testEnv, UPSTREAM_ORIGIN: `https://up.test/${name}/` };
  /** One request through the Worker's origin router; waits for its waitUntil work. */
  async function req(path: string, init: RequestInit = {}, wait = true) {
    const ctx = createExecutionContext();
    const res = await handleOriginRequest(new Request(`https://origin.test/upstream/${path}`, init), env, ctx);
    return { res, settled: wait ? waitOnExecutionContext(ctx) : Promise.resolve(), ctx };
  }
  async function get(path: string, init: RequestInit = {}) {
    const { res, settled } = await req(path, init);
    const bytes = new Uint8Array(await res.arrayBuffer());
    await settled;
    return { res, bytes };
  }
  return { calls, req, get };
}

const ts = (b: Uint8Array) => () => new Response(b, { headers: { "content-type": "video/mp2t" } });

/** A body we feed by hand, to see what the Worker does before the upstream has finished. */
function heldBody() {
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (ctrl = c) });
  return { body, ctrl };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("upstream segments stream through while hashed (M3)", () => {
  it("answers a miss before the upstream body has ended, without a hash header; the next request is a hit with it", async () => {
    const bytes = segmentBytes("stream", 64 * 1024);
    const held = heldBody();
    const up = upstream("stream", { "a.ts": () => new Response(held.body) });
    const { res, settled } = await up.req("a.ts");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp2t");
    // The hash is only known after the last byte; the client reads hashes from playlist tags.
    expect(res.headers.get("x-edgeswarm-sha256")).toBeNull();
    expect(res.headers.get("etag")).toBeNull();
    const reader = res.body!.getReader();
    held.ctrl.enqueue(bytes.slice(0, 1000));
    const first = await reader.read();
    expect(first.value!.byteLength).toBe(1000); // the first bytes arrive while the upstream still sends
    held.ctrl.enqueue(bytes.slice(1000));
    held.ctrl.close();
    const got: Uint8Array[] = [first.value!];
    for (let r = await reader.read(); !r.done; r = await reader.read()) got.push(r.value);
    expect(await sha256(new Uint8Array(await new Blob(got).arrayBuffer()))).toBe(await sha256(bytes));
    await settled;

    const hit = await up.get("a.ts");
    expect(hit.res.status).toBe(200);
    expect(hit.res.headers.get("x-edgeswarm-sha256")).toBe(await sha256(bytes));
    expect(hit.res.headers.get("etag")).toBe(`"${await sha256(bytes)}"`);
    expect(hit.res.headers.get("content-length")).toBe(String(bytes.byteLength));
    expect(await sha256(hit.bytes)).toBe(await sha256(bytes));
    expect(up.calls).toEqual(["https://up.test/stream/a.ts"]);
  });

  it("serves Range and HEAD on a hit from the cached body, without another fetch", async () => {
    const bytes = segmentBytes("range", 5000);
    const up = upstream("range", { "r.m4s": ts(bytes) });
    await up.get("r.m4s");
    const part = await up.get("r.m4s", { headers: { range: "bytes=1000-2999" } });
    expect(part.res.status).toBe(206);
    expect(part.res.headers.get("content-range")).toBe("bytes 1000-2999/5000");
    expect(part.bytes).toEqual(bytes.slice(1000, 3000));
    const head = await up.get("r.m4s", { method: "HEAD" });
    expect(head.res.status).toBe(200);
    expect(head.bytes.byteLength).toBe(0);
    expect(head.res.headers.get("x-edgeswarm-sha256")).toBe(await sha256(bytes));
    expect(up.calls.length).toBe(1);
  });

  it("cuts off a body over MAX_SEGMENT_BYTES (no length declared), caches nothing of it, and answers 502 { error } after", async () => {
    const good = segmentBytes("kept", 2000);
    const chunk = new Uint8Array(1024 * 1024);
    const up = upstream("huge", {
      "good.ts": ts(good),
      "big.ts": () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(c) {
              for (let i = 0; i <= MAX_SEGMENT_BYTES / chunk.byteLength; i++) c.enqueue(chunk);
              c.close();
            },
          }),
        ),
    });
    await up.get("good.ts");
    const { res, settled } = await up.req("big.ts");
    let received = 0;
    let cut = false;
    try {
      const reader = res.body!.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) received += r.value.byteLength;
    } catch {
      cut = true;
    }
    await settled;
    expect(cut).toBe(true);
    expect(received).toBeLessThanOrEqual(MAX_SEGMENT_BYTES);
    const again = await up.get("big.ts");
    expect(again.res.status).toBe(502);
    expect(JSON.parse(new TextDecoder().decode(again.bytes))).toEqual({ error: "upstream object too large" });
    // Nothing stored was lost: the earlier segment is still a hit.
    const kept = await up.get("good.ts");
    expect(kept.res.headers.get("x-edgeswarm-sha256")).toBe(await sha256(good));
    expect(up.calls.filter((u) => u.endsWith("big.ts")).length).toBe(1);
    expect(up.calls.filter((u) => u.endsWith("good.ts")).length).toBe(1);
  });

  it("refuses a declared length over MAX_SEGMENT_BYTES with 502 { error } before reading the body", async () => {
    let pulled = false;
    const up = upstream("declared", {
      "x.ts": () =>
        new Response(new ReadableStream({ pull: () => void (pulled = true) }, { highWaterMark: 0 }), {
          headers: { "content-length": String(MAX_SEGMENT_BYTES + 1) },
        }),
    });
    const r = await up.get("x.ts");
    expect(r.res.status).toBe(502);
    expect(JSON.parse(new TextDecoder().decode(r.bytes))).toEqual({ error: "upstream object too large" });
    expect(pulled).toBe(false);
  });
});

describe("the query is not part of the cache key or the upstream URL (M4)", () => {
  it("fetches a.ts once for any number of cache-busting queries, and never sends the query upstream", async () => {
    const bytes = segmentBytes("q", 3000);
    const up = upstream("query", { "q.ts": ts(bytes) });
    for (const q of ["", "?bust=1", "?bust=2", "?x=1&y=2"]) {
      const r = await up.get(`q.ts${q}`);
      expect(r.res.status).toBe(200);
      expect(await sha256(r.bytes)).toBe(await sha256(bytes));
    }
    expect(up.calls).toEqual(["https://up.test/query/q.ts"]);
  });

  it("leaves playlist URIs that carry a query, or name something not proxied, as absolute upstream URLs", async () => {
    const up = upstream("uris", {
      "index.m3u8": () => new Response(mediaPlaylist(["s1.ts", "s2.ts?sig=abc", "../other/s3.ts", "s4.bin"], { end: true })),
      "s1.ts": ts(segmentBytes("s1")),
    });
    const r = await up.get("index.m3u8");
    const segs = taggedSegments(new TextDecoder().decode(r.bytes));
    expect(segs.map((s) => s.uri)).toEqual([
      "/upstream/s1.ts",
      "https://up.test/uris/s2.ts?sig=abc",
      "https://up.test/other/s3.ts",
      "https://up.test/uris/s4.bin",
    ]);
    expect(segs[0]!.sha256).toBe(await sha256(segmentBytes("s1")));
    expect(segs.slice(1).every((s) => s.sha256 === null)).toBe(true);
    expect(up.calls.sort()).toEqual(["https://up.test/uris/index.m3u8", "https://up.test/uris/s1.ts"]);
  });
});

describe("only HLS playlists and media are proxied", () => {
  it("answers other paths 404 { error } without an upstream fetch", async () => {
    const up = upstream("allow", {});
    for (const p of ["secret.json", "index.html", "admin", "dir/", "a.ts.bak", "keys/k.key", "x.php?a.ts", ".ts"]) {
      const r = await up.get(p);
      expect(r.res.status, p).toBe(404);
      expect(JSON.parse(new TextDecoder().decode(r.bytes)), p).toEqual({ error: "not an HLS playlist or media file (upstream mode proxies only those)" });
    }
    expect(up.calls).toEqual([]);
  });

  it("proxies every listed media extension", async () => {
    const exts = ["ts", "m4s", "mp4", "m4v", "m4a", "cmfv", "cmfa", "cmft", "aac", "ac3", "ec3", "mp3", "vtt", "webvtt", "TS"];
    const up = upstream("exts", Object.fromEntries(exts.map((e) => [`f.${e}`, ts(segmentBytes(e))])));
    for (const e of exts) expect((await up.get(`f.${e}`)).res.status, e).toBe(200);
    expect(up.calls.length).toBe(exts.length);
  });
});

describe("upstream failures are remembered briefly", () => {
  it("a 404 is fetched once for a flood of requests, each answered 404 { error }", async () => {
    const up = upstream("nf", {});
    for (const q of ["", "?1", "?2", "?3", "?4"]) {
      const r = await up.get(`gone.ts${q}`);
      expect(r.res.status).toBe(404);
      expect(JSON.parse(new TextDecoder().decode(r.bytes))).toEqual({ error: "not found upstream" });
    }
    expect(up.calls).toEqual(["https://up.test/nf/gone.ts"]);
  });

  it("a 5xx, an unreachable upstream and a failing playlist are each fetched once, answered 502 { error }", async () => {
    const up = upstream("err", {
      "boom.ts": () => new Response("boom", { status: 500 }),
      "down.m3u8": () => Promise.reject(new TypeError("connection refused")),
    });
    for (let i = 0; i < 3; i++) {
      const a = await up.get("boom.ts");
      expect(a.res.status).toBe(502);
      expect(JSON.parse(new TextDecoder().decode(a.bytes))).toEqual({ error: "upstream answered 500" });
      const b = await up.get(`down.m3u8?n=${i}`);
      expect(b.res.status).toBe(502);
      expect(JSON.parse(new TextDecoder().decode(b.bytes))).toEqual({ error: "upstream unreachable" });
    }
    expect(up.calls.sort()).toEqual(["https://up.test/err/boom.ts", "https://up.test/err/down.m3u8"]);
  });
});

describe("upstream fetches are capped per isolate", () => {
  it(`holds at most ${UPSTREAM_MAX_CONCURRENT} at once; one more waits, then gets 503 { error } with retry-after; all recover`, async () => {
    const held = Array.from({ length: UPSTREAM_MAX_CONCURRENT }, () => heldBody());
    const routes: Record<string, Route> = Object.fromEntries(held.map((h, i) => [`h${i}.ts`, () => new Response(h.body)]));
    routes["extra.ts"] = ts(segmentBytes("extra"));
    routes["pl.m3u8"] = () => new Response(mediaPlaylist(["p1.ts", "p2.ts"]));
    const up = upstream("cap", routes);
    const open = await Promise.all(held.map((_, i) => up.req(`h${i}.ts`)));
    expect(open.every((o) => o.res.status === 200)).toBe(true);

    const over = await up.get("extra.ts");
    expect(over.res.status).toBe(503);
    expect(over.res.headers.get("retry-after")).toBe(String(UPSTREAM_RETRY_AFTER_S));
    expect(JSON.parse(new TextDecoder().decode(over.bytes))).toEqual({ error: "too many upstream fetches in progress; retry shortly" });
    expect(up.calls.filter((u) => u.endsWith("extra.ts"))).toEqual([]);

    // Release them: every held response streams to its end, and the slots come back.
    for (const [i, h] of held.entries()) {
      h.ctrl.enqueue(segmentBytes(`h${i}`));
      h.ctrl.close();
    }
    for (const [i, o] of open.entries()) {
      expect(new Uint8Array(await o.res.arrayBuffer())).toEqual(segmentBytes(`h${i}`));
      await o.settled;
    }
    expect((await up.get("extra.ts")).res.status).toBe(200);
    expect(UPSTREAM_PREFETCH_SLOTS).toBeLessThan(UPSTREAM_MAX_CONCURRENT);
  });

  it(`prefetch starts no fetch while ${UPSTREAM_PREFETCH_SLOTS} or more are in flight; the playlist is still served`, async () => {
    const held = Array.from({ length: UPSTREAM_PREFETCH_SLOTS }, () => heldBody());
    const routes: Record<string, Route> = Object.fromEntries(held.map((h, i) => [`h${i}.ts`, () => new Response(h.body)]));
    routes["live.m3u8"] = () => new Response(mediaPlaylist(["p1.ts", "p2.ts"]));
    routes["p1.ts"] = ts(segmentBytes("p1"));
    routes["p2.ts"] = ts(segmentBytes("p2"));
    const up = upstream("busy", routes);
    const open = await Promise.all(held.map((_, i) => up.req(`h${i}.ts`)));
    // The playlist's own cache write waits behind the held ones here: every request in this
    // test shares one I/O context, and workerd runs 6 connections per context at once.
    const pl = await up.req("live.m3u8");
    expect(pl.res.status).toBe(200);
    expect(taggedSegments(await textOf(pl.res)).map((s) => s.sha256)).toEqual([null, null]);
    expect(up.calls.filter((u) => /p\d\.ts$/.test(u))).toEqual([]);
    for (const h of held) h.ctrl.close();
    for (const o of open) {
      await o.res.arrayBuffer();
      await o.settled;
    }
    await pl.settled;
  });
});

describe("one cache-busted playlist request costs at most prefetch + 1 origin fetches (M4)", () => {
  it(`a 20-segment live playlist: ${UPSTREAM_PREFETCH_PER_PLAYLIST + 1} fetches, none with the query; a second busted request fetches nothing twice`, async () => {
    const uris = Array.from({ length: 20 }, (_, i) => `seg${i}.ts`);
    const routes: Record<string, Route> = { "live/index.m3u8": () => new Response(mediaPlaylist(uris, { seq: 100 })) };
    for (const u of uris) routes[`live/${u}`] = ts(segmentBytes(u));
    const up = upstream("amp", routes);
    const first = await up.get("live/index.m3u8?bust=1");
    expect(first.res.status).toBe(200);
    expect(up.calls.length).toBe(UPSTREAM_PREFETCH_PER_PLAYLIST + 1);
    expect(up.calls.every((u) => !u.includes("?"))).toBe(true);
    // Live: the newest segments are tagged first, with the hashes of their bytes.
    const segs = taggedSegments(new TextDecoder().decode(first.bytes));
    for (const [i, s] of segs.entries()) {
      const want = i >= 20 - UPSTREAM_PREFETCH_PER_PLAYLIST ? await sha256(segmentBytes(uris[i]!)) : null;
      expect(s.sha256, s.uri).toBe(want);
    }
    const before = up.calls.length;
    const second = await up.get("live/index.m3u8?bust=2");
    expect(second.res.status).toBe(200);
    expect(up.calls.length - before).toBeLessThanOrEqual(UPSTREAM_PREFETCH_PER_PLAYLIST + 1);
    const segFetches = up.calls.filter((u) => u.endsWith(".ts"));
    expect(new Set(segFetches).size).toBe(segFetches.length);
  });
});
