// The swarm bench's browser ViewerDriver (`--mode browser`): one headless Chromium
// (harness/browser.ts launchChromium, started on first use), one browser context per
// viewer. The edgeswarm variant loads the Worker's built /edgeswarm.js and attaches it; the
// stock variants run hls.js + p2p-media-loader-hlsjs with the variant's core config.
// Metering: each viewer page is served from the metering proxy's own origin (the meter
// answers the page and its player scripts itself, uncounted: `serve`), and the context sends
// `x-meter-tag: <viewer id>` on every request. Playlists, segments
// and reports are then same-origin requests, so the custom header needs no CORS preflight
// and every origin byte is counted under its viewer.
// With a network lab (`--net`), each viewer gets a Chromium of its own inside its own
// namespace (the i-th viewer of a variant on lab host i), so its page, playlists, segments,
// tracker socket and WebRTC all cross that host's capped link; the browser closes when the
// viewer stops.
// It does not start the Worker, the trackers or the meter (index.ts does).
import type { Browser, BrowserContext } from "playwright-core";
import type { NetHost } from "../../harness/netlab/index.ts";
import { launchChromium } from "../../harness/browser.ts";
import { METER_TAG_HEADER } from "../../harness/metering-proxy.ts";
import type { ViewerOptions, ViewerStats } from "../../harness/virtual-viewer/viewer.ts";
import { buildPageBundles, type PageBundles } from "./browser-bundles.ts";
import { diagnose, type DiagLog } from "./browser-diag.ts";
import { jsonCore, toViewerStats, viewerPageHtml, type PageRecord } from "./browser-metrics.ts";
import type { ViewerDriver, ViewerHandle } from "./run-variant.ts";
import { diagTable } from "./table.ts";
import type { VariantSpec } from "./variants.ts";

/** Generous: page load includes the client script through the proxy on a loaded machine. */
const PAGE_LOAD_TIMEOUT_MS = 60_000;
/** Reading a page's record; a page that cannot answer in this time is reported, not waited for. */
const READ_TIMEOUT_MS = 15_000;

export interface BrowserDriverOptions {
  /** Network-lab hosts: viewer i of each variant runs on hosts[i]. Undefined: loopback. */
  hosts?: readonly NetHost[];
  /** Where this process fetches /edgeswarm.js (the page's own origin may only be reachable
   * from inside a namespace). Default: the page's origin. */
  scriptUrl?: string;
  /** Serves a page or script at a path of the page's origin (the meter's `serve`). */
  serve: (path: string, body: string, type: string) => void;
}

export class BrowserDriver {
  readonly name: string;
  private browser?: Promise<Browser>;
  /** Per-viewer browsers (network lab), closed with their viewer or by close(). */
  private readonly browsers = new Set<Browser>();
  private bundles?: Promise<PageBundles>;
  /** The Worker's /edgeswarm.js, fetched once and then served from memory like the stock
   * page's bundle, so both players reach their pages the same way and startup compares the
   * players, not how their scripts travel. */
  private clientScript?: Promise<string>;
  private readonly contexts = new Set<BrowserContext>();
  private closed = false;

  constructor(private readonly opts: BrowserDriverOptions) {
    this.name = opts.hosts
      ? "browser (headless Chromium, one browser per viewer, each in its own network namespace)"
      : "browser (headless Chromium, one context per viewer)";
  }

  /** A ViewerDriver for one variant; all variants share this driver's Chromium. */
  forVariant(spec: VariantSpec): ViewerDriver {
    let joined = 0;
    let left = 0;
    // EdgeSwarm pages' source breakdowns (browser-diag.ts), printed once the last viewer of
    // the variant has left: it needs every viewer's peer_ids to name the peers.
    const diags: { id: string; log: DiagLog }[] = [];
    const onStop = (id: string, log: DiagLog | undefined) => {
      if (log) diags.push({ id, log });
      if (++left < joined || diags.length === 0) return;
      diags.sort((a, b) => a.id.localeCompare(b.id));
      process.stdout.write(`  where each viewer's segments came from (${spec.name}):\n${diagTable(diagnose(diags))}\n`);
    };
    return {
      name: this.name,
      start: (opts) => this.start(spec, opts, joined++, onStop),
      // The Chromium outlives a variant; BrowserDriver.close() ends it.
      close: async () => {},
    };
  }

