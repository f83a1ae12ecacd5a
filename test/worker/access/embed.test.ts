// The embed allowlist inside workerd, through the Worker's own fetch handler with a copy of
// the pool's env: with ALLOWED_ORIGINS set, a page of another origin cannot join the tracker,
// report stats or claim a segment (403 { error }, nothing recorded); allowed pages and the
// Worker's own pages can; unset keeps everything open.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../../worker/index";
import type { Env } from "../../../worker/env";
import { CLAIM_HEADER, CLAIM_PARAM } from "../../../shared/claim";
import { REPORT_VERSION } from "../../../shared/stats-report";
import { shardName as statsShard, shardOf } from "../../../worker/stats/aggregate";
import { STATS_SHARDS } from "../../../worker/stats/limits";

const bindings: Env = env;
const SITE = "https://site.example";
const EVIL = "https://evil.example";
const BASE = "https://edgeswarm.test";
const gated: Env = { ...bindings, ALLOWED_ORIGINS: `https://other.example, ${SITE}` };
let seq = 0;

function call(e: Env, path: string, init: RequestInit = {}): Promise<Response> {
  return worker.fetch(new Request(`${BASE}${path}`, init), e, createExecutionContext());
}

async function upgrade(e: Env, origin: string | null): Promise<Response> {
  const headers: Record<string, string> = { upgrade: "websocket" };
  if (origin !== null) headers.origin = origin;
  const r = await call(e, `/announce/embed-${seq++}`, { headers });
  if (r.webSocket) {
    r.webSocket.accept();
    r.webSocket.close(1000, "done");
  }
  return r;
}

/** The tracker has seen `peer` on `stream` (what a TrackerShard tells the stats hub): these reports are about the embed gate. */
async function seen(stream: string, peer: string): Promise<void> {
  await bindings.STATS.get(bindings.STATS.idFromName(statsShard(shardOf(stream, STATS_SHARDS)))).witness(stream, [peer], Date.now());
}

async function reportFrom(e: Env, origin: string | null, stream: string): Promise<Response> {
  const viewer = `embed-viewer-${seq++}`;
  const peer = viewer.padEnd(20, "_").slice(0, 20);
  await seen(stream, peer);
  const headers: Record<string, string> = { "content-type": "text/plain", "cf-connecting-ip": "198.51.100.77" };
  if (origin !== null) headers.origin = origin;
  return call(e, "/api/report", {
    method: "POST",
    headers,
    body: JSON.stringify({ v: REPORT_VERSION, stream, viewer, peer, http: 10, p2p: 0, up: 0, peers: 0 }),
  });
}

async function liveSegmentPath(): Promise<string> {
  const playlist = await (await call(bindings, "/live/loop/360p/index.m3u8")).text();
  const name = playlist.split("\n").find((l) => l && !l.startsWith("#"))!;
  return `/live/loop/360p/${name}`;
}

async function reportedViewers(stream: string): Promise<number> {
  const r = (await (await call(bindings, `/api/stats?stream=${stream}`)).json()) as { streams: { viewers: number }[] };
  return r.streams[0]?.viewers ?? 0;
}

describe("embed allowlist (ALLOWED_ORIGINS)", () => {
  it("refuses a tracker upgrade from another origin or without an Origin, accepts listed and own origins", async () => {
    for (const bad of [EVIL, "null", null, `${SITE}.evil.example`, "http://site.example"]) {
      const r = await upgrade(gated, bad);
      expect(r.status, String(bad)).toBe(403);
      expect(((await r.json()) as { error: string }).error).toMatch(/tracker/);
    }
    for (const good of [SITE, "https://other.example", BASE]) expect((await upgrade(gated, good)).status, good).toBe(101);
  });

  it("refuses a stats report from another origin and records nothing; an allowed page's report counts", async () => {
    const stream = `embed-stats-${Date.now().toString(36)}`;
    const bad = await reportFrom(gated, EVIL, stream);
    expect(bad.status).toBe(403);
    expect(((await bad.json()) as { error: string }).error).toMatch(/evil\.example.*report/);
    const none = await reportFrom(gated, null, stream);
    expect(none.status).toBe(403);
    await none.arrayBuffer();
    expect(await reportedViewers(stream)).toBe(0);
    const ok = await reportFrom(gated, SITE, stream);
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    expect(await reportedViewers(stream)).toBe(1);
  });

  it("refuses a claim from another origin without recording a lease; the same-origin page may claim", async () => {
    const seg = await liveSegmentPath();
    // The tracker has seen this viewer (requests here carry no address: "unknown"); the test is about the embed gate.
    await bindings.LEASES.getByName("loop").witness(["unknown"]);
    const bad = await call(gated, `${seg}?${CLAIM_PARAM}=loop`, { headers: { origin: EVIL } });
    expect(bad.status).toBe(403);
    expect(bad.headers.get(CLAIM_HEADER)).toBeNull();
    await bad.arrayBuffer();
    // The first claim that gets through is granted: the refused one took no lease.
    const own = await call(gated, `${seg}?${CLAIM_PARAM}=loop`);
    expect(own.status).toBe(200);
    expect(own.headers.get(CLAIM_HEADER)).toBe("granted");
    await own.arrayBuffer();
    // A plain segment GET (no claim) from any page is not gated: players may fetch media.
    const plain = await call(gated, seg, { headers: { origin: EVIL } });
    expect(plain.status).toBe(200);
    await plain.arrayBuffer();
  });

  it("is open when ALLOWED_ORIGINS is unset or empty", async () => {
    for (const e of [
      { ...bindings, ALLOWED_ORIGINS: undefined },
      { ...bindings, ALLOWED_ORIGINS: "" },
    ]) {
      expect((await upgrade(e, EVIL)).status).toBe(101);
      const r = await reportFrom(e, EVIL, `embed-open-${seq++}`);
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
  });
});
