// Viewers on hosts of their own: each Chromium runs in its own network namespace of the lab
// (harness/netlab) with capped links, the Worker and an origin meter listen on the lab's
// bridge, and the page is the production one (script tag + <video>). Beside the three
// EdgeSwarm viewers, three more with `data-p2p="off"` join at the same moments on hosts with
// the same links, so "never more origin egress than with P2P off" is checked against bytes
// measured in the same run, not assumed.
//   cable, secure page: later viewers get verified P2P bytes, 0 stalls, egress ≤ P2P off;
//   cable, plain-HTTP page (no secure context, so no crypto.subtle): the same;
//   blocked (viewers reach the Worker, not each other): 0 stalls, egress within 2 % of P2P off.
// The stream is one rendition's media playlist, so both groups fetch the same bytes per
// second whatever their bandwidth estimates say. Figures are printed; bench/ measures offload.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Browser, Page } from "playwright-core";
import { netlabSupport, openNetLab, type NetHost, type NetLab } from "../../harness/netlab/index.ts";
import { launchChromium, stallsOf, statsOf, watchStalls, type PageStats } from "../../harness/browser.ts";
import { METER_TAG_HEADER, startMeteringProxy, type MeteringProxy } from "../../harness/metering-proxy.ts";
import { startDevWorker, type DevWorker } from "../../harness/dev-worker.ts";

const STREAM = "/live/loop/360p/index.m3u8";
const CHANNEL = "loop";
/** Viewers per group; the lab holds both groups. */
const N = 3;
const JOIN_GAP_MS = 3_000;
/** Watched after the last join: long enough for the later viewers to take several segments from peers. */
const WATCH_MS = 30_000;
/** Shorter 'waiting' blips happen at segment boundaries and are not rebuffering a viewer sees. */
const STALL_MS = 250;

const support = netlabSupport();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Seat {
  name: string;
  host: NetHost;
  browser: Browser;
  page?: Page;
}

interface Outcome {
  es: Array<{ name: string; stats: PageStats; stalls: number; played: number; secure: boolean }>;
  esEgress: number;
  offEgress: number;
}

/** A lab with 2N hosts: EdgeSwarm viewers on hosts 0..N-1, P2P-off viewers on N..2N-1. */
class LabRun {
  lab!: NetLab;
  worker!: DevWorker;
  meter!: MeteringProxy;

  async open(profile: "cable" | "blocked"): Promise<void> {
    this.lab = await openNetLab({ profile, viewers: 2 * N });
    this.worker = await startDevWorker({ frozen: true, ip: this.lab.bridgeIp, vars: { EDGESWARM_TEST_HOOKS: "0" } });
    this.meter = await startMeteringProxy({ target: this.worker.url, host: this.lab.bridgeIp });
    // Secure pages reach the meter and the Worker at 127.0.0.1 inside each namespace.
    await Promise.all(this.lab.hosts.map((h) => h.forward([this.meter.port, this.worker.port])));
  }

  async close(): Promise<void> {
    await this.meter?.stop().catch(() => {});
    await this.worker?.stop().catch(() => {});
    await this.lab?.close().catch(() => {});
  }

  /** Both groups join in pairs JOIN_GAP_MS apart, watch, then report. `pageHost`: 127.0.0.1 (secure) or the bridge (plain HTTP). */
  async swarm(pageHost: string): Promise<Outcome> {
    const seats: Seat[] = [];
    try {
      for (const host of this.lab.hosts) {
        const name = `${host.index < N ? "es" : "off"}-${(host.index % N) + 1}`;
        seats.push({ name, host, browser: await launchChromium({ netns: host }) });
      }
      this.meter.reset();
      for (let i = 0; i < N; i++) {
        if (i > 0) await sleep(JOIN_GAP_MS);
        await Promise.all([seats[i]!, seats[N + i]!].map((s) => this.join(s, pageHost)));
      }
      await sleep(WATCH_MS);
      const es = [];
      for (const s of seats.slice(0, N)) {
        const page = s.page!;
        const stalls = (await stallsOf(page)).filter((x) => x.ms >= STALL_MS).length;
        const played = await page.evaluate(() => document.querySelector("video")!.currentTime);
        const secure = await page.evaluate(() => isSecureContext);
        es.push({ name: s.name, stats: await statsOf(page), stalls, played, secure });
      }
      for (const s of seats) await s.browser.close().catch(() => {});
      // Responses the closed browsers aborted are counted once their sockets' close reaches the meter.
      await vi.waitFor(() => expect(this.meter.inFlight()).toBe(0), { timeout: 10_000, interval: 50 });
      const snap = this.meter.snapshot();
      const egress = (prefix: string) =>
        Object.entries(snap.byTag)
          .filter(([t]) => t.startsWith(prefix))
          .reduce((a, [, c]) => a + c.segment.bytes, 0);
      const out = { es, esEgress: egress("es-"), offEgress: egress("off-") };
      console.log(
        `${this.lab.profile} ${pageHost === "127.0.0.1" ? "secure" : "plain-HTTP"} page: EdgeSwarm egress ${(out.esEgress / 1024).toFixed(0)} KiB, ` +
          `P2P off ${(out.offEgress / 1024).toFixed(0)} KiB (ratio ${(out.esEgress / out.offEgress).toFixed(3)}); ` +
          es
            .map(
              (v) => `${v.name} p2p ${(v.stats.p2pBytes / 1024).toFixed(0)} KiB, peers ${v.stats.peers}, stalls ${v.stalls}, played ${v.played.toFixed(1)} s`,
            )
            .join("; "),
      );
      return out;
    } finally {
      for (const s of seats) await s.browser.close().catch(() => {});
    }
  }

