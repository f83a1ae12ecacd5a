// A small real swarm: three Node virtual viewers (p2p-media-loader-core over node-datachannel
// WebRTC, EdgeSwarm config with the SHA-256 check) join the Worker's built-in live channel
// 2 s apart through the origin-side metering proxy and the Worker tracker. It asserts
// behaviour, not speed: later viewers get bytes from peers, the origin sends fewer segment
// bytes than the viewers needed, nobody stalls, and no verified peer segment was rejected.
// Then a lying peer (its HTTP comes through a proxy that flips a byte in every segment)
// serves bad bytes, and the honest viewer's SHA-256 check keeps them out of its player.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startMeteringProxy, type MeteringProxy } from "../../harness/metering-proxy.ts";
import { VirtualViewer, type ViewerStats } from "../../harness/virtual-viewer/viewer.ts";
import { buildVariant } from "../../bench/swarm/variants.ts";

const STREAM = "/live/loop/master.m3u8";
const CHANNEL = "loop";
// The scenario's timing, not waits for an event: viewers join this far apart, and the swarm
// is then watched this long (stalls and origin bytes are measured over that window).
const JOIN_GAP_MS = 2000;
const WATCH_MS = 30_000;
// Likewise: the liars play this long before the honest viewer joins, then it is watched.
// (Once tried instead: join as soon as a liar held 2 segments, about 1 s in. In that run the
// honest viewer fetched every segment itself and only uploaded, so nothing was rejected.)
const LIAR_LEAD_MS = 4000;
const HONEST_WATCH_MS = 25_000;
// The project's shared Worker (global-setup.ts). No other file announces in channel "loop"
// or claims its segments; this file's origin bytes are counted by its own meter.
const worker = inject("devWorker");
let meter: MeteringProxy;

beforeAll(async () => {
  meter = await startMeteringProxy({ target: worker.url });
});

afterAll(async () => {
  await meter?.stop();
});

describe("Node swarm through the Worker", () => {
  it("shares segments over WebRTC so the origin sends less than the viewers need, without stalls", async () => {
    const spec = buildVariant("edgeswarm", CHANNEL);
    const viewers: VirtualViewer[] = [];
    let stats: ViewerStats[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, JOIN_GAP_MS));
        const v = new VirtualViewer({
          id: `node-${i + 1}`,
          masterUrl: `${meter.url}${STREAM}`,
          core: spec.core,
          announceTrackers: [`${worker.wsUrl}/announce/${CHANNEL}`],
          integrity: true,
          player: spec.player,
          windowsFor: spec.windowsFor,
          seed: spec.seed,
        });
        viewers.push(v);
        await v.start();
      }
      await new Promise((r) => setTimeout(r, WATCH_MS));
    } finally {
      stats = viewers.map((v) => v.stop());
    }
    const snap = meter.snapshot();
    const needed = stats.reduce((a, s) => a + s.neededBytes, 0);
    const problems = stats.flatMap((s) => s.problems);

    expect(
      stats.every((s) => s.segmentsBuffered > 5),
      `every viewer played: ${JSON.stringify(stats)}`,
    ).toBe(true);
    // Later joiners find the earlier ones and take bytes from them.
    expect(
      stats[1]!.p2pBytes + stats[2]!.p2pBytes,
      `P2P bytes of viewers 2 and 3; peak peers ${stats.map((s) => s.peakPeers).join(",")}; tracker problems: ${problems.join("; ")}`,
    ).toBeGreaterThan(0);
    expect(stats.some((s) => s.uploadedBytes > 0)).toBe(true);
    // The edge picked who fetches new segments: some claims won, the others refused.
    const claims = stats.map((s) => s.seed ?? { granted: 0, denied: 0 });
    expect(
      claims.reduce((a, c) => a + c.granted, 0),
      `claims ${JSON.stringify(claims)}`,
    ).toBeGreaterThan(0);
    expect(
      claims.reduce((a, c) => a + c.denied, 0),
      `claims ${JSON.stringify(claims)}`,
    ).toBeGreaterThan(0);
    // Counted at the origin, aborted responses included.
    expect(snap.total.segment.bytes).toBeLessThan(needed);
    expect(stats.map((s) => s.stalls)).toEqual([0, 0, 0]);
    expect(stats.map((s) => s.integrityRejects)).toEqual([0, 0, 0]);
    expect(stats.map((s) => s.corruptPlayed)).toEqual([0, 0, 0]);
    // Every segment byte at the origin belongs to one of the three viewers.
    const tagged = ["node-1", "node-2", "node-3"].reduce((a, t) => a + (snap.byTag[t]?.segment.bytes ?? 0), 0);
    expect(tagged).toBe(snap.total.segment.bytes);
  });
});

/** Forwards to `target`, flipping one byte in every .ts body: a peer fed this way lies. */
async function startCorruptingProxy(target: string): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const r = await fetch(new URL(req.url ?? "/", target), { headers: { "x-meter-tag": "liars" } });
      const body = Buffer.from(await r.arrayBuffer());
      if ((req.url ?? "").split("?")[0]!.endsWith(".ts") && body.length > 100) body[100] = body[100]! ^ 0xff;
      res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/octet-stream" });
      res.end(body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe("a lying peer", () => {
  it("gets its bad segments rejected by the SHA-256 check, and the honest viewer plays only good bytes", async () => {
    const spec = buildVariant("edgeswarm", CHANNEL);
    const corrupting = await startCorruptingProxy(meter.url);
    // The liar does not verify (its bad bytes came over HTTP, which is trusted) and shares
    // them. Its playlist URL differs, so both set the same swarm id, as a page can.
    const core = { ...spec.core, swarmId: "liar-test" };
    // Two liars: node-datachannel occasionally fails one connection attempt ("remote
    // candidate without ICE transport"), and one peer pair gets one offer per announce.
    /** A viewer of the liars' swarm: `integrity` false for a liar, which checks nothing. */
    const viewer = (id: string, origin: string, integrity: boolean) =>
      new VirtualViewer({
        id,
        masterUrl: `${origin}${STREAM}`,
        core,
        announceTrackers: [`${worker.wsUrl}/announce/${CHANNEL}`],
        integrity,
        player: spec.player,
        windowsFor: spec.windowsFor,
      });
    const liars = [1, 2].map((i) => viewer(`liar-${i}`, corrupting.url, false));
    const honestViewer = (attempt: number) => viewer(`honest-${attempt}`, meter.url, true);
    let h: ViewerStats | undefined;
    try {
      for (const l of liars) await l.start();
      await new Promise((r) => setTimeout(r, LIAR_LEAD_MS));
      // A viewer that took no peer bytes at all was never offered the lie (a loaded machine:
      // one CI run saw 2 peers, 0 P2P bytes, every segment over HTTP); a fresh one gets a
      // second chance. Only a viewer that took peer bytes is judged below.
      for (let attempt = 1; attempt <= 2; attempt++) {
        const honest = honestViewer(attempt);
        await honest.start();
        await new Promise((r) => setTimeout(r, HONEST_WATCH_MS));
        h = honest.stop();
        if (h.p2pBytes + h.integrityRejects > 0) break;
        console.log(`honest viewer ${attempt} took no peer bytes: ${JSON.stringify(h)}`);
      }
    } finally {
      for (const l of liars) l.stop();
      await corrupting.stop();
    }
    h = h!;
    expect(h.integrityRejects, JSON.stringify(h)).toBeGreaterThan(0);
    expect(h.corruptPlayed).toBe(0);
    expect(h.stalls).toBe(0);
    expect(h.segmentsBuffered).toBeGreaterThan(5);
  });
});
