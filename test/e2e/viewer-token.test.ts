// Viewer tokens in real Chromium against the real Worker (wrangler dev with
// VIEWER_TOKEN_SECRET set): two pages that pass a token with data-token play the live
// channel, the second gets verified P2P bytes (tracker, playlists, segments and claims all
// carried the token) and their reports are counted; a page without a token is refused at
// the playlist (401) and plays nothing. The token is pinned to the pages' origin.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startDevWorker, type DevWorker } from "../../harness/dev-worker.ts";
import { advances, html, launchChromium, openViewer, statsOf, watchStalls, stallsOf, type Viewer } from "../../harness/browser.ts";
import { waitForValue } from "../../harness/wait-for-value.ts";
import { mintViewerToken } from "../../shared/viewer-token.ts";

const SECRET = "e2e-viewer-token-secret";
const LIVE = "/live/loop/master.m3u8";

describe("viewer tokens in Chromium", () => {
  let worker: DevWorker;
  let browser: Browser;
  const viewers: Viewer[] = [];

  beforeAll(async () => {
    worker = await startDevWorker({ frozen: true, vars: { VIEWER_TOKEN_SECRET: SECRET } });
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const v of viewers.splice(0)) await v.context.close().catch(() => {});
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await worker?.stop();
  });

  const open = async (path: string, body: string) => {
    const url = `${worker.url}${path}`;
    const v = await openViewer(browser, url, { [url]: html(body) });
    viewers.push(v);
    return v;
  };

  it("two viewers with a token share verified P2P bytes and are counted; a page without one is refused", async () => {
    const token = await mintViewerToken(SECRET, { stream: "loop", exp: Math.floor(Date.now() / 1000) + 600, origin: new URL(worker.url).origin });
    const page = `<script src="/edgeswarm.js" data-token="${token}"></script><video autoplay muted src="${LIVE}"></video>`;
    const a = await open("/e2e/token-a.html", page);
    await advances(a.page, 1);
    const b = await open("/e2e/token-b.html", page);
    await watchStalls(b.page);
    await waitForValue(
      () => statsOf(b.page),
      (s) => s.p2pBytes > 0,
      { timeout: 120_000, interval: 500 },
    );
    await advances(b.page, 3);
    const sb = await statsOf(b.page);
    console.log(`tokened viewer B: http ${sb.httpBytes} p2p ${sb.p2pBytes} peers ${sb.peers} stalls ${JSON.stringify(await stallsOf(b.page))}`);
    expect(sb.errors["p2p-hash-mismatch"]).toBe(0);
    expect(a.errors.filter((e) => /401|403/.test(e))).toEqual([]);
    expect(b.errors.filter((e) => /401|403/.test(e))).toEqual([]);
    // Their reports carried the token and were counted.
    const loop = await waitForValue(
      async () => ((await (await fetch(`${worker.url}/api/stats?stream=loop`)).json()) as { streams: Array<Record<string, number>> }).streams[0],
      (s) => (s?.viewers ?? 0) >= 2,
      { timeout: 40_000, interval: 1000 },
    );
    expect(loop?.p2pBytes ?? 0).toBeGreaterThan(0);

    // The same page without a token: the Worker refuses the master playlist and nothing plays.
    const refused = await fetch(`${worker.url}${LIVE}`);
    expect(refused.status).toBe(401);
    await refused.arrayBuffer();
    const c = await open("/e2e/token-none.html", `<script src="/edgeswarm.js"></script><video autoplay muted src="${LIVE}"></video>`);
    const seen = await waitForValue(
      async () => c.errors.filter((e) => /status of 401/.test(e)),
      (e) => e.length > 0,
      { timeout: 30_000, interval: 250 },
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(await c.page.evaluate(() => document.querySelector("video")!.currentTime)).toBe(0);
  }, 240_000);
});
