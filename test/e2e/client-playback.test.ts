// The viewer script in real Chromium against the real Worker (wrangler dev) and its built-in
// live channel: a bare script tag plays it; a second viewer gets verified P2P bytes; a peer
// that corrupts its uploads has every segment rejected and the victim plays on over HTTP.
import { resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startDevWorker, type DevWorker } from "../../harness/dev-worker.ts";
import { advances, file, html, launchChromium, openViewer, stallsOf, statsOf, watchStalls, type Viewer } from "../../harness/browser.ts";
import { waitForValue } from "../../harness/wait-for-value.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const LIVE = "/live/loop/master.m3u8";

describe("viewer script in Chromium", () => {
  let worker: DevWorker;
  let browser: Browser;
  const viewers: Viewer[] = [];

  beforeAll(async () => {
    worker = await startDevWorker({ frozen: true }); // a copy: wrangler dev restarts when the tree changes (screenshots, builds)
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const v of viewers.splice(0)) await v.context.close().catch(() => {});
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await worker?.stop();
  });

  const open = async (path: string, body: string, extra: Record<string, { body: string | Buffer; type: string }> = {}) => {
    const url = `${worker.url}${path}`;
    const v = await openViewer(browser, url, { [url]: html(body), ...extra });
    viewers.push(v);
    return v;
  };

  it("plays the built-in live channel from a page with only the script tag and a <video>", async () => {
    const v = await open("/e2e/bare.html", `<script src="/edgeswarm.js"></script><video autoplay muted src="${LIVE}"></video>`);
    await watchStalls(v.page);
    await v.page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 0, null, { timeout: 90_000 });
    await advances(v.page, 12);
    console.log(`single viewer stalls: ${JSON.stringify(await stallsOf(v.page))}`);
    const s = await statsOf(v.page);
    expect(s.mode).toBe("p2p");
    expect(s.httpBytes).toBeGreaterThan(0);
    expect(v.errors.filter((e) => e.startsWith("pageerror"))).toEqual([]);
  }, 180_000);

  it("attaches to a <video> with an HLS <source> that the page adds after load, and detaches when it is removed", async () => {
    const v = await open("/e2e/later.html", `<script src="/edgeswarm.js"></script><div id="slot"></div>`);
    // The video comes once the page has loaded and the script has run (its first scan found nothing).
    await v.page.waitForFunction(() => document.readyState === "complete" && "EdgeSwarm" in globalThis);
    await v.page.evaluate((src) => {
      const video = document.createElement("video");
      video.muted = true;
      video.autoplay = true;
      const source = document.createElement("source");
      source.src = src;
      source.type = "application/vnd.apple.mpegurl";
      video.appendChild(source);
      document.getElementById("slot")!.appendChild(video);
    }, LIVE);
    await v.page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 1, null, { timeout: 90_000 });
    expect((await statsOf(v.page)).httpBytes).toBeGreaterThan(0);
    await v.page.evaluate(() => {
      const video = document.querySelector("video")!;
      (window as unknown as { removed: Element }).removed = video;
      video.remove();
    });
    // Detaching follows the removal (a MutationObserver callback); a timeout leaves it false.
    const detached = await v.page
      .waitForFunction(
        () => {
          const g = (globalThis as unknown as { EdgeSwarm: { handleOf(v: Element): unknown } }).EdgeSwarm;
          return g.handleOf((window as unknown as { removed: Element }).removed) === undefined;
        },
        null,
        { timeout: 5_000, polling: 50 },
      )
      .then(
        () => true,
        () => false,
      );
    expect(detached).toBe(true);
  }, 180_000);

  it("gives a second viewer of the same stream verified P2P bytes", async () => {
    const page = `<script src="/edgeswarm.js"></script><video autoplay muted src="${LIVE}"></video>`;
    const a = await open("/e2e/a.html", page);
    await advances(a.page, 1);
    const b = await open("/e2e/b.html", page);
    await watchStalls(b.page);
    await b.page.waitForFunction(
      () => {
        const g = (globalThis as unknown as { EdgeSwarm: { handleOf(v: Element): { stats(): { p2pBytes: number } } | undefined } }).EdgeSwarm;
        return (g.handleOf(document.querySelector("video")!)?.stats().p2pBytes ?? 0) > 0;
      },
      null,
      { timeout: 120_000, polling: 500 },
    );
    const sb = await statsOf(b.page);
    const sa = await statsOf(a.page);
    console.log(
      `viewer A: http ${sa.httpBytes} p2p ${sa.p2pBytes} up ${sa.uploadedBytes}; viewer B: http ${sb.httpBytes} p2p ${sb.p2pBytes} up ${sb.uploadedBytes} peers ${sb.peers}`,
    );
    expect(sb.p2pBytes).toBeGreaterThan(0);
    expect(sa.uploadedBytes + sb.uploadedBytes).toBeGreaterThan(0);
    expect(sb.errors["p2p-hash-mismatch"]).toBe(0);
    await advances(b.page, 3);
    // Both pages report to the Worker every 5 s; the stats endpoint aggregates them per stream.
    const loop = await waitForValue(
      async () => {
        const body = (await (await fetch(`${worker.url}/api/stats?stream=loop`)).json()) as { streams: Array<Record<string, number>> };
        return body.streams[0];
      },
      (s) => (s?.viewers ?? 0) >= 2 && (s?.p2pBytes ?? 0) > 0,
      { timeout: 40_000, interval: 1000 },
    );
    console.log(`/api/stats?stream=loop: ${JSON.stringify(loop)}`);
    expect(loop?.viewers).toBeGreaterThanOrEqual(2);
    expect(loop?.p2pBytes).toBeGreaterThan(0);
    expect(loop?.httpBytes).toBeGreaterThan(0);
  }, 240_000);

  it("rejects every segment of a peer that corrupts its uploads, and the victim plays on over HTTP", async () => {
    const testBundle = { [`${worker.url}/edgeswarm.test.js`]: file(resolve(ROOT, "dist/test/edgeswarm.test.js")) };
    // The victim does not upload, so it never claims a segment from the edge (seeder.ts):
    // the attacker wins every new segment, and each reaches the victim over P2P, corrupted.
    const attacker = await open(
      "/e2e/attacker.html",
      `<script src="/edgeswarm.test.js" data-auto="off"></script><video autoplay muted></video>
      <script>EdgeSwarm.attach(document.querySelector("video"), "${LIVE}", { testCorruptUploads: true });</script>`,
      testBundle,
    );
    await advances(attacker.page, 1);
    const victim = await open(
      "/e2e/victim.html",
      `<script src="/edgeswarm.js" data-auto="off"></script><video autoplay muted></video>
      <script>window.closes = 0; window.events = [];
        const h = EdgeSwarm.attach(document.querySelector("video"), "${LIVE}", { upload: "off" });
        const at = () => document.querySelector("video").currentTime.toFixed(2);
        h.on("peer", (e) => { if (e.event === "close") window.closes++; window.events.push(at() + " peer:" + e.event); });
        h.on("rejected", (e) => window.events.push(at() + " rejected:" + e.reason + " " + e.url.split("/").slice(-2).join("/")));
        h.on("error", (e) => window.events.push(at() + " error:" + e.type + ":" + e.details + (e.fatal ? ":FATAL" : "")));
        h.on("segment", (e) => window.events.push(at() + " seg:" + e.source + " " + e.url.split("/").slice(-2).join("/")));</script>`,
    );
    await watchStalls(victim.page);
    await victim.page.waitForFunction(
      () => {
        const g = (globalThis as unknown as { EdgeSwarm: { handleOf(v: Element): { stats(): { errors: Record<string, number> } } | undefined } }).EdgeSwarm;
        return (g.handleOf(document.querySelector("video")!)?.stats().errors["p2p-hash-mismatch"] ?? 0) >= 1;
      },
      null,
      { timeout: 150_000, polling: 500 },
    );
    await advances(victim.page, 6);
    const s = await statsOf(victim.page);
    const stalls = await stallsOf(victim.page);
    console.log(
      `victim: http ${s.httpBytes} p2p ${s.p2pBytes} rejected ${s.p2pRejectedBytes} mismatches ${s.errors["p2p-hash-mismatch"]} stalls ${JSON.stringify(stalls)}`,
    );
    console.log(`victim events: ${JSON.stringify(await victim.page.evaluate(() => (window as unknown as { events: string[] }).events))}`);
    expect(s.p2pBytes).toBe(0); // not one corrupted byte was accepted
    expect(s.p2pRejectedBytes).toBeGreaterThan(0);
    expect(s.httpBytes).toBeGreaterThan(0);
    // A stall is a rebuffer a viewer can notice (≥ 250 ms). 'waiting' blips of a few ms at a
    // segment boundary are printed above but are not rebuffering.
    expect(stalls.filter((x) => x.ms >= 250)).toEqual([]);
    // The core destroys a peer whose segment fails validation (p2p-media-loader-core peer.ts).
    expect(await victim.page.evaluate(() => (window as unknown as { closes: number }).closes)).toBeGreaterThanOrEqual(1);
    expect(victim.errors.filter((e) => e.startsWith("pageerror"))).toEqual([]);
  }, 300_000);
});
