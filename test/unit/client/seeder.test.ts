// Edge seeding: which live segments a viewer claims, and what it does with each answer
// the Worker can give (served, refused with 204, altered bytes), against a real HTTP server.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { claimUrl } from "../../../shared/claim";
import { EdgeSeeder, awaitHandover, bytesRequest, pickClaims, type SeedPlaylist, type SeedSegment } from "../../../client/seeder";
import { SegmentStore } from "../../../client/segment-store";
import { withToken } from "../../../client/viewer-token";

const hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
/**
 * fetch that records every request the seeder makes, so a test can wait until each one has
 * been answered and settled in the seeder's counters (granted, denied or failed), and knows
 * that nothing else was asked: the seeder starts its claims synchronously in onPlaylist.
 */
function countingFetch() {
  const calls: string[] = [];
  const f: typeof fetch = (input, init) => {
    calls.push(String(input));
    return fetch(input, init);
  };
  return { calls, fetch: f };
}
const settled = (s: EdgeSeeder) => s.counters.granted + s.counters.denied + s.counters.failed;

const seg = (i: number, sha256: string | undefined = "a".repeat(64)): SeedSegment => ({
  url: `http://h/live/c/hi/${i}.ts`,
  externalId: i,
  start: i * 2,
  end: i * 2 + 2,
  sha256,
});

describe("pickClaims", () => {
  const none = () => false;
  it("claims only segments starting at least minLead seconds after the playhead", () => {
    const picked = pickClaims([seg(0), seg(1), seg(2), seg(3), seg(4)], 2, 3, none, none, 10);
    // starts 6 and 8 ≥ 2 + 3; start 4 is not (hls.js may already be asking for it)
    expect(picked.map((s) => s.externalId)).toEqual([3, 4]);
  });
  it("never claims a segment without a published hash", () => {
    expect(pickClaims([{ ...seg(5), sha256: undefined }], 0, 3, none, none, 10)).toEqual([]);
  });
  it("skips segments already tried or already held, and fills only the free slots", () => {
    const picked = pickClaims(
      [seg(5), seg(6), seg(7), seg(8)],
      0,
      3,
      (u) => u.endsWith("/5.ts"),
      (id) => id === 6,
      1,
    );
    expect(picked.map((s) => s.externalId)).toEqual([7]);
  });
});

describe("claimUrl", () => {
  it("adds es_claim and keeps the segment's own query (per-viewer tokens)", () => {
    expect(claimUrl("https://w/live/x/hi/9.ts?token=abc", "x")).toBe("https://w/live/x/hi/9.ts?token=abc&es_claim=x");
  });
});

