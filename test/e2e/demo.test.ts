// The demo in real Chromium against the real Worker (wrangler dev): two viewers of the
// built-in live channel form a swarm and the second one's P2P counter rises on the page;
// the dashboard counts both viewers; neither page logs a console error. With the tracker
// refusing connections, the viewer says so and keeps playing over HTTP.
// Screenshots of each page land in test-results/ (gitignored) for people to look at.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../../harness/browser.ts";
import { waitForValue } from "../../harness/wait-for-value.ts";
import { startDevWorker, type DevWorker } from "../../harness/dev-worker.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const SHOTS = join(ROOT, "test-results");
const LIVE = "/live/loop/master.m3u8";
const ADMIN_TOKEN = "e2e-admin-token";
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Collects console errors and uncaught exceptions of a page, for the no-errors assertion. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/**
 * What a viewer page shows right now, plus the client's own full stats (the page imports
 * the same /edgeswarm.mjs module instance, so handleOf finds its handle), for failure messages.
 */
async function pageState(page: Page): Promise<string> {
  // A string, not a function: vitest would rewrite a dynamic import() inside a function body.
  const script = `(async () => {
    const v = (id) => document.getElementById(id)?.dataset.value ?? "?";
    const pill = (id) => document.getElementById(id)?.dataset.state ?? "?";
    const video = document.querySelector("video");
    const shown = "p2p=" + v("stat-p2p") + " http=" + v("stat-http") + " peers=" + v("stat-peers") + " up=" + v("stat-upload") +
      " tracker=" + pill("tracker-pill") + " player=" + pill("play-pill") + " t=" + (video ? video.currentTime.toFixed(1) : "?");
    const mod = await import("/edgeswarm.mjs").catch(() => null);
    const handle = mod && mod.handleOf && video ? mod.handleOf(video) : undefined;
    return shown + "\\n  client stats: " + JSON.stringify(handle ? handle.stats() : null);
  })()`;
  return page.evaluate<string>(script).catch((e: unknown) => `unreadable: ${String(e)}`);
}

/** waitForFunction, but a timeout says what the pages showed and what the Worker said. */
async function waitOrExplain(what: string, wait: () => Promise<unknown>, explain: () => Promise<string>): Promise<void> {
  try {
    await wait();
  } catch (err) {
    throw new Error(`${what}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}\n${await explain()}`);
  }
}

async function numberOf(page: Page, selector: string): Promise<number> {
  const v = await page.getAttribute(selector, "data-value");
  return Number(v ?? "NaN");
}

