// Upstream mode against a real HTTP origin: a Node server (outside our system, like a
// customer's CDN) serves the sample HLS without hash tags; the Worker under wrangler dev
// (UPSTREAM_ORIGIN pointing at it) rewrites playlists through /upstream/, hashes each
// segment on first fetch, tags playlists, and serves repeats from the edge cache.
// A real server rather than the pool's fetch mocking: it exercises workerd's outbound
// fetch, the Cache API of wrangler dev, and lets us count what reached the upstream.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevWorker, type DevWorker } from "../../harness/dev-worker.ts";
import { UPSTREAM_PREFETCH_PER_PLAYLIST } from "../../worker/origin/limits";

const SAMPLE = resolve(import.meta.dirname, "../../dist/public/streams/sample");
const hits = new Map<string, number>();
let upstream: Server;
let port = 0;
let worker: DevWorker;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const strip = (t: string) =>
  t
    .split("\n")
    .filter((l) => !l.startsWith("#EXT-X-EDGESWARM-"))
    .join("\n");

function tagged(text: string): { uri: string; sha256: string | null }[] {
  const lines = text.split("\n").filter(Boolean);
  return lines.flatMap((l, i) =>
    l.startsWith("#") ? [] : [{ uri: l, sha256: lines[i - 1]?.startsWith("#EXT-X-EDGESWARM-SHA256:") ? lines[i - 1]!.slice(24) : null }],
  );
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === "/hls/live/index.m3u8") {
      const lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:2",
        "#EXT-X-MEDIA-SEQUENCE:7",
        "#EXTINF:2.0,",
        `http://127.0.0.1:${port}/hls/vod/144p/seg-00001.ts`,
        "#EXTINF:2.0,",
        `#EXT-X-EDGESWARM-SHA256:${"f".repeat(64)}`,
        "/hls/vod/144p/seg-00002.ts",
        "#EXTINF:2.0,",
        "http://elsewhere.invalid/x.ts",
      ];
      res.writeHead(200, { "content-type": "application/vnd.apple.mpegurl" }).end(lines.join("\n") + "\n");
      return;
    }
    if (path === "/hls/broken.ts") return void res.writeHead(500).end("boom");
    const m = /^\/hls\/vod\/(.+)$/.exec(path);
    try {
      if (!m || m[1]!.includes("..")) throw new Error("no");
      const data = readFileSync(join(SAMPLE, m[1]!));
      if (path.endsWith(".m3u8")) return void res.writeHead(200).end(strip(data.toString("utf8")));
      res.writeHead(200, { "content-type": "video/mp2t" }).end(data);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  port = (upstream.address() as { port: number }).port;
  worker = await startDevWorker({ vars: { UPSTREAM_ORIGIN: `http://127.0.0.1:${port}/hls/` } });
});

afterAll(async () => {
  await worker?.stop();
  await new Promise((r) => upstream?.close(r));
});

