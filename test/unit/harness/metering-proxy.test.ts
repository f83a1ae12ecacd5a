// The origin-side byte meter against a real local HTTP origin: full, Range and aborted
// responses are each counted exactly as written to the client, per class and per tag.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { classifyPath, startMeteringProxy, tagOf, type MeteringProxy } from "../../../harness/metering-proxy.ts";

const BODY = Buffer.alloc(200_000, 7);
const CHUNK = 65_536;
let origin: http.Server;
let originUrl = "";
let meter: MeteringProxy;
// The slow route sends chunks only when the test releases them, so the abort point is exact.
let releaseSlow: (() => void) | undefined;
let slowUpstreamClosed: Promise<void> = Promise.resolve();
const seenHeaders: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  origin = http.createServer((req, res) => {
    seenHeaders.push(req.headers);
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/v/full.ts") {
      res.writeHead(200, { "content-length": BODY.length });
      res.end(BODY);
    } else if (path === "/v/range.ts") {
      const m = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers.range));
      const [s, e] = m ? [Number(m[1]), Number(m[2])] : [0, BODY.length - 1];
      res.writeHead(206, { "content-length": e - s + 1, "content-range": `bytes ${s}-${e}/${BODY.length}` });
      res.end(BODY.subarray(s, e + 1));
    } else if (path === "/v/slow.ts") {
      res.writeHead(200, { "content-length": CHUNK * 10 });
      let sent = 0;
      slowUpstreamClosed = new Promise((r) => res.on("close", () => r()));
      const next = () => {
        if (res.destroyed || sent >= 10) return;
        sent++;
        res.write(Buffer.alloc(CHUNK, 1));
      };
      releaseSlow = next;
    } else if (path === "/v/claimed.ts") {
      res.writeHead(204, { "x-edgeswarm-claim": "denied" });
      res.end();
    } else if (path === "/v/media.m3u8") {
      res.writeHead(200, { "content-type": "application/vnd.apple.mpegurl" });
      res.end("#EXTM3U\n");
    } else {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "not found" }));
    }
  });
  await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  meter = await startMeteringProxy({ target: originUrl });
});

afterAll(async () => {
  await meter?.stop();
  origin.closeAllConnections();
  await new Promise<void>((r) => origin.close(() => r()));
});

