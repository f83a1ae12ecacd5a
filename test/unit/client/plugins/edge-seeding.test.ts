// Edge-seeding plug-in: the core's store feeds the stream-id pairing, a live playlist of the
// paired level is claimed at the edge with the player's timed fetch, a won segment is
// stored under the core's ids and announced once, and the core's own request for it is
// handed the bytes instead of fetching them again.
import { createHash } from "node:crypto";
import Hls from "hls.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sha256Hex } from "../../../../client/integrity";
import { installEdgeSeeding } from "../../../../client/plugins/edge-seeding";
import type { SegmentStore } from "../../../../client/segment-store";
import { fakeContext } from "./fake-context";

const TAG = "EXT-X-EDGESWARM-SHA256";
const BYTES = new Uint8Array(1000).map((_, i) => i & 0xff);
const HASH = createHash("sha256").update(BYTES).digest("hex");
const LEVEL = "https://w.example/live/c/hi.m3u8";
const frag = (sn: number) => ({
  sn,
  url: `https://w.example/live/c/hi/${sn}.ts`,
  start: sn * 2,
  end: sn * 2 + 2,
  tagList: [[TAG, HASH]],
  type: "main",
  baseurl: LEVEL,
});

/** The seeding extra as the page would import it (here from source, not from beside the script). */
const loadSeeding = () => import("../../../../client/seeding");

/**
 * The Worker's uplink probe (client/uplink-probe.ts) as the page's fetch sees it: each upload
 * answers 204 after `msPerUpload` on the fake clock. Returns the bodies' sizes, in order.
 */
function stubProbe(f: ReturnType<typeof fakeContext>, msPerUpload: [number, number]): number[] {
  const sizes: number[] = [];
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    expect(String(input)).toBe("https://w.example/api/uplink");
    expect(init?.method).toBe("POST");
    f.time.now += msPerUpload[Math.min(sizes.length, 1)]!;
    sizes.push(init?.body instanceof Uint8Array ? init.body.byteLength : -1);
    return new Response(null, { status: 204 });
  });
  return sizes;
}

/** The core loads three segments of a 2 s stream, the third starts the probe; resolves once it has answered. */
async function probeAt3rdSegment(f: ReturnType<typeof fakeContext>, segmentBytes = 212_000): Promise<unknown> {
  (f.hls as unknown as { levels: unknown[]; currentLevel: number }).levels = [{ details: { targetduration: 2 } }];
  (f.hls as unknown as { currentLevel: number }).currentLevel = 0;
  for (let i = 0; i < 3; i++)
    f.core("onSegmentLoaded", { segmentUrl: `s${i}`, bytesLength: segmentBytes, downloadSource: "http", streamType: "main" } as never);
  await vi.waitFor(() => expect(f.events.some(([k]) => k === "uplink")).toBe(true));
  return f.events.find(([k]) => k === "uplink")![1];
}

async function setup(options = {}, probed = true) {
  const f = fakeContext(options, { currentTime: 0 });
  const asked: string[] = [];
  f.ctx.hooks.fetch = async (input) => {
    asked.push(String(input));
    return new Response(BYTES.slice(), { status: 200, headers: { "x-edgeswarm-claim": "granted" } });
  };
  const dispose = installEdgeSeeding(f.ctx, loadSeeding);
  const store = f.ctx.hooks.storage!() as SegmentStore;
  // The extra is loaded at attach; seeding starts once it has wired hls.js.
  if (!("coreConfig" in options)) await vi.waitFor(() => expect(f.hls.listeners(Hls.Events.LEVEL_UPDATED)).toBe(1));
  // Nothing is claimed before the uplink probe has answered: a fast uplink here.
  if (probed && !("coreConfig" in options)) {
    stubProbe(f, [5, 10]);
    await probeAt3rdSegment(f);
  }
  return { f, asked, store, dispose };
}

