// Tracker trouble in real Chromium against the real Worker: when the tracker drops every
// socket mid-stream and refuses new ones, viewers keep playing over HTTP with no fatal error;
// once it is back they reconnect within seconds (not bittorrent-tracker's minutes) and a new
// viewer finds them through it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startDevWorker, type DevWorker } from "../../harness/dev-worker.ts";
import { advances, html, launchChromium, openViewer, type Viewer } from "../../harness/browser.ts";

const LIVE = "/live/loop/master.m3u8";

const PAGE = `<script src="/edgeswarm.js" data-auto="off"></script><video autoplay muted></video><script>
  window.events = [];
  const h = EdgeSwarm.attach(document.querySelector("video"), "${LIVE}");
  h.on("tracker", (e) => window.events.push("tracker:" + e.state));
  h.on("error", (e) => window.events.push((e.fatal ? "FATAL:" : "error:") + e.type));
</script>`;

async function events(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { events: string[] }).events.slice());
}

async function peersOf(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (window as unknown as { EdgeSwarm: { handleOf(v: Element): { stats(): { peers: number } } } }).EdgeSwarm.handleOf(
        document.querySelector("video")!,
      ).stats().peers,
  );
}

describe("tracker outage in Chromium", () => {
  let worker: DevWorker;
  let browser: Browser;
  const viewers: Viewer[] = [];

  beforeAll(async () => {
    worker = await startDevWorker({ frozen: true }); // a copy: wrangler dev restarts when the tree changes (screenshots, builds)
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const v of viewers) await v.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await worker?.stop();
  });

  const outage = async (mode: "close" | "ok") => {
    const r = await fetch(`${worker.url}/api/tracker/test-outage?channel=loop&mode=${mode}`, { method: "POST" });
    expect(r.status).toBe(200);
  };

  it("plays on over HTTP while the tracker is down and reconnects when it is back", async () => {
    for (const name of ["a", "b"]) {
      const url = `${worker.url}/e2e/outage-${name}.html`;
      viewers.push(await openViewer(browser, url, { [url]: html(PAGE) }));
    }
    const [a, b] = viewers as [Viewer, Viewer];
    for (const v of [a, b])
      await v.page.waitForFunction(() => (window as any).EdgeSwarm.handleOf(document.querySelector("video")).stats().peers > 0, null, {
        timeout: 120_000,
        polling: 500,
      });

    await outage("close"); // every tracker socket dropped mid-stream; new ones refused
    for (const v of [a, b]) await v.page.waitForFunction(() => (window as any).events.includes("tracker:down"), null, { timeout: 60_000 });
    await advances(a.page, 6);
    await advances(b.page, 2);

    await outage("ok");
    const back = Date.now();
    for (const v of [a, b])
      await v.page.waitForFunction(() => (window as any).events.lastIndexOf("tracker:up") > (window as any).events.indexOf("tracker:down"), null, {
        timeout: 120_000,
        polling: 250,
      });
    console.log(`tracker back → both viewers reconnected in ${((Date.now() - back) / 1000).toFixed(1)} s`);

    // A newcomer can only find them through the tracker: proof that they announced again.
    const url = `${worker.url}/e2e/outage-c.html`;
    const c = await openViewer(browser, url, { [url]: html(PAGE) });
    viewers.push(c);
    await c.page.waitForFunction(() => (window as any).EdgeSwarm.handleOf(document.querySelector("video")).stats().peers > 0, null, {
      timeout: 120_000,
      polling: 500,
    });
    expect(await peersOf(c.page)).toBeGreaterThan(0);

    for (const v of [a, b, c]) {
      const ev = await events(v.page);
      expect(ev.filter((e) => e.startsWith("FATAL"))).toEqual([]);
      expect(v.errors.filter((e) => e.startsWith("pageerror"))).toEqual([]);
    }
  }, 420_000);
});