describe("EdgeSeeder against an HTTP server", () => {
  const good = new Uint8Array(5000).map((_, i) => i & 0xff);
  let server: Server;
  let base = "";
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? "");
      if (req.url?.startsWith("/taken/") && req.url.includes("es_claim=")) {
        res.writeHead(204, { "x-edgeswarm-claim": "denied" }).end();
      } else if (req.url?.startsWith("/altered/")) {
        res.writeHead(200).end(Buffer.from(good).reverse());
      } else if (req.url?.startsWith("/slow/")) {
        // A slow link: the core's own request for the segment arrives while the claim is still loading.
        res.writeHead(200, { "x-edgeswarm-claim": "granted" });
        res.write(Buffer.from(good).subarray(0, 100));
        setTimeout(() => res.end(Buffer.from(good).subarray(100)), 150);
      } else if (req.url?.startsWith("/foreign/")) {
        res.writeHead(200).end(Buffer.from(good)); // an origin that ignores es_claim
      } else {
        res.writeHead(200, { "x-edgeswarm-claim": "granted" }).end(Buffer.from(good));
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  async function run(path: string, gate?: () => boolean) {
    const store = new SegmentStore();
    store.onSegmentRequested("sw", "v2-sw-main-a");
    const stored: number[] = [];
    store.setSegmentChangeCallback(() => stored.push(1));
    let http = 0;
    const counted = countingFetch();
    const seeder = new EdgeSeeder(() => store, "chan", { fetch: counted.fetch, onHttpBytes: (n) => (http += n), ...(gate ? { gate } : {}) });
    const playlist: SeedPlaylist = {
      swarmId: "sw",
      streamId: "v2-sw-main-a",
      streamType: "main",
      live: true,
      segments: [{ url: `${base}/${path}/10.ts`, externalId: 10, start: 20, end: 22, sha256: hex(good) }],
      minLead: 3,
    };
    seeder.onPlaylist(playlist, 10);
    seeder.onPlaylist(playlist, 10); // a second refresh must not ask again
    // Every claim the seeder started has been answered and counted.
    await vi.waitFor(() => expect(settled(seeder)).toBe(counted.calls.length));
    return { store, seeder, http, stored, calls: counted.calls };
  }

  it("stores a served segment whose bytes match its hash, so the core announces it, and counts its HTTP bytes", async () => {
    const { store, seeder, http, stored } = await run("ok");
    expect(seeder.counters).toEqual({ granted: 1, denied: 0, handed: 0, failed: 0, httpBytes: good.byteLength });
    expect(http).toBe(good.byteLength);
    expect(store.hasSegment("sw", "v2-sw-main-a", 10)).toBe(true);
    expect(stored.length).toBe(1);
    expect(seen.filter((u) => u.startsWith("/ok/"))).toEqual(["/ok/10.ts?es_claim=chan"]);
  });

  it("takes a denied claim as 'someone else seeds it': nothing stored, asked once", async () => {
    const { store, seeder } = await run("taken");
    expect(seeder.counters).toMatchObject({ granted: 0, denied: 1, httpBytes: 0 });
    expect(store.hasSegment("sw", "v2-sw-main-a", 10)).toBe(false);
    expect(seen.filter((u) => u.startsWith("/taken/")).length).toBe(1);
  });

  it("leaves a denied segment to peers and the core: no second request, with or without a claim", async () => {
    const { seeder, calls } = await run("taken");
    const before = seen.length;
    const asked = calls.length;
    seeder.onPlaylist(
      {
        swarmId: "sw",
        streamId: "v2-sw-main-a",
        streamType: "main",
        live: true,
        segments: [{ url: `${base}/taken/10.ts`, externalId: 10, start: 20, end: 22, sha256: "b".repeat(64) }],
        minLead: 3,
      },
      17,
    );
    // Claims start inside onPlaylist: none started means none will reach the server.
    expect(calls.length).toBe(asked);
    await vi.waitFor(() => expect(settled(seeder)).toBe(calls.length));
    expect(seeder.counters).toMatchObject({ granted: 0, denied: 1 });
    expect(seen.length).toBe(before);
  });

  it("hands a won segment's bytes to the core's own request for it, so the origin sends it once", async () => {
    const before = seen.filter((u) => u.startsWith("/ok/10.ts")).length;
    const { seeder, http } = await run("ok");
    const req = await seeder.handoverRequest(`${base}/ok/10.ts`, new AbortController().signal);
    const data = req ? await (await fetch(req)).arrayBuffer() : undefined;
    expect(data && Buffer.from(data).equals(Buffer.from(good))).toBe(true);
    expect(seeder.counters).toMatchObject({ granted: 1, handed: 1, httpBytes: good.byteLength });
    expect(http).toBe(good.byteLength);
    expect(seen.filter((u) => u.startsWith("/ok/10.ts")).length - before).toBe(1);
    // The core reports those bytes as HTTP again; they crossed the origin once, so they count once.
    expect(seeder.originBytes(good.byteLength) + seeder.originBytes(100)).toBe(100);
    // A byte-range request is never handed over.
    expect(await seeder.handoverRequest(`${base}/ok/10.ts`, new AbortController().signal, true)).toBeUndefined();
  });

  it("makes a core request for a segment still being claimed wait for the claim's bytes instead of fetching again", async () => {
    const store = new SegmentStore();
    store.onSegmentRequested("sw", "v2-sw-main-a");
    const seeder = new EdgeSeeder(() => store, "chan", { fetch });
    const url = `${base}/slow/11.ts`;
    seeder.onPlaylist(
      {
        swarmId: "sw",
        streamId: "v2-sw-main-a",
        streamType: "main",
        live: true,
        segments: [{ url, externalId: 11, start: 22, end: 24, sha256: hex(good) }],
        minLead: 3,
      },
      10,
    );
    const pending = seeder.handover(url);
    expect(pending).toBeDefined(); // asked while the claim is in flight
    const data = await pending;
    expect(data?.byteLength).toBe(good.byteLength);
    expect(store.hasSegment("sw", "v2-sw-main-a", 11)).toBe(true); // peers get it too
    expect(seen.filter((u) => u.startsWith("/slow/11.ts")).length).toBe(1);
  });

  it("sends its claims with the viewer token (authed), and keeps won segments under their playlist URL", async () => {
    const store = new SegmentStore();
    store.onSegmentRequested("sw", "v2-sw-main-a");
    const authed = (u: string) => withToken(u, "t.o.k", base);
    const seeder = new EdgeSeeder(() => store, "chan", { fetch, authed });
    const url = `${base}/tok/12.ts`;
    seeder.onPlaylist(
      {
        swarmId: "sw",
        streamId: "v2-sw-main-a",
        streamType: "main",
        live: true,
        segments: [{ url, externalId: 12, start: 24, end: 26, sha256: hex(good) }],
        minLead: 3,
      },
      10,
    );
    expect((await seeder.handover(url))?.byteLength).toBe(good.byteLength);
    expect(seen.filter((u) => u.startsWith("/tok/"))).toEqual(["/tok/12.ts?es_claim=chan&token=t.o.k"]);
  });

  it("has nothing to hand over for a segment it lost, failed to verify, or never claimed", async () => {
    const { seeder } = await run("taken");
    expect(seeder.handover(`${base}/taken/10.ts`)).toBeUndefined();
    const altered = await run("altered");
    expect(altered.seeder.handover(`${base}/altered/10.ts`)).toBeUndefined();
    expect(seeder.handover(`${base}/never/1.ts`)).toBeUndefined();
  });

  it("claims nothing while its gate (the claim policy) says claiming cannot help", async () => {
    const before = seen.filter((u) => u.startsWith("/gated/")).length;
    const { seeder, store } = await run("gated", () => false);
    expect(seen.filter((u) => u.startsWith("/gated/")).length).toBe(before);
    expect(seeder.counters).toMatchObject({ granted: 0, denied: 0, failed: 0 });
    expect(store.hasSegment("sw", "v2-sw-main-a", 10)).toBe(false);
  });

  it("bytesRequest gives the core's loader the exact bytes without the network", async () => {
    const res = await fetch(bytesRequest(good.slice().buffer));
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(good))).toBe(true);
  });

  it("stops claiming on an origin that serves claims without marking them granted (it does not lease)", async () => {
    const { seeder, store, calls } = await run("foreign");
    expect(seeder.unsupported).toBe(true);
    expect(store.hasSegment("sw", "v2-sw-main-a", 10)).toBe(true); // already paid for: kept
    const before = seen.length;
    const asked = calls.length;
    seeder.onPlaylist(
      { swarmId: "sw", streamId: "v2-sw-main-a", streamType: "main", live: true, segments: [{ ...seg(20), url: `${base}/ok/20.ts` }], minLead: 3 },
      10,
    );
    // Claims start inside onPlaylist: none started means none will reach the server.
    expect(calls.length).toBe(asked);
    expect(seen.length).toBe(before); // a claiming seeder would have asked for /ok/20.ts
  });

  it("never stores bytes that do not match the playlist's hash", async () => {
    const { store, seeder } = await run("altered");
    expect(seeder.counters).toMatchObject({ granted: 0, failed: 1 });
    expect(store.hasSegment("sw", "v2-sw-main-a", 10)).toBe(false);
  });

  it("does nothing for a stream the core has not registered yet, or for VOD", () => {
    const store = new SegmentStore();
    const seeder = new EdgeSeeder(() => store, "chan", { fetch });
    const p: SeedPlaylist = { swarmId: "sw", streamId: "v2-sw-main-z", streamType: "main", live: true, segments: [seg(50)], minLead: 3 };
    seeder.onPlaylist(p, 0);
    store.onSegmentRequested("sw", "v2-sw-main-z");
    seeder.onPlaylist({ ...p, live: false }, 0);
    expect(seen.some((u) => u.includes("/50.ts"))).toBe(false);
  });
});

describe("awaitHandover", () => {
  const bytes = new ArrayBuffer(4);
  it("gives the claim's bytes when they come in time", async () => {
    expect(await awaitHandover(Promise.resolve(bytes), new AbortController().signal, 1000)).toBe(bytes);
  });
  it("gives up on a claim that is stuck, so the core fetches for itself (a claim never costs a stall)", async () => {
    expect(await awaitHandover(new Promise(() => {}), new AbortController().signal, 30)).toBeUndefined();
  });
  it("gives up at once when the core aborts its request, and on a failed claim", async () => {
    const a = new AbortController();
    const p = awaitHandover(new Promise(() => {}), a.signal, 60_000);
    a.abort();
    expect(await p).toBeUndefined();
    expect(await awaitHandover(Promise.reject(new Error("x")), new AbortController().signal, 60_000)).toBeUndefined();
  });
});
