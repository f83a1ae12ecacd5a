// Shared headless Chromium for browser tests: @sparticuz/chromium (or CHROME_PATH) with the
// flags FIELD-NOTES lists, one context per viewer. Also collects page errors and serves
// test pages/bundles from the Worker's own origin via request interception, so the page,
// the script and the tracker share an origin exactly as in production. Reads a player's
// stats and stalls from the page (statsOf, watchStalls/stallsOf, advances). With a netlab
// host, the whole browser runs inside that host's network namespace.
import { readFileSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import type { NetHost } from "./netlab/index.ts";

/**
 * `netns`: run the whole Chromium inside that netlab host's namespace, through its wrapper
 * script. Playwright drives it over a pipe, which crosses namespaces; every page load then
 * takes the host's capped link. Use one browser per viewer then, not one context per viewer.
 */
export async function launchChromium(opts: { netns?: NetHost } = {}): Promise<Browser> {
  const sparticuz = (await import("@sparticuz/chromium")).default;
  const chromePath = process.env.CHROME_PATH || (await sparticuz.executablePath());
  const executablePath = opts.netns ? opts.netns.wrap(chromePath) : chromePath;
  // --single-process breaks several contexts. --disable-web-security would hide CORS bugs.
  // Chromium keeps only the last --disable-features, so the lists are merged into one.
  // Its GPU flags (ANGLE on SwiftShader, in-process GPU) emulate a GPU in software: each
  // video frame then costs ~0.7 of a core per playing viewer here, ~0.45 with --disable-gpu
  // (measured with /proc CPU ticks, one viewer of the live loop), and 2 cores must carry
  // three viewers plus the Worker.
  const gpu = /^--(use-gl|use-angle|enable-unsafe-swiftshader|in-process-gpu|ignore-gpu-blocklist)/;
  const base = sparticuz.args.filter((a) => a !== "--single-process" && a !== "--disable-web-security" && !a.startsWith("--disable-features=") && !gpu.test(a));
  const disabled = (sparticuz.args.find((a) => a.startsWith("--disable-features=")) ?? "--disable-features=").slice("--disable-features=".length);
  const args = [
    ...base,
    // Without WebRtcHideLocalIpsWithMdns off, host candidates are .local names nothing resolves here.
    // Pages fulfilled by request interception have no address space, so Chromium's Local
    // Network Access checks would block their WebSocket to the loopback Worker.
    `--disable-features=${[disabled, "WebRtcHideLocalIpsWithMdns", "LocalNetworkAccessChecks"].filter(Boolean).join(",")}`,
    "--autoplay-policy=no-user-gesture-required",
    "--disable-gpu",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
  ];
  return chromium.launch({ executablePath, args, headless: true });
}

export interface Viewer {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors, in order. */
  errors: string[];
}

/**
 * Opens `pageUrl` in a fresh context. `routes` maps absolute URLs to bodies served in place
 * of the network (test pages and the test bundle, which the Worker does not serve).
 */
export async function openViewer(browser: Browser, pageUrl: string, routes: Record<string, { body: string | Buffer; type: string }> = {}): Promise<Viewer> {
  const context = await browser.newContext();
  for (const [url, r] of Object.entries(routes)) {
    await context.route(url, (route) => route.fulfill({ status: 200, contentType: r.type, body: r.body }));
  }
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  // Chromium's console line for a failed load names no URL; this one does.
  page.on("response", (r) => {
    if (r.status() >= 500) errors.push(`response: ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  await page.goto(pageUrl);
  return { context, page, errors };
}

export function html(body: string): { body: string; type: string } {
  return { body: `<!doctype html><html><head><meta charset="utf-8"></head><body>${body}</body></html>`, type: "text/html" };
}

export function file(path: string, type = "text/javascript"): { body: Buffer; type: string } {
  return { body: readFileSync(path), type };
}

/** Waits until the page's <video> has played `seconds` more; on timeout, says what the player was doing. */
export async function advances(page: Page, seconds: number, timeout = 90_000): Promise<void> {
  const t0 = await page.evaluate(() => document.querySelector("video")!.currentTime);
  try {
    await page.waitForFunction((t) => document.querySelector("video")!.currentTime > t, t0 + seconds, { timeout, polling: 250 });
  } catch (err) {
    // Say what the player was doing, so a failure here can be diagnosed from the log.
    const state = await page.evaluate(() => {
      const v = document.querySelector("video")!;
      const buf = Array.from({ length: v.buffered.length }, (_, i) => [v.buffered.start(i), v.buffered.end(i)]);
      const g = (globalThis as unknown as { EdgeSwarm: { handleOf(v: Element): { stats(): unknown } | undefined } }).EdgeSwarm;
      return JSON.stringify({
        t: v.currentTime,
        paused: v.paused,
        rs: v.readyState,
        buf,
        events: (window as unknown as { events?: unknown }).events,
        stats: g.handleOf(v)?.stats(),
      });
    });
    throw new Error(`playback did not advance ${seconds} s: ${state}`, { cause: err });
  }
}

/** What `handle.stats()` returns (client/stats.ts), as the tests read it. */
export interface PageStats {
  httpBytes: number;
  p2pBytes: number;
  p2pRejectedBytes: number;
  uploadedBytes: number;
  peers: number;
  errors: Record<string, number>;
  mode: string;
}

/** Reads the handle of the page's video through the IIFE global (script-tag pages have no other). */
export async function statsOf(page: Page): Promise<PageStats> {
  return page.evaluate(() => {
    const g = (globalThis as unknown as { EdgeSwarm: { handleOf(v: Element): { stats(): unknown } | undefined } }).EdgeSwarm;
    const h = g.handleOf(document.querySelector("video")!);
    if (!h) throw new Error("no EdgeSwarm handle on the video");
    return h.stats() as never;
  });
}

/**
 * Records stalls from the page's own events: each 'waiting' after playback first started,
 * with how long it lasted (until 'playing'), and where. Installed on a video that already
 * plays (its played ranges are not empty), it counts from now on, and a rebuffer already
 * under way counts from now.
 */
export async function watchStalls(page: Page): Promise<void> {
  await page.evaluate(() => {
    const v = document.querySelector("video")!;
    const w = window as unknown as { stalls: Array<{ at: number; ms: number }>; started: boolean; since: number };
    w.stalls = [];
    w.started = v.played.length > 0;
    // HAVE_FUTURE_DATA is 3: below it, a started and unpaused video is rebuffering.
    w.since = w.started && !v.paused && v.readyState < 3 ? performance.now() : 0;
    v.addEventListener("playing", () => {
      if (w.since) w.stalls.push({ at: v.currentTime, ms: Math.round(performance.now() - w.since) });
      w.since = 0;
      w.started = true;
    });
    v.addEventListener("waiting", () => {
      if (w.started && !w.since) w.since = performance.now();
    });
  });
}

/** The stalls watchStalls recorded, plus one still open now. */
export async function stallsOf(page: Page): Promise<Array<{ at: number; ms: number }>> {
  return page.evaluate(() => {
    const w = window as unknown as { stalls: Array<{ at: number; ms: number }>; since: number };
    const open = w.since ? [{ at: document.querySelector("video")!.currentTime, ms: Math.round(performance.now() - w.since) }] : [];
    return [...w.stalls, ...open];
  });
}
