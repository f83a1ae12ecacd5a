// A page that runs its own hls.js (issue 15 item 3), in real Chromium against the real Worker
// (wrangler dev) and its built-in live channel: the page imports hls.js itself (an import map
// to hls.js's own ESM build) and the npm package's build (packages/edgeswarm/dist, the files
// `npm pack` ships), wraps its Hls class with withEdgeSwarm and plays. Two such viewers: the
// second gets P2P bytes, every one checked against the Worker's SHA-256 (no rejection, no
// mismatch), and both report to the Worker's stats as script-tag viewers do.
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startDevWorker, type DevWorker } from "../../harness/dev-worker.ts";
import { advances, file, html, launchChromium, openViewer, stallsOf, watchStalls, type PageStats, type Viewer } from "../../harness/browser.ts";
import { waitForValue } from "../../harness/wait-for-value.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PKG_DIST = join(ROOT, "packages/edgeswarm/dist");
const LIVE = "/live/loop/master.m3u8";

/** The page's own player: its hls.js, wrapped; nothing else of EdgeSwarm on the page. `edgeswarm`: its options, as JS. */
const page = (edgeswarm = "{}") => `<script type="importmap">{ "imports": { "hls.js": "/e2e/vendor/hls.mjs" } }</script>
<video autoplay muted></video>
<script type="module">
  import Hls from "hls.js";
  import { withEdgeSwarm } from "/e2e/pkg/index.js";
  const HlsP2P = withEdgeSwarm(Hls);
  const hls = new HlsP2P({ maxBufferHole: 0.5, edgeswarm: ${edgeswarm} });
  window.events = [];
  hls.edgeswarm.on("rejected", (e) => window.events.push("rejected:" + e.reason));
  hls.edgeswarm.on("error", (e) => window.events.push("error:" + e.type + ":" + e.details + (e.fatal ? ":FATAL" : "")));
  hls.attachMedia(document.querySelector("video"));
  hls.loadSource("${LIVE}");
  window.hls = hls;
</script>`;

function statsOf(page: Page): Promise<PageStats> {
  return page.evaluate(() => (window as unknown as { hls: { edgeswarm: { stats(): PageStats } } }).hls.edgeswarm.stats());
}

describe("a page's own hls.js wrapped with withEdgeSwarm, in Chromium", () => {
  let worker: DevWorker;
  let browser: Browser;
  const viewers: Viewer[] = [];

  beforeAll(async () => {
    worker = await startDevWorker({ frozen: true });
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const v of viewers.splice(0)) await v.context.close().catch(() => {});
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await worker?.stop();
  });

  const open = async (path: string, edgeswarm?: string) => {
    const url = `${worker.url}${path}`;
    const routes: Parameters<typeof openViewer>[2] = {
      [url]: html(page(edgeswarm)),
      [`${worker.url}/e2e/vendor/hls.mjs`]: file(join(ROOT, "node_modules/hls.js/dist/hls.mjs")),
    };
    for (const f of readdirSync(PKG_DIST, { recursive: true })) {
      if (String(f).endsWith(".js")) routes[`${worker.url}/e2e/pkg/${String(f)}`] = file(join(PKG_DIST, String(f)));
    }
    const v = await openViewer(browser, url, routes);
    viewers.push(v);
    return v;
  };

  it("plays the built-in live channel and gives a second viewer verified P2P bytes", async () => {
    const a = await open("/e2e/own-a.html");
    await a.page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 0, null, { timeout: 90_000 });
    const options = await a.page.evaluate(
      () => (window as unknown as { hls: { edgeswarm: { options: Record<string, unknown> | null } } }).hls.edgeswarm.options,
    );
    console.log(`viewer A options: channel ${String(options?.channel)} tracker ${String(options?.tracker)}`);
    expect(options?.channel).toBe("loop");
    expect(options?.tracker).toBe(`${worker.wsUrl}/announce/loop`);
    await advances(a.page, 1);
    const b = await open("/e2e/own-b.html");
    await b.page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 0, null, { timeout: 90_000 });
    await watchStalls(b.page);
    await b.page.waitForFunction(
      () => (window as unknown as { hls: { edgeswarm: { stats(): { p2pBytes: number } } } }).hls.edgeswarm.stats().p2pBytes > 0,
      null,
      {
        timeout: 120_000,
        polling: 500,
      },
    );
    await advances(b.page, 3);
    const sa = await statsOf(a.page);
    const sb = await statsOf(b.page);
    console.log(
      `viewer A: mode ${sa.mode} http ${sa.httpBytes} p2p ${sa.p2pBytes} up ${sa.uploadedBytes}; viewer B: http ${sb.httpBytes} p2p ${sb.p2pBytes} up ${sb.uploadedBytes} rejected ${sb.p2pRejectedBytes} peers ${sb.peers} errors ${JSON.stringify(sb.errors)}`,
    );
    console.log(
      `viewer B events: ${JSON.stringify(await b.page.evaluate(() => (window as unknown as { events: string[] }).events))}; stalls ${JSON.stringify(await stallsOf(b.page))}`,
    );
    expect(sa.mode).toBe("p2p");
    expect(sb.p2pBytes).toBeGreaterThan(0);
    expect(sa.uploadedBytes + sb.uploadedBytes).toBeGreaterThan(0);
    for (const s of [sa, sb]) {
      expect(s.p2pRejectedBytes).toBe(0);
      expect(s.errors["p2p-hash-mismatch"]).toBe(0);
      expect(s.errors["p2p-hash-unknown"]).toBe(0);
    }
    // The reporter is one of the package's chunks; both viewers report like script-tag ones.
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
    for (const v of [a, b]) expect(v.errors.filter((e) => e.startsWith("pageerror"))).toEqual([]);
  }, 300_000);

  it("tells the page, with an option error, that edgeswarm.hlsConfig is not used, and plays on", async () => {
    const c = await open("/e2e/own-c.html", "{ hlsConfig: { maxBufferLength: 5 } }");
    await c.page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 0, null, { timeout: 90_000 });
    const events = await c.page.evaluate(() => (window as unknown as { events: string[] }).events);
    console.log(`viewer C events: ${JSON.stringify(events)}`);
    expect(events.filter((e) => e.startsWith("error:option:hlsConfig: not used by withEdgeSwarm"))).toHaveLength(1);
    expect(events.filter((e) => e.endsWith(":FATAL"))).toEqual([]);
    expect(c.errors.filter((e) => e.startsWith("pageerror"))).toEqual([]);
  }, 120_000);
});