describe("installEdgeSeeding", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("claims new live segments under the ids the core used, stores the win, announces it once and hands it over", async () => {
    const { f, asked, store } = await setup();
    f.hls.emit(Hls.Events.FRAG_LOADING, { frag: frag(1) });
    store.onSegmentRequested("core-swarm", "core-stream", 1, 2, 4, "main");
    f.hls.emit(Hls.Events.LEVEL_UPDATED, { details: { url: LEVEL, live: true, fragments: [1, 2, 3, 4, 5].map(frag) } });
    // Segments starting at least maxBufferLength + margin (4.5 s) ahead: 3 and 4 (two claim slots).
    expect(asked).toEqual([3, 4].map((sn) => `https://w.example/live/c/hi/${sn}.ts?es_claim=c`));
    await vi.waitFor(() => expect(store.hasSegment("core-swarm", "core-stream", 4)).toBe(true));
    expect(store.hasSegment("core-swarm", "core-stream", 3)).toBe(true);
    expect(f.http).toEqual([BYTES.byteLength, BYTES.byteLength]);
    const url = frag(3).url;
    expect(f.events.filter(([k]) => k === "segment").map(([, e]) => e)).toContainEqual({ source: "http", bytes: BYTES.byteLength, url });
    // The core's own request for a won segment gets the bytes; its HTTP report of them is not counted again.
    const req = await f.ctx.hooks.handover!(url, false, new AbortController().signal);
    expect(req).toBeInstanceOf(Request);
    expect(f.ctx.hooks.originBytes!(BYTES.byteLength)).toBe(0);
    expect(f.ctx.hooks.handedOver!(url)).toBe(true);
    expect(f.ctx.hooks.handedOver!(url)).toBe(false);
  });

  it("claims nothing for a level the core has not requested from, or while the viewer does not upload", async () => {
    const { f, asked, store } = await setup();
    store.onSegmentRequested("core-swarm", "core-stream", 1, 2, 4, "main"); // no hls.js load to pair with
    f.hls.emit(Hls.Events.LEVEL_UPDATED, { details: { url: LEVEL, live: true, fragments: [1, 2, 3, 4, 5].map(frag) } });
    expect(asked).toEqual([]);
    const off = fakeContext({}, { uploading: false });
    off.ctx.hooks.fetch = async () => {
      throw new Error("no claim expected");
    };
    installEdgeSeeding(off.ctx, loadSeeding);
    const s2 = off.ctx.hooks.storage!() as SegmentStore;
    await vi.waitFor(() => expect(off.hls.listeners(Hls.Events.LEVEL_UPDATED)).toBe(1));
    off.hls.emit(Hls.Events.FRAG_LOADING, { frag: frag(1) });
    s2.onSegmentRequested("core-swarm", "core-stream", 1, 2, 4, "main");
    off.hls.emit(Hls.Events.LEVEL_UPDATED, { details: { url: LEVEL, live: true, fragments: [1, 2, 3, 4, 5].map(frag) } });
    expect(off.events.filter(([k]) => k === "segment")).toEqual([]);
  });

  it("claims and uploads nothing until the uplink probe answers at the third segment, then claims on a fast uplink", async () => {
    const { f, asked, store } = await setup({}, false);
    expect(f.applied).toContainEqual({ isP2PUploadDisabled: true });
    f.hls.emit(Hls.Events.FRAG_LOADING, { frag: frag(1) });
    store.onSegmentRequested("core-swarm", "core-stream", 1, 2, 4, "main");
    const level = { details: { url: LEVEL, live: true, fragments: [1, 2, 3, 4, 5].map(frag) } };
    f.hls.emit(Hls.Events.LEVEL_UPDATED, level);
    expect(asked).toEqual([]);
    const sizes = stubProbe(f, [5, 10]);
    expect(await probeAt3rdSegment(f)).toEqual({ source: "probe", bytesPerS: (48 * 1024 * 1000) / 5, slow: false });
    expect(sizes).toEqual([32 * 1024, 80 * 1024]);
    expect(f.applied.at(-1)).toEqual({ isP2PUploadDisabled: false });
    f.hls.emit(Hls.Events.LEVEL_UPDATED, level);
    expect(asked).toEqual([3, 4].map((sn) => `https://w.example/live/c/hi/${sn}.ts?es_claim=c`));
  });

  it("holds claims and uploads off when the probe finds the uplink below half the stream's rate", async () => {
    const { f, asked, store, dispose } = await setup({}, false);
    // 2 s segments of 212 kB: 106 kB/s, bar 53 kB/s. 48 KiB in 2 s beyond the warm-up: 24.6 kB/s.
    stubProbe(f, [1000, 3000]);
    const verdict = (await probeAt3rdSegment(f)) as { slow: boolean; bytesPerS: number };
    expect(verdict.slow).toBe(true);
    expect(verdict.bytesPerS).toBeLessThan(53_000);
    expect(f.applied.at(-1)).toEqual({ isP2PUploadDisabled: true });
    f.hls.emit(Hls.Events.FRAG_LOADING, { frag: frag(1) });
    store.onSegmentRequested("core-swarm", "core-stream", 1, 2, 4, "main");
    f.hls.emit(Hls.Events.LEVEL_UPDATED, { details: { url: LEVEL, live: true, fragments: [1, 2, 3, 4, 5].map(frag) } });
    expect(asked).toEqual([]);
    dispose(); // and with it the probe due before the hold ends
  });

  it("hands the seeding extra the main bundle's SHA-256, whose JS fallback pages without crypto.subtle load", async () => {
    const real = await loadSeeding();
    let handed: unknown;
    const f = fakeContext({}, { currentTime: 0 });
    installEdgeSeeding(f.ctx, async () => ({
      installSeeding: (...args: Parameters<typeof real.installSeeding>) => {
        handed = args[4];
        return real.installSeeding(...args);
      },
    }));
    await vi.waitFor(() => expect(handed).toBe(sha256Hex));
  });

  it("does not seed when the page sets its own windows, and unwires hls.js when disposed", async () => {
    const mine = await setup({ coreConfig: { highDemandTimeWindow: 9 } });
    expect(mine.f.hls.listeners(Hls.Events.LEVEL_UPDATED)).toBe(0);
    const { f, dispose } = await setup();
    expect(f.hls.listeners(Hls.Events.LEVEL_UPDATED)).toBe(1);
    dispose();
    expect(f.hls.listeners(Hls.Events.LEVEL_UPDATED)).toBe(0);
    expect(f.hls.listeners(Hls.Events.FRAG_LOADING)).toBe(0);
  });
});
