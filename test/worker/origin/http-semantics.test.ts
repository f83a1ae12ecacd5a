// HTTP correctness of served media: Range (first byte, last byte, suffix, open, beyond
// end → 416, malformed → ignored, multi-range → full 200), HEAD, ETag/If-None-Match → 304,
// If-Range, content types, CORS on real responses and preflight, 404 JSON.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { get, ingest, segmentBytes, sha256 } from "./helpers";

const SIZE = 1000;
const BYTES = segmentBytes("range-seg", SIZE);
const URL_SEG = "/streams/http-a/seg.ts";
const range = (v: string, extra: Record<string, string> = {}) => get(URL_SEG, { headers: { range: v, ...extra } });
const bytesOf = async (r: Response) => new Uint8Array(await r.arrayBuffer());

beforeAll(async () => {
  const r = await ingest("vod/http-a/seg.ts", BYTES);
  expect([200, 201]).toContain(r.status);
  await ingest("vod/http-a/audio.aac", segmentBytes("aac"));
  await ingest("vod/http-a/subs.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n");
});

describe("Range requests", () => {
  it("serves the first byte (bytes=0-0) as 206 with Content-Range", async () => {
    const r = await range("bytes=0-0");
    expect(r.status).toBe(206);
    expect(r.headers.get("content-range")).toBe(`bytes 0-0/${SIZE}`);
    expect(r.headers.get("content-length")).toBe("1");
    expect([...(await bytesOf(r))]).toEqual([BYTES[0]]);
  });

  it("serves the last byte", async () => {
    const r = await range(`bytes=${SIZE - 1}-${SIZE - 1}`);
    expect(r.status).toBe(206);
    expect(r.headers.get("content-range")).toBe(`bytes ${SIZE - 1}-${SIZE - 1}/${SIZE}`);
    expect([...(await bytesOf(r))]).toEqual([BYTES[SIZE - 1]]);
  });

  it("serves a suffix range bytes=-N as the last N bytes", async () => {
    const r = await range("bytes=-10");
    expect(r.status).toBe(206);
    expect(r.headers.get("content-range")).toBe(`bytes ${SIZE - 10}-${SIZE - 1}/${SIZE}`);
    expect(await bytesOf(r)).toEqual(BYTES.slice(SIZE - 10));
  });

  it("serves a suffix longer than the file as the whole file in a 206", async () => {
    const r = await range(`bytes=-${SIZE * 5}`);
    expect(r.status).toBe(206);
    expect(r.headers.get("content-range")).toBe(`bytes 0-${SIZE - 1}/${SIZE}`);
  });

  it("serves an open range bytes=N- to the end", async () => {
    const r = await range("bytes=990-");
    expect(r.status).toBe(206);
    expect(await bytesOf(r)).toEqual(BYTES.slice(990));
  });

  it("clamps an end beyond the size", async () => {
    const r = await range(`bytes=500-${SIZE * 10}`);
    expect(r.headers.get("content-range")).toBe(`bytes 500-${SIZE - 1}/${SIZE}`);
  });

  it("answers a start beyond the end with 416 and Content-Range: bytes */size", async () => {
    for (const v of [`bytes=${SIZE}-`, `bytes=${SIZE + 5}-${SIZE + 10}`, "bytes=-0"]) {
      const r = await range(v);
      expect(r.status, v).toBe(416);
      expect(r.headers.get("content-range")).toBe(`bytes */${SIZE}`);
      expect(await r.json()).toEqual({ error: "range not satisfiable" });
    }
  });

  it("ignores malformed and multi-range headers and sends the full 200 (RFC 9110 allows ignoring Range)", async () => {
    for (const v of ["bytes=abc", "items=0-1", "bytes=5-2", "bytes=0-1,4-5", "bytes="]) {
      const r = await range(v);
      expect(r.status, v).toBe(200);
      expect(r.headers.get("content-length")).toBe(String(SIZE));
      expect(await sha256(await r.arrayBuffer())).toBe(await sha256(BYTES));
    }
  });

  it("sends the full body when If-Range does not match the current ETag", async () => {
    const r = await range("bytes=0-9", { "if-range": '"stale"' });
    expect(r.status).toBe(200);
    const ok = await range("bytes=0-9", { "if-range": `"${await sha256(BYTES)}"` });
    expect(ok.status).toBe(206);
  });
});

describe("HEAD, ETag, types, CORS", () => {
  it("answers HEAD with the headers of GET and no body", async () => {
    const r = await get(URL_SEG, { method: "HEAD" });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-length")).toBe(String(SIZE));
    expect(r.headers.get("x-edgeswarm-sha256")).toBe(await sha256(BYTES));
    expect((await r.arrayBuffer()).byteLength).toBe(0);
  });

  it("answers If-None-Match with the segment's ETag with 304 and no body", async () => {
    const etag = `"${await sha256(BYTES)}"`;
    const r = await get(URL_SEG, { headers: { "if-none-match": etag } });
    expect(r.status).toBe(304);
    expect(r.headers.get("etag")).toBe(etag);
    expect((await r.arrayBuffer()).byteLength).toBe(0);
    expect((await get(URL_SEG, { headers: { "if-none-match": '"other"' } })).status).toBe(200);
  });

  it("marks segments immutable", async () => {
    expect((await get(URL_SEG)).headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("sets content types by extension", async () => {
    expect((await get("/streams/http-a/audio.aac")).headers.get("content-type")).toBe("audio/aac");
    expect((await get("/streams/http-a/subs.vtt")).headers.get("content-type")).toBe("text/vtt; charset=utf-8");
  });

  it("adds CORS headers that expose Content-Range and the hash header", async () => {
    const r = await get(URL_SEG, { headers: { origin: "https://viewer.example", range: "bytes=0-1" } });
    expect(r.headers.get("access-control-allow-origin")).toBe("*");
    const exposed = r.headers.get("access-control-expose-headers") ?? "";
    for (const h of ["content-range", "x-edgeswarm-sha256", "content-length"]) expect(exposed).toContain(h);
  });

  it("answers a preflight for a Range GET", async () => {
    const r = await exports.default.fetch(`https://origin.test${URL_SEG}`, {
      method: "OPTIONS",
      headers: { origin: "https://viewer.example", "access-control-request-method": "GET", "access-control-request-headers": "range" },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get("access-control-allow-headers")).toContain("range");
  });

  it("answers unknown streams and files with 404 JSON", async () => {
    for (const p of ["/streams/nope/master.m3u8", "/streams/http-a/missing.ts", "/live/nope/index.m3u8"]) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.headers.get("content-type")).toContain("application/json");
      expect(((await r.json()) as { error: string }).error).toMatch(/no such file/);
    }
  });

  it("refuses writes on the serving routes (405)", async () => {
    const r = await get(URL_SEG, { method: "PUT", body: "x" });
    expect(r.status).toBe(405);
  });
});

describe("upstream mode when UPSTREAM_ORIGIN is empty (wrangler.toml default)", () => {
  it("answers /upstream/* with 404 JSON saying the mode is off", async () => {
    const r = await get("/upstream/live/index.m3u8");
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: "upstream mode is off (UPSTREAM_ORIGIN is not set)" });
  });
});