  private async join(seat: Seat, pageHost: string): Promise<void> {
    const origin = `http://${pageHost}:${this.meter.port}`;
    const tracker = `ws://${pageHost}:${this.worker.port}/announce/${CHANNEL}`;
    const off = seat.name.startsWith("off") ? ` data-p2p="off"` : "";
    // The embedding site's page, served by the meter (uncounted) from the origin the player uses.
    const pagePath = `/netlab/${seat.name}-${pageHost === "127.0.0.1" ? "secure" : "plain"}.html`;
    this.meter.serve(
      pagePath,
      `<!doctype html><html><body><script src="/edgeswarm.js" data-tracker="${tracker}"${off}></script><video autoplay muted src="${STREAM}"></video></body></html>`,
      "text/html",
    );
    const context = await seat.browser.newContext();
    await context.setExtraHTTPHeaders({ [METER_TAG_HEADER]: seat.name });
    seat.page = await context.newPage();
    await seat.page.goto(`${origin}${pagePath}`);
    await watchStalls(seat.page);
  }
}

/** Every EdgeSwarm viewer played on without a stall; with `sharing`, the later ones took verified bytes from peers. */
function expectPlayedWithoutStalls(o: Outcome, sharing: boolean): void {
  if (sharing) for (const v of o.es.slice(1)) expect(v.stats.p2pBytes, `${v.name} got nothing from peers`).toBeGreaterThan(0);
  for (const v of o.es) {
    if (sharing) expect(v.stats.p2pRejectedBytes, `${v.name} rejected peer bytes`).toBe(0);
    else expect(v.stats.p2pBytes, `${v.name} reached a peer in a blocked lab`).toBe(0);
    expect(v.stalls, `${v.name} stalled`).toBe(0);
    expect(v.played, `${v.name} hardly played`).toBeGreaterThan(WATCH_MS / 1000 - 10);
  }
  expect(o.offEgress).toBeGreaterThan(0);
}

describe.skipIf(!support.ok)(`viewers on hosts of their own (network lab)${support.ok ? "" : `: skipped, ${support.reason}`}`, () => {
  describe("cable links (3 Mbit/s up, 50 down)", () => {
    const run = new LabRun();
    beforeAll(() => run.open("cable"), 120_000);
    afterAll(() => run.close());

    it("secure page: later viewers get verified P2P bytes, nobody stalls, and the origin sends no more than with P2P off", async () => {
      const o = await run.swarm("127.0.0.1");
      expect(o.es.every((v) => v.secure)).toBe(true);
      expectPlayedWithoutStalls(o, true);
      expect(o.esEgress).toBeLessThanOrEqual(o.offEgress);
    }, 150_000);

    it("plain-HTTP page (no crypto.subtle): the same, with every segment checked by the JS SHA-256", async () => {
      const o = await run.swarm(run.lab.bridgeIp);
      expect(o.es.every((v) => !v.secure)).toBe(true);
      expectPlayedWithoutStalls(o, true);
      expect(o.esEgress).toBeLessThanOrEqual(o.offEgress);
    }, 150_000);
  });

  describe("blocked: viewers reach the Worker but not each other", () => {
    const run = new LabRun();
    beforeAll(() => run.open("blocked"), 120_000);
    afterAll(() => run.close());

    it("nobody stalls, and the origin sends within 2 % of what it sends with P2P off", async () => {
      const o = await run.swarm("127.0.0.1");
      expectPlayedWithoutStalls(o, false);
      expect(o.esEgress).toBeLessThanOrEqual(1.02 * o.offEgress);
    }, 150_000);
  });
});