describe("demo pages in Chromium", () => {
  let worker: DevWorker;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // A copy: wrangler dev restarts when the tree changes (screenshots, builds). With an admin
    // token, so the dashboard has to ask for it before it shows any figure.
    worker = await startDevWorker({ frozen: true, vars: { ADMIN_TOKEN } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
    await worker?.stop();
  });

  async function viewer(query: string): Promise<{ page: Page; errors: string[] }> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(ctx);
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await page.goto(`${worker.url}/?${query}`);
    return { page, errors };
  }

  it("two viewers of the live channel share segments and the dashboard counts both", { timeout: 360_000 }, async () => {
    // Both viewers pinned to one rendition: each rendition is its own swarm, and two ABR
    // players on a loaded machine can pick different ones and then share nothing.
    const a = await viewer(`src=${encodeURIComponent(LIVE)}&q=144p&ice=none`);
    // The first viewer plays over HTTP before the second arrives, so it has segments to share.
    await a.page.waitForFunction(() => Number(document.getElementById("stat-http")?.dataset.value) > 0, null, { timeout: 60_000 });
    await a.page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 0, null, { timeout: 60_000 });
    expect(await a.page.inputValue("#custom-url")).toBe("");
    expect(await a.page.isChecked('input[name="preset"][value="live"]')).toBe(true);

    // "Open another viewer" links to the same stream with the same ICE settings.
    const href = await a.page.getAttribute("#open-another", "href");
    const link = new URL(href ?? "", worker.url);
    expect(link.searchParams.get("src")).toBe(LIVE);
    expect(link.searchParams.get("ice")).toBe("none");
    expect(link.searchParams.get("q")).toBe("144p");
    expect(await a.page.inputValue("#quality")).toBe("144p");
    expect(await a.page.textContent("#now-playing")).toMatch(/\/live\/loop\/144p\/index\.m3u8$/);

    const b = await viewer(link.search.slice(1));
    const explain = async () => {
      await a.page.screenshot({ path: join(SHOTS, "demo-viewer-a-failed.png"), fullPage: true }).catch(() => {});
      await b.page.screenshot({ path: join(SHOTS, "demo-viewer-b-failed.png"), fullPage: true }).catch(() => {});
      const tracker = await fetch(`${worker.url}/api/tracker/stats?channel=loop`, { headers: ADMIN })
        .then((r) => r.text())
        .catch(String);
      return `viewer A: ${await pageState(a.page)}\nviewer B: ${await pageState(b.page)}\ntracker: ${tracker.slice(0, 600)}\nwrangler: ${worker.output().slice(-1500)}`;
    };
    await waitOrExplain(
      "second viewer got no P2P bytes",
      () => b.page.waitForFunction(() => Number(document.getElementById("stat-p2p")?.dataset.value) > 0, null, { timeout: 150_000 }),
      explain,
    );
    // Still rising: the swarm keeps delivering, not a one-off. Either viewer's counter: with
    // edge seeding, whichever sees a new segment first fetches it and the other takes it from
    // it, so a viewer whose playlist refreshes land earlier can be the seeder of every segment.
    const p2pTotal = async () => (await numberOf(a.page, "#stat-p2p")) + (await numberOf(b.page, "#stat-p2p"));
    const p2pFirst = await p2pTotal();
    await waitForValue(p2pTotal, (total) => total > p2pFirst, { timeout: 60_000, interval: 500 });
    expect(await p2pTotal(), "P2P bytes of the two viewers keep rising").toBeGreaterThan(p2pFirst);
    expect(await numberOf(b.page, "#stat-peers")).toBeGreaterThanOrEqual(1);
    expect(await b.page.getAttribute("#tracker-pill", "data-state")).toBe("connected");
    expect(await b.page.locator("#timeline .cell-p2p").count()).toBeGreaterThan(0);
    expect(await b.page.locator("#peers-body tr:not(.empty)").count()).toBeGreaterThanOrEqual(1);

    const dashCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(dashCtx);
    const dash = await dashCtx.newPage();
    const dashErrors = watchErrors(dash);
    await dash.goto(`${worker.url}/dashboard`);
    // The Worker keeps its figures private: the page asks for the admin token and shows none.
    await dash.waitForSelector("#admin-form:not([hidden])", { timeout: 30_000 });
    await dash.waitForSelector('#stats-pill[data-state="error"]');
    expect(await dash.textContent("#total-viewers")).toBe("–");
    await dash.fill("#admin-token", ADMIN_TOKEN);
    await dash.click('#admin-form button[type="submit"]');
    await dash.waitForFunction(
      () => [...document.querySelectorAll<HTMLElement>('#streams-body td[data-field="viewers"]')].some((td) => td.dataset.value === "2"),
      null,
      { timeout: 60_000 },
    );
    await dash.waitForSelector('#stats-pill[data-state="ok"]');
    await dash.waitForSelector('#tracker-pill[data-state="ok"]');
    // Rates need two polls; wait for the second so the screenshot shows them.
    await dash.waitForFunction(() => document.getElementById("total-msg-rate")?.textContent !== "–", null, { timeout: 30_000 });
    expect(await numberOf(dash, "#total-viewers")).toBe(2);
    expect(await numberOf(dash, "#total-saved")).toBeGreaterThan(0);

    await b.page.screenshot({ path: join(SHOTS, "demo-viewer.png"), fullPage: true });
    await dash.screenshot({ path: join(SHOTS, "demo-dashboard.png"), fullPage: true });
    await b.page.setViewportSize({ width: 390, height: 844 });
    await b.page.screenshot({ path: join(SHOTS, "demo-viewer-phone.png"), fullPage: true });

    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    // Chromium logs the refused polls before the token was given as resource errors; nothing else.
    expect(dashErrors.filter((e) => !/status of 401 \(Unauthorized\)/.test(e))).toEqual([]);
    expect(await dash.isHidden("#admin-form")).toBe(true);
    for (const c of contexts.splice(0)) await c.close();
  });

  it("says why a stream of another origin does not play (the page's CSP refuses it)", { timeout: 120_000 }, async () => {
    // A foreign origin not in ALLOWED_ORIGINS: the browser refuses the fetch (connect-src), and
    // the page must say so rather than show hls.js's manifestLoadError.
    const foreign = "http://stream.invalid:8080/live/master.m3u8";
    const v = await viewer(`src=${encodeURIComponent(foreign)}&ice=none`);
    await v.page.waitForSelector('#play-pill[data-state="refused"]', { timeout: 60_000 });
    expect(await v.page.textContent("#form-error")).toContain("http://stream.invalid:8080 is not one of them");
    expect(v.errors.filter((e) => e.startsWith("pageerror"))).toEqual([]);
  });

  it("says the tracker is unreachable and keeps playing over HTTP when the tracker refuses", { timeout: 240_000 }, async () => {
    const res = await fetch(`${worker.url}/api/tracker/test-outage?channel=loop&mode=refuse`, { method: "POST" });
    expect(res.status).toBe(200);
    try {
      const v = await viewer(`src=${encodeURIComponent(LIVE)}&ice=none`);
      await v.page.waitForSelector('#tracker-pill[data-state="unreachable"]', { timeout: 90_000 });
      expect(await v.page.textContent("#tracker-pill")).toContain("unreachable");
      const t0 = await v.page.evaluate(() => document.querySelector("video")!.currentTime);
      const http0 = await numberOf(v.page, "#stat-http");
      await v.page.waitForFunction((t) => document.querySelector("video")!.currentTime > t + 4, t0, { timeout: 60_000 });
      await v.page.waitForFunction((n) => Number(document.getElementById("stat-http")?.dataset.value) > n, http0, { timeout: 30_000 });
      expect(await numberOf(v.page, "#stat-p2p")).toBe(0);
      await v.page.screenshot({ path: join(SHOTS, "demo-viewer-tracker-down.png"), fullPage: true });
      // The browser itself logs the refused WebSocket; the page must not add errors of its own.
      expect(v.errors.filter((e) => e.startsWith("pageerror"))).toEqual([]);
    } finally {
      await fetch(`${worker.url}/api/tracker/test-outage?channel=loop&mode=ok`, { method: "POST" });
    }
  });
});