  private async start(spec: VariantSpec, opts: ViewerOptions, index: number, onStop: (id: string, diag: DiagLog | undefined) => void): Promise<ViewerHandle> {
    if (this.closed) throw new Error("browser driver is closed");
    const hosts = this.opts.hosts;
    const host = hosts?.[index];
    if (hosts && !host) throw new Error(`${opts.id}: the network lab has ${hosts.length} hosts, viewer ${index + 1} has none`);
    this.bundles ??= buildPageBundles();
    const origin = new URL(opts.masterUrl).origin;
    this.clientScript ??= fetch(this.opts.scriptUrl ?? `${origin}/edgeswarm.js`).then(async (r) => {
      if (!r.ok) throw new Error(`GET /edgeswarm.js: ${r.status}`);
      return r.text();
    });
    const own = host ? launchChromium({ netns: host }) : undefined;
    if (!own) this.browser ??= launchChromium();
    const [browser, bundles, clientScript] = await Promise.all([own ?? this.browser!, this.bundles, this.clientScript]);
    if (own) this.browsers.add(browser);
    const closeOwn = async () => {
      if (!own) return;
      this.browsers.delete(browser);
      await browser.close().catch(() => {});
    };
    const tracker = opts.announceTrackers[0];
    if (!tracker) throw new Error(`${opts.id}: no tracker URL`);
    const rendition = opts.rendition ?? "highest";
    // VOD start position (hls.js startPosition), the same for every variant.
    const start = opts.startPosition !== undefined ? { startPosition: opts.startPosition } : {};
    const edgeswarm = spec.tracker === "worker";
    let config: Record<string, unknown>;
    let scripts: string[];
    if (edgeswarm) {
      // The client's own defaults: spec.core / windowsFor are what the Node viewer imitates.
      // BENCH_NO_UPLOAD=1,3 (viewer numbers): those viewers attach with upload "off" (they
      // neither upload nor claim), to measure what a viewer's uploads cost or bring.
      const noUpload = (process.env.BENCH_NO_UPLOAD ?? "")
        .split(",")
        .map(Number)
        .includes(index + 1);
      config = { src: opts.masterUrl, tracker, rendition, ...start, ...(spec.p2p === false ? { p2p: false } : {}), ...(noUpload ? { upload: "off" } : {}) };
      scripts = ["/edgeswarm.js", "/__bench/edgeswarm-page.js"];
    } else {
      const { core, dropped } = jsonCore(spec.core as Record<string, unknown>);
      if (dropped.length) throw new Error(`${spec.name}: core config keys cannot reach a page: ${dropped.join(", ")}`);
      config = { src: opts.masterUrl, tracker, rendition, ...start, core };
      scripts = ["/__bench/stock-page.js"];
    }
    const pagePath = `/__bench/${encodeURIComponent(opts.id)}.html`;
    const pageUrl = `${origin}${pagePath}`;
    this.opts.serve(pagePath, viewerPageHtml(config, scripts), "text/html");
    this.opts.serve("/__bench/edgeswarm-page.js", bundles.edgeswarm, "text/javascript");
    this.opts.serve("/__bench/stock-page.js", bundles.stock, "text/javascript");
    this.opts.serve("/edgeswarm.js", clientScript, "text/javascript");

    const context = await browser.newContext();
    this.contexts.add(context);
    const problems: string[] = [];
    const note = (m: string) => {
      if (problems.length < 10) problems.push(m.slice(0, 300));
    };
    try {
      await context.setExtraHTTPHeaders({ [METER_TAG_HEADER]: opts.id });
      const page = await context.newPage();
      page.on("pageerror", (e) => note(`pageerror: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error") note(`console: ${m.text()}`);
      });
      page.on("crash", () => note("page crashed"));
      await page.goto(pageUrl, { waitUntil: "load", timeout: PAGE_LOAD_TIMEOUT_MS });
      const ready = await page.evaluate(() => typeof window.__bench === "object");
      if (!ready) throw new Error(`page script did not start: ${problems.join("; ") || "no error reported"}`);

      let stopped: Promise<ViewerStats> | undefined;
      const stop = async (): Promise<ViewerStats> => {
        let rec: Partial<PageRecord> | undefined;
        try {
          rec = await Promise.race([
            page.evaluate(() => window.__bench!.read()),
            new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no answer in ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS).unref()),
          ]);
        } catch (e) {
          note(`page unreadable at stop: ${e instanceof Error ? e.message : String(e)}`);
        }
        await context.close().catch(() => {});
        this.contexts.delete(context);
        await closeOwn();
        try {
          onStop(opts.id, rec?.diag);
        } catch (e) {
          note(`source breakdown failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        return toViewerStats(opts.id, rec, problems);
      };
      return { stop: () => (stopped ??= stop()) };
    } catch (e) {
      await context.close().catch(() => {});
      this.contexts.delete(context);
      await closeOwn();
      throw e;
    }
  }

  /** Closes every context and the Chromium; safe to call more than once, and on abort. */
  async close(): Promise<void> {
    this.closed = true;
    for (const c of [...this.contexts]) await c.close().catch(() => {});
    this.contexts.clear();
    for (const b of [...this.browsers]) await b.close().catch(() => {});
    this.browsers.clear();
    const b = this.browser;
    this.browser = undefined;
    if (b) await (await b.catch(() => undefined))?.close().catch(() => {});
  }
}
