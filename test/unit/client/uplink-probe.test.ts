// The uplink probe's measurement against a real HTTP server on loopback that reads request
// bodies at a set pace, as a capped uplink would let them through (the server answers only
// once it has read the whole body, so the client's timing is the server's pace). The lab's
// weak-first runs check the real thing on capped links (docs/fetchers.md).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeUplink } from "../../../client/uplink-probe";

const LIMITS = { warmBytes: 8 * 1024, bytes: 32 * 1024, timeoutS: 4 };

/** Reads `req` at `bytesPerS` (Infinity: as fast as it comes), then resolves. */
function readPaced(req: IncomingMessage, bytesPerS: number): Promise<void> {
  const t0 = performance.now();
  let total = 0;
  return new Promise((resolve) => {
    req.on("data", (chunk: Buffer) => {
      if (!Number.isFinite(bytesPerS)) return;
      // Held until the bytes so far are due at the pace, counted from the request's start.
      total += chunk.length;
      req.pause();
      setTimeout(() => req.resume(), Math.max(0, t0 + (total / bytesPerS) * 1000 - performance.now()));
    });
    req.on("end", resolve);
  });
}

describe("probeUplink", () => {
  let server: Server;
  let base = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? "";
      if (path === "/refuse") return void res.writeHead(403, { "content-type": "application/json" }).end('{"error":"no"}');
      if (path === "/hang") return; // never reads, never answers
      const pace = path === "/slow" ? 40 * 1024 : Infinity;
      void readPaced(req, pace).then(() => res.writeHead(204).end());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const probe = (path: string) => probeUplink({ fetch, url: `${base}${path}`, nowMs: () => performance.now() }, LIMITS);

  it("reads a paced 40 KiB/s uplink as about that, and an unpaced one as far faster", async () => {
    // The unpaced one first: a process's first fetch pays for setting up its client and
    // connection inside the warm-up's time (a page has its connection to the Worker open).
    const fast = await probe("/fast");
    const slow = await probe("/slow");
    console.log(`paced 40 KiB/s read as ${(slow! / 1024).toFixed(1)} KiB/s; unpaced as ${(fast! / 1024).toFixed(0)} KiB/s`);
    expect(slow).toBeGreaterThan(0.7 * 40 * 1024);
    expect(slow).toBeLessThan(1.3 * 40 * 1024);
    expect(fast).toBeGreaterThan(5 * slow!);
  });

  it("stops the second upload once it shows the rate is below the bar, reading at most 0.8 of the bar", async () => {
    const bar = 200 * 1024;
    const t0 = performance.now();
    const rate = await probeUplink({ fetch, url: `${base}/slow`, nowMs: () => performance.now(), bar }, LIMITS);
    const s = (performance.now() - t0) / 1000;
    // At 40 KiB/s the whole probe takes 1 s; stopped at 1.25 × 24 KiB / 200 KiB/s after the warm-up's 0.2 s.
    expect(s).toBeLessThan(0.7);
    expect(rate).toBeLessThanOrEqual(0.8 * bar * 1.01);
    // A bar the uplink clears: not stopped, the full reading.
    const clear = await probeUplink({ fetch, url: `${base}/slow`, nowMs: () => performance.now(), bar: 20 * 1024 }, LIMITS);
    expect(clear).toBeGreaterThan(0.7 * 40 * 1024);
  });

  it("past the time limit gives an upper bound: what was sent over the time it took", async () => {
    const t0 = performance.now();
    const rate = await probe("/hang");
    const s = (performance.now() - t0) / 1000;
    expect(s).toBeGreaterThanOrEqual(LIMITS.timeoutS - 0.05);
    expect(s).toBeLessThan(LIMITS.timeoutS + 1);
    expect(rate).toBeLessThanOrEqual((LIMITS.warmBytes / LIMITS.timeoutS) * 1.05);
  });

  it("gives no figure when the Worker refuses it or cannot be reached", async () => {
    expect(await probe("/refuse")).toBeNull();
    expect(await probeUplink({ fetch, url: "http://127.0.0.1:1/api/uplink", nowMs: () => performance.now() }, LIMITS)).toBeNull();
  });
});