describe("metering proxy", () => {
  it("counts a full segment response byte for byte, under its tag", async () => {
    meter.reset();
    const r = await fetch(`${meter.url}/v/full.ts`, { headers: { "x-meter-tag": "viewer-1" } });
    const got = Buffer.from(await r.arrayBuffer());
    expect(got.equals(BODY)).toBe(true);
    const s = meter.snapshot();
    expect(s.total.segment).toMatchObject({ bytes: BODY.length, requests: 1, aborted: 0, slow: 0 });
    expect(s.total.segment.maxMs).toBeGreaterThanOrEqual(0);
    expect(s.byTag["viewer-1"]?.segment.bytes).toBe(BODY.length);
    expect(s.segmentCopiesByPath).toEqual({ "/v/full.ts": ["viewer-1"] });
    // The tag header is the meter's, never the origin's business.
    expect(seenHeaders.at(-1)?.["x-meter-tag"]).toBeUndefined();
  });

  it("tells the origin the viewer's address in CF-Connecting-IP, as Cloudflare's edge would, keeping one the client set", async () => {
    await (await fetch(`${meter.url}/v/media.m3u8`)).arrayBuffer();
    expect(seenHeaders.at(-1)?.["cf-connecting-ip"]).toBe("127.0.0.1");
    await (await fetch(`${meter.url}/v/media.m3u8`, { headers: { "cf-connecting-ip": "198.51.100.9" } })).arrayBuffer();
    expect(seenHeaders.at(-1)?.["cf-connecting-ip"]).toBe("198.51.100.9");
  });

  it("serves the embedding site's own pages itself: not forwarded to the origin, not counted", async () => {
    meter.reset();
    const before = seenHeaders.length;
    meter.serve("/__test/page.html", "<p>hi</p>", "text/html");
    const r = await fetch(`${meter.url}/__test/page.html`, { headers: { "x-meter-tag": "viewer-1" } });
    expect(r.headers.get("content-type")).toBe("text/html");
    expect(await r.text()).toBe("<p>hi</p>");
    expect(seenHeaders.length).toBe(before);
    const s = meter.snapshot();
    expect(s.total.other.requests + s.total.segment.requests + s.total.playlist.requests).toBe(0);
  });

  it("counts a copy per response that carried bytes: an empty 204 (a refused claim) is a request, not a copy", async () => {
    meter.reset();
    for (const who of ["a", "b"]) await (await fetch(`${meter.url}/v/claimed.ts`, { headers: { "x-meter-tag": who } })).arrayBuffer();
    for (const who of ["b", "c"]) await (await fetch(`${meter.url}/v/full.ts`, { headers: { "x-meter-tag": who } })).arrayBuffer();
    const s = meter.snapshot();
    expect(s.total.segment.requests).toBe(4);
    expect(s.segmentCopiesByPath).toEqual({ "/v/full.ts": ["b", "c"] });
  });

  it("forwards Range and counts only the partial body of a 206", async () => {
    meter.reset();
    const r = await fetch(`${meter.url}/v/range.ts?meter-tag=viewer-2`, { headers: { range: "bytes=1000-1999" } });
    expect(r.status).toBe(206);
    expect((await r.arrayBuffer()).byteLength).toBe(1000);
    const s = meter.snapshot();
    expect(s.total.segment.bytes).toBe(1000);
    expect(s.byTag["viewer-2"]?.segment.bytes).toBe(1000);
    expect(seenHeaders.at(-1)?.range).toBe("bytes=1000-1999");
  });

  it("counts an aborted response as exactly the bytes written before the abort", async () => {
    meter.reset();
    const received = await new Promise<number>((resolve, reject) => {
      const req = http.get(`${meter.url}/v/slow.ts`, { headers: { "x-meter-tag": "quitter" } }, (res) => {
        let n = 0;
        res.on("data", (d: Buffer) => {
          n += d.byteLength;
          if (n === 2 * CHUNK) {
            req.destroy();
            resolve(n);
          } else if (n % CHUNK === 0) releaseSlow?.();
        });
      });
      req.on("error", () => {});
      setTimeout(() => reject(new Error("slow response never delivered two chunks")), 20_000);
      const kick = setInterval(() => {
        if (releaseSlow) {
          clearInterval(kick);
          releaseSlow();
        }
      }, 10);
    });
    expect(received).toBe(2 * CHUNK);
    await slowUpstreamClosed; // the proxy stopped pulling from the origin
    releaseSlow?.(); // a late chunk must not be counted
    await new Promise((r) => setTimeout(r, 200));
    const s = meter.snapshot();
    expect(s.total.segment.bytes).toBe(2 * CHUNK);
    expect(s.total.segment.aborted).toBe(1);
    expect(s.byTag.quitter?.segment.aborted).toBe(1);
  });

  it("holds a forwarded response in flight until it closes, and releases it when the client goes away", async () => {
    await vi.waitFor(() => expect(meter.inFlight()).toBe(0)); // earlier tests' responses closed
    releaseSlow = undefined;
    const req = http.get(`${meter.url}/v/slow.ts`);
    req.on("error", () => {});
    const responded = new Promise<void>((r) => req.on("response", () => r()));
    // The origin sends its headers with the first chunk.
    await vi.waitFor(() => expect(releaseSlow).toBeDefined());
    releaseSlow!();
    await responded;
    expect(meter.inFlight()).toBe(1);
    req.destroy();
    await vi.waitFor(() => expect(meter.inFlight()).toBe(0));
  });

  it("keeps playlists and other paths apart from segments", async () => {
    meter.reset();
    await (await fetch(`${meter.url}/v/media.m3u8`)).arrayBuffer();
    const nf = await fetch(`${meter.url}/nope`);
    expect(nf.status).toBe(404);
    await nf.arrayBuffer();
    const s = meter.snapshot();
    expect(s.total.playlist.bytes).toBe("#EXTM3U\n".length);
    expect(s.total.other.requests).toBe(1);
    expect(s.total.segment.requests).toBe(0);
    expect(s.byTag.untagged?.playlist.requests).toBe(1);
  });

  it("answers 502 with a JSON error when the origin is down", async () => {
    const dead = await startMeteringProxy({ target: "http://127.0.0.1:1" });
    try {
      const r = await fetch(`${dead.url}/x.ts`);
      expect(r.status).toBe(502);
      expect(((await r.json()) as { error: string }).error).toMatch(/upstream unreachable/);
    } finally {
      await dead.stop();
    }
  });

  it("refuses a non-http target up front", async () => {
    await expect(startMeteringProxy({ target: "ftp://127.0.0.1/" })).rejects.toThrow(/must be http/);
  });
});

describe("classification and tags", () => {
  it("classifies segments, playlists and the rest by path", () => {
    expect(classifyPath("/live/loop/720p/00012.ts")).toBe("segment");
    expect(classifyPath("/streams/sample/1/init.mp4")).toBe("segment");
    expect(classifyPath("/live/loop/master.m3u8")).toBe("playlist");
    expect(classifyPath("/api/stats")).toBe("other");
  });

  it("treats a hostile or oversized tag as untagged", () => {
    expect(tagOf("__proto__", null)).toBe("__proto__"); // shape-valid, stored in a Map: harmless
    expect(tagOf("a b", null)).toBe("untagged");
    expect(tagOf("x".repeat(65), null)).toBe("untagged");
    expect(tagOf(["a", "b"], "ok-1")).toBe("ok-1");
    expect(tagOf(undefined, "../../etc")).toBe("untagged");
  });
});