describe("upstream mode", () => {
  it("rewrites master variant URIs through /upstream/", async () => {
    const r = await fetch(`${worker.url}/upstream/vod/master.m3u8`);
    expect(r.status).toBe(200);
    const variants = (await r.text()).split("\n").filter((l) => l && !l.startsWith("#"));
    expect(variants).toEqual(["/upstream/vod/360p/index.m3u8", "/upstream/vod/240p/index.m3u8", "/upstream/vod/144p/index.m3u8"]);
  });

  it("tags media playlists with the hashes of the bytes it serves, fetching each segment from upstream once", async () => {
    const first = tagged(await (await fetch(`${worker.url}/upstream/vod/144p/index.m3u8`)).text());
    expect(first.length).toBe(15);
    expect(first.filter((s) => s.sha256).length).toBeGreaterThanOrEqual(UPSTREAM_PREFETCH_PER_PLAYLIST); // prefetch budget
    // Each request prefetches at most the budget more: 15 segments are all tagged by the third.
    let second = first;
    for (let k = 0; k < 2 && !second.every((s) => s.sha256); k++) {
      second = tagged(await (await fetch(`${worker.url}/upstream/vod/144p/index.m3u8`)).text());
    }
    expect(second.every((s) => s.sha256)).toBe(true);
    for (const s of second.slice(0, 4)) {
      expect(s.uri).toMatch(/^\/upstream\/vod\/144p\/seg-\d{5}\.ts$/);
      for (let k = 0; k < 3; k++) {
        const r = await fetch(worker.url + s.uri);
        expect(r.status).toBe(200);
        const bytes = new Uint8Array(await r.arrayBuffer());
        expect(sha(bytes)).toBe(s.sha256);
        expect(r.headers.get("x-edgeswarm-sha256")).toBe(s.sha256);
        expect(r.headers.get("content-type")).toBe("video/mp2t");
      }
      expect(hits.get(s.uri.replace("/upstream/", "/hls/"))).toBe(1);
    }
  });

  it("streams a miss without the hash header, ignores the query, and serves the hit with it", async () => {
    const want = sha(readFileSync(join(SAMPLE, "240p/seg-00002.ts")));
    const miss = await fetch(`${worker.url}/upstream/vod/240p/seg-00002.ts?bust=1`);
    expect(miss.status).toBe(200);
    expect(miss.headers.get("x-edgeswarm-sha256")).toBeNull();
    expect(sha(new Uint8Array(await miss.arrayBuffer()))).toBe(want);
    let hit = miss;
    for (let k = 0; k < 20 && !hit.headers.get("x-edgeswarm-sha256"); k++) {
      await new Promise((r) => setTimeout(r, 50)); // the hash lands when the cache write has finished
      hit = await fetch(`${worker.url}/upstream/vod/240p/seg-00002.ts?bust=${k + 2}`);
      expect(sha(new Uint8Array(await hit.arrayBuffer()))).toBe(want);
    }
    expect(hit.headers.get("x-edgeswarm-sha256")).toBe(want);
    expect(hits.get("/hls/vod/240p/seg-00002.ts")).toBe(1);
  });

  it("proxies only HLS paths: others get 404 JSON and never reach the upstream", async () => {
    const r = await fetch(`${worker.url}/upstream/vod/secret.json`);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: "not an HLS playlist or media file (upstream mode proxies only those)" });
    expect(hits.get("/hls/vod/secret.json")).toBeUndefined();
  });

  it("serves Range requests on upstream segments from the cached bytes", async () => {
    const r = await fetch(`${worker.url}/upstream/vod/144p/seg-00003.ts`, { headers: { range: "bytes=0-187" } });
    expect(r.status).toBe(206);
    expect((await r.arrayBuffer()).byteLength).toBe(188);
  });

  it("rewrites absolute and root-relative URIs on the upstream host, leaves other hosts alone and untagged, drops forged tags", async () => {
    const text = await (await fetch(`${worker.url}/upstream/live/index.m3u8`)).text();
    const segs = tagged(text);
    expect(segs.map((s) => s.uri)).toEqual(["/upstream/vod/144p/seg-00001.ts", "/upstream/vod/144p/seg-00002.ts", "http://elsewhere.invalid/x.ts"]);
    const bytes1 = readFileSync(join(SAMPLE, "144p/seg-00001.ts"));
    const bytes2 = readFileSync(join(SAMPLE, "144p/seg-00002.ts"));
    expect(segs[0]!.sha256).toBe(sha(bytes1));
    expect(segs[1]!.sha256).toBe(sha(bytes2));
    expect(segs[2]!.sha256).toBeNull();
    expect(text).not.toContain("f".repeat(64));
    expect(text).toContain("#EXT-X-MEDIA-SEQUENCE:7");
  });

  it("refuses paths that would leave the upstream base (400)", async () => {
    for (const p of ["/upstream/..%2f..%2fetc%2fpasswd", "/upstream/vod/%2E%2E%2F%2E%2E%2Fsecret.ts", "/upstream/a%5c..%5cb.ts"]) {
      const r = await fetch(worker.url + p);
      expect(r.status, p).toBe(400);
      expect(await r.json()).toEqual({ error: "bad upstream path" });
    }
  });

  it("passes upstream 404 as 404 JSON and upstream errors as 502 JSON", async () => {
    const nf = await fetch(`${worker.url}/upstream/vod/144p/seg-99999.ts`);
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ error: "not found upstream" });
    const bad = await fetch(`${worker.url}/upstream/broken.ts`);
    expect(bad.status).toBe(502);
    expect(await bad.json()).toEqual({ error: "upstream answered 500" });
    // Remembered for a few seconds: a burst of repeats is not a burst of origin fetches.
    for (let k = 0; k < 5; k++) expect((await fetch(`${worker.url}/upstream/broken.ts?n=${k}`)).status).toBe(502);
    expect(hits.get("/hls/broken.ts")).toBeLessThanOrEqual(2);
  });
});
