// The origin's streams play in hls.js inside real Chromium (no P2P, plain HTTP): the
// built-in VOD sample (MPEG-TS), a stream published as fragmented MP4 with
// `npm run publish -- … --fmp4`, and the built-in live loop across a loop wrap
// (EXT-X-DISCONTINUITY), with no fatal hls.js error; and every fragment hls.js loaded
// carried a hash tag (frag.tagList) equal to the SHA-256 of the bytes it received.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../../harness/browser.ts";
import { publish } from "../../scripts/publish";

const HLS_JS = resolve(import.meta.dirname, "../../node_modules/hls.js/dist/hls.min.js");
// The project's shared Worker (global-setup.ts); this file publishes only "fmp4-play".
const worker = inject("devWorker");
let browser: Browser;

interface PlayReport {
  fatal: string[];
  ccs: number[];
  maxTime: number;
  frags: number;
  badHashes: string[];
  untagged: number;
}

/** Plays `src` with hls.js until `until(report)` holds or `ms` pass; hashes each loaded fragment in the page. */
async function play(page: Page, src: string, ms: number, stopWhen: string): Promise<PlayReport> {
  await page.goto(`${worker.url}/api/tracker/stats`); // any same-origin page
  await page.setContent("<video id=v muted playsinline></video>");
  await page.addScriptTag({ path: HLS_JS });
  return page.evaluate(
    async ({ src, ms, stopWhen }) => {
      const w = window as unknown as { Hls: any };
      const video = document.getElementById("v") as HTMLVideoElement;
      const report: PlayReport = { fatal: [], ccs: [], maxTime: 0, frags: 0, badHashes: [], untagged: 0 };
      const hls = new w.Hls({ enableWorker: false });
      const pending: Promise<void>[] = [];
      hls.on(w.Hls.Events.ERROR, (_e: unknown, d: { fatal: boolean; details: string }) => {
        if (d.fatal) report.fatal.push(d.details);
      });
      hls.on(w.Hls.Events.FRAG_CHANGED, (_e: unknown, d: { frag: { cc: number } }) => {
        if (!report.ccs.includes(d.frag.cc)) report.ccs.push(d.frag.cc);
      });
      hls.on(w.Hls.Events.FRAG_LOADED, (_e: unknown, d: { frag: { tagList: string[][]; url: string }; payload: ArrayBuffer }) => {
        report.frags++;
        const tag = d.frag.tagList.find((t) => t[0] === "EXT-X-EDGESWARM-SHA256");
        if (!tag) {
          report.untagged++;
          return;
        }
        const copy = d.payload.slice(0);
        pending.push(
          crypto.subtle.digest("SHA-256", copy).then((h) => {
            const hex = [...new Uint8Array(h)].map((b) => b.toString(16).padStart(2, "0")).join("");
            if (hex !== tag[1]) report.badHashes.push(d.frag.url);
          }),
        );
      });
      hls.loadSource(src);
      hls.attachMedia(video);
      video.play().catch(() => undefined);
      const stop = new Function("r", `return ${stopWhen}`) as (r: PlayReport) => boolean;
      const t0 = Date.now();
      while (Date.now() - t0 < ms) {
        await new Promise((r) => setTimeout(r, 250));
        report.maxTime = Math.max(report.maxTime, video.currentTime);
        if (report.fatal.length || stop(report)) break;
      }
      await Promise.all(pending);
      hls.destroy();
      return report;
    },
    { src, ms, stopWhen },
  );
}

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe("playback in hls.js (Chromium)", () => {
  it("plays the VOD sample with every fragment's hash tag matching its bytes", async () => {
    const page = await browser.newPage();
    const r = await play(page, `${worker.url}/streams/sample/master.m3u8`, 40_000, "r.maxTime > 5");
    await page.close();
    expect(r.fatal).toEqual([]);
    expect(r.maxTime).toBeGreaterThan(5);
    expect(r.frags).toBeGreaterThan(2);
    expect(r.untagged).toBe(0);
    expect(r.badHashes).toEqual([]);
  });

  it("plays a stream published as fragmented MP4 (init.mp4 + .m4s) with matching hashes", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "edgeswarm-fmp4-"));
    try {
      const ffmpeg = (await import("@ffmpeg-installer/ffmpeg")).default.path;
      const clip = join(tmp, "clip.mp4");
      const made = spawnSync(ffmpeg, [
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=24",
        "-f",
        "lavfi",
        "-i",
        "sine",
        "-t",
        "8",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "aac",
        clip,
      ]);
      expect(made.status, String(made.stderr)).toBe(0);
      await publish({ input: clip, stream: "fmp4-play", to: worker.url, token: "test-ingest-token", fmp4: true, log: () => undefined });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    const media = await (await fetch(`${worker.url}/streams/fmp4-play/144p/index.m3u8`)).text();
    expect(media).toContain('#EXT-X-MAP:URI="init.mp4"');
    expect(media).toMatch(/seg-00000\.m4s/);
    const page = await browser.newPage();
    const r = await play(page, `${worker.url}/streams/fmp4-play/master.m3u8`, 40_000, "r.maxTime > 4");
    await page.close();
    expect(r.fatal).toEqual([]);
    expect(r.maxTime).toBeGreaterThan(4);
    expect(r.untagged).toBe(0);
    expect(r.badHashes).toEqual([]);
  });

  it("plays the live loop across a loop wrap (discontinuity) with every fragment's hash matching", async () => {
    const page = await browser.newPage();
    // The loop is 30 s, so the wrap passes the playhead within ~40 s of steady playback;
    // the margin is for a loaded 2-core machine.
    const r = await play(page, `${worker.url}/live/loop/master.m3u8`, 110_000, "r.ccs.length >= 2");
    await page.close();
    expect(r.fatal).toEqual([]);
    expect(r.ccs.length).toBeGreaterThanOrEqual(2);
    expect(r.ccs[1]).toBe(r.ccs[0]! + 1);
    expect(r.untagged).toBe(0);
    expect(r.badHashes).toEqual([]);
  }, 150_000);
});
