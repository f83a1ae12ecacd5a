// POST /api/report and GET /api/stats inside workerd: every bad report gets a 4xx { error }
// and changes nothing; good reports aggregate per stream; bounds and expiry hold. A new viewer
// counts only once the tracker has seen its peer_id on the stream (or with a viewer token):
// tests about the hub itself tell it so over the hub's witness RPC (what a TrackerShard
// calls), and "the tracker as witness" below goes through a real tracker WebSocket.
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { VIEWER_TTL_MS } from "../../../shared/limits";
import {
  FRESH_BURST_PER_CLIENT,
  MAX_REPORT_BYTES,
  MAX_STREAMS_PER_SHARD,
  MAX_VIEWERS_PER_STREAM,
  STATS_SHARDS,
  STREAM_TTL_MS,
} from "../../../worker/stats/limits";
import { maxDownload, shardName, shardOf } from "../../../worker/stats/aggregate";
import { StatsHub } from "../../../worker/stats/durable-object";
import { WITNESS_TTL_MS } from "../../../worker/tracker/limits";
import { announce, connect, id20 } from "../tracker/ws-client";
import { parseReport, type Report } from "../../../shared/stats-report";
import type { Env } from "../../../worker/env";

// The bindings as the Worker's code types them.
const bindings: Env = env;

const BASE = "http://edgeswarm.test";
let seq = 0;
/** A fresh stream name per test, so tests never see each other's rows. */
const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${seq++}`;

/** The tracker peer_id a test viewer announces with: its viewer id, padded to 20 chars. */
const peerOf = (viewer: string) => viewer.padEnd(20, "_").slice(0, 20);

/** What a TrackerShard tells the hub once `peers` announced on `stream` (witness RPC). */
function witness(stream: string, peers: string[], now = Date.now()) {
  return shardFor(stream).witness(stream, peers, now);
}

/**
 * Posts a report through the Worker. Unless `seen` is false, the tracker is first made to
 * have seen the report's peer_id on its stream at the report's time (tests about the hub).
 */
async function post(body: unknown, opts: { now?: number; type?: string; raw?: string; ip?: string; seen?: boolean } = {}) {
  const r = body as { stream?: unknown; peer?: unknown } | null;
  if (opts.seen !== false && typeof r?.stream === "string" && typeof r.peer === "string") await witness(r.stream, [r.peer], opts.now);
  const headers: Record<string, string> = { "content-type": opts.type ?? "text/plain" };
  if (opts.now !== undefined) headers["x-edgeswarm-test-now"] = String(opts.now);
  if (opts.ip !== undefined) headers["cf-connecting-ip"] = opts.ip;
  return exports.default.fetch(`${BASE}/api/report`, { method: "POST", headers, body: opts.raw ?? JSON.stringify(body) });
}

async function stats(stream?: string, now?: number) {
  const headers: Record<string, string> = {};
  if (now !== undefined) headers["x-edgeswarm-test-now"] = String(now);
  const r = await exports.default.fetch(`${BASE}/api/stats${stream ? `?stream=${stream}` : ""}`, { headers });
  expect(r.status).toBe(200);
  return (await r.json()) as { streams: Array<Record<string, unknown>>; totals: Record<string, unknown> };
}

const report = (stream: string, viewer: string, over: Record<string, unknown> = {}) => ({
  v: 1,
  stream,
  viewer,
  peer: peerOf(viewer),
  http: 1000,
  p2p: 3000,
  up: 500,
  peers: 2,
  errors: { "p2p-hash-mismatch": 1 },
  ...over,
});

async function expectError(r: Response, status: number, re: RegExp) {
  expect(r.status).toBe(status);
  expect(r.headers.get("content-type")).toMatch(/application\/json/);
  const body = (await r.json()) as { error: string };
  expect(body.error).toMatch(re);
}

describe("POST /api/report refusals", () => {
  it("refuses GET on /api/report with 405", async () => {
    await expectError(await exports.default.fetch(`${BASE}/api/report`), 405, /POST/);
  });
  it("refuses an unknown /api route with 404", async () => {
    await expectError(await exports.default.fetch(`${BASE}/api/nope`), 404, /no such/);
  });
  it("refuses a form content-type with 415", async () => {
    await expectError(await post(report("s", "viewer-0001"), { type: "application/x-www-form-urlencoded" }), 415, /content-type/);
  });
  it("refuses a body over the cap with 413", async () => {
    await expectError(await post(null, { raw: "x".repeat(MAX_REPORT_BYTES + 1) }), 413, /larger/);
  });
  it("refuses broken JSON with 400", async () => {
    await expectError(await post(null, { raw: '{"v":1,' }), 400, /not valid JSON/);
  });
  it("refuses a report with a bad field with 400 and records nothing", async () => {
    const s = uniq("bad");
    await expectError(await post(report(s, "viewer-0001", { http: -5 })), 400, /http must be/);
    await expectError(await post(report(s, "no")), 400, /viewer/);
    await expectError(await post(report(s, "viewer-0001", { errors: { nope: 1 } })), 400, /unknown error type/);
    expect((await stats(s)).streams).toEqual([]);
  });
  it("refuses counters that go backwards with 409 and keeps the old totals", async () => {
    const s = uniq("back");
    const t = 1_000_000;
    expect((await post(report(s, "viewer-0001"), { now: t })).status).toBe(200);
    await expectError(await post(report(s, "viewer-0001", { p2p: 10 }), { now: t + 5000 }), 409, /backwards/);
    expect((await stats(s, t + 5000)).streams[0]).toMatchObject({ p2pBytes: 3000 });
  });
  it("refuses an implausible jump with 422", async () => {
    const s = uniq("jump");
    const t = 2_000_000;
    expect((await post(report(s, "viewer-0001"), { now: t })).status).toBe(200);
    await expectError(await post(report(s, "viewer-0001", { p2p: 2 ** 50 }), { now: t + 1000 }), 422, /faster/);
  });
  it("refuses a bad ?stream= on GET /api/stats with 400", async () => {
    await expectError(await exports.default.fetch(`${BASE}/api/stats?stream=../etc`), 400, /stream/);
  });
});

describe("aggregation", () => {
  it("answers a good report with the next report interval", async () => {
    const r = await post(report(uniq("ok"), "viewer-0001"));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ok: true, next: 5000 });
  });

  it("sums viewers of a stream, and a repeated report does not double count", async () => {
    const s = uniq("sum");
    const t = 3_000_000;
    await post(report(s, "viewer-000A"), { now: t });
    await post(report(s, "viewer-000A"), { now: t + 1000 });
    await post(report(s, "viewer-000B", { http: 0, p2p: 4000, up: 0, peers: 1, errors: {} }), { now: t + 1000 });
    const got = (await stats(s, t + 2000)).streams[0]!;
    expect(got).toMatchObject({ stream: s, viewers: 2, peers: 3, httpBytes: 1000, p2pBytes: 7000, uploadedBytes: 500, bytesSaved: 7000 });
    expect(got.offload).toBeCloseTo(7000 / 8000, 10);
    expect((got.errors as Record<string, number>)["p2p-hash-mismatch"]).toBe(1);
  });

  it("lists every stream in GET /api/stats with totals across streams", async () => {
    const a = uniq("lista");
    const b = uniq("listb");
    const t = Date.now();
    await post(report(a, "viewer-0001"), { now: t });
    await post(report(b, "viewer-0001"), { now: t });
    const all = await stats(undefined, t);
    const names = all.streams.map((s) => s.stream);
    expect(names).toContain(a);
    expect(names).toContain(b);
    expect(all.totals.viewers as number).toBeGreaterThanOrEqual(2);
  });

  it("expires a silent viewer after the TTL but keeps its bytes in the stream", async () => {
    const s = uniq("ttl");
    const t = 5_000_000;
    await post(report(s, "viewer-0001"), { now: t });
    await post(report(s, "viewer-0002"), { now: t + VIEWER_TTL_MS });
    const later = (await stats(s, t + VIEWER_TTL_MS + 1)).streams[0]!;
    expect(later).toMatchObject({ viewers: 1, httpBytes: 2000, p2pBytes: 6000 });
    // A client silent past the TTL rotates its id and reports only bytes since its last
    // acknowledged report (client/reporter.ts), so nothing is lost or counted twice.
    await post(report(s, "viewer-0003", { http: 500, p2p: 0, up: 0, errors: {} }), { now: t + VIEWER_TTL_MS + 2 });
    expect((await stats(s, t + VIEWER_TTL_MS + 3)).streams[0]).toMatchObject({ viewers: 2, httpBytes: 2500, p2pBytes: 6000 });
  });
});

// Bounds need thousands of reports. The pool's exports.default.fetch slows down quadratically over a
// few hundred requests, so these talk to the shard object over RPC (what index.ts calls
// after parsing); the HTTP mapping of each outcome is covered above.
function shardFor(stream: string) {
  return bindings.STATS.get(bindings.STATS.idFromName(shardName(shardOf(stream, STATS_SHARDS))));
}
const parsed = (stream: string, viewer: string, over: Record<string, unknown> = {}): Report => {
  const r = parseReport(report(stream, viewer, over));
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

/** A distinct documentation address per simulated viewer, so per-address budgets do not apply. */
const addr = (i: number) => `198.18.${i >> 8}.${i & 255}`;

describe("bounds", () => {
  it("refuses a new viewer beyond MAX_VIEWERS_PER_STREAM with 429, while known viewers still report", async () => {
    const s = uniq("crowd");
    const hub = shardFor(s);
    const t = 10_000_000;
    const ids = Array.from({ length: MAX_VIEWERS_PER_STREAM }, (_, i) => `viewer-${String(i).padStart(6, "0")}`);
    await witness(s, [...ids, "viewer-late-one"].map(peerOf), t);
    for (let i = 0; i < MAX_VIEWERS_PER_STREAM; i++) {
      const out = await hub.report(parsed(s, `viewer-${String(i).padStart(6, "0")}`), t, addr(i));
      if (!out.ok) throw new Error(`viewer ${i} refused: ${out.error}`);
    }
    expect(await hub.report(parsed(s, "viewer-late-one"), t, "192.0.2.1")).toEqual({
      ok: false,
      status: 429,
      error: "too many viewers reporting for this stream",
    });
    expect((await hub.report(parsed(s, "viewer-000000", { http: 2000 }), t + 1000, addr(0))).ok).toBe(true);
    expect((await stats(s, t + 1000)).streams[0]).toMatchObject({ viewers: MAX_VIEWERS_PER_STREAM });
  }, 180_000);

  it("refuses a new stream when a shard is full of live streams (503), then evicts an idle one", async () => {
    const t = Date.now() + 2 * STREAM_TTL_MS; // past every other test's clock, so their streams are gone
    const target = shardOf("fill-0", STATS_SHARDS);
    const names: string[] = [];
    for (let i = 0; names.length < MAX_STREAMS_PER_SHARD + 1; i++) {
      const n = `fill-${i}`;
      if (shardOf(n, STATS_SHARDS) === target) names.push(n);
    }
    const last = names.pop()!;
    const hub = shardFor(last);
    for (const n of [...names, last]) await witness(n, [peerOf("viewer-0001")], t);
    for (const [i, n] of names.entries()) expect((await hub.report(parsed(n, "viewer-0001"), t, addr(i))).ok).toBe(true);
    expect(await hub.report(parsed(last, "viewer-0001"), t, "192.0.2.1")).toEqual({
      ok: false,
      status: 503,
      error: "too many streams are being tracked; try later",
    });
    // The refusal over HTTP is the same 503 { error }.
    await expectError(await post(report(last, "viewer-0001"), { now: t }), 503, /too many streams/);
    // Once those viewers go silent their streams are idle, and the oldest one makes room.
    expect((await hub.report(parsed(last, "viewer-0001"), t + VIEWER_TTL_MS + 1, "192.0.2.1")).ok).toBe(true);
    const inShard = await hub.stats(t + VIEWER_TTL_MS + 2);
    expect(inShard.length).toBe(MAX_STREAMS_PER_SHARD);
    expect(inShard.map((x: { stream: string }) => x.stream)).toContain(last);
  }, 180_000);

  it("forgets a stream with no viewers after STREAM_TTL_MS", async () => {
    const s = uniq("gone");
    const t = 20_000_000;
    await post(report(s, "viewer-0001"), { now: t });
    expect((await stats(s, t + VIEWER_TTL_MS + 1)).streams).toHaveLength(1);
    expect((await stats(s, t + STREAM_TTL_MS + 1)).streams).toHaveLength(0);
  });

  it("keeps aggregates when the object is evicted from memory", async () => {
    const s = uniq("evict");
    const t = 30_000_000;
    await post(report(s, "viewer-0001"), { now: t });
    await abortAllDurableObjects();
    expect((await stats(s, t + 1)).streams[0]).toMatchObject({ viewers: 1, p2pBytes: 3000 });
  });
});

describe("per-address budgets (M1: fake viewers and stream names from one address)", () => {
  it("refuses one address's flood of new viewer ids with 429, while another address's viewer is counted", async () => {
    const s = uniq("flood-ids");
    const t = Date.now() + 10 * STREAM_TTL_MS;
    const flooder = "203.0.113.66";
    let accepted = 0;
    let refused: Response | null = null;
    for (let i = 0; i < FRESH_BURST_PER_CLIENT + 20; i++) {
      const r = await post(report(s, `fake-${String(i).padStart(4, "0")}`), { now: t, ip: flooder });
      if (r.status === 200) accepted++;
      else if (!refused) refused = r;
      else await r.arrayBuffer();
      if (r.status === 200) await r.arrayBuffer();
    }
    expect(accepted).toBe(FRESH_BURST_PER_CLIENT);
    await expectError(refused!, 429, /too many new viewers or streams from this address/);
    const honest = await post(report(s, "honest-viewer-1", { http: 4000, p2p: 6000 }), { now: t, ip: "198.51.100.20" });
    expect(honest.status).toBe(200);
    await honest.arrayBuffer();
    expect((await stats(s, t)).streams[0]).toMatchObject({ viewers: FRESH_BURST_PER_CLIENT + 1 });
  });

  it("refuses one address's flood of new stream names with 429, and a new stream from elsewhere is still tracked", async () => {
    const t = Date.now() + 12 * STREAM_TTL_MS;
    // Budgets are kept per stats shard (STATS_SHARDS of them), so the flood's names all land in one.
    const names: string[] = [];
    for (let i = 0; names.length < FRESH_BURST_PER_CLIENT + 10; i++) {
      const n = uniq(`flood-name-${i}`);
      if (shardOf(n, STATS_SHARDS) === 0) names.push(n);
    }
    const statuses: number[] = [];
    for (const [i, n] of names.entries()) {
      // Rotating the address inside one /64 does not buy a fresh budget.
      const r = await post(report(n, "viewer-0001"), { now: t, ip: `2001:db8:66:1::${(i + 1).toString(16)}` });
      statuses.push(r.status);
      await r.arrayBuffer();
    }
    expect(statuses.filter((x) => x === 200).length).toBe(FRESH_BURST_PER_CLIENT);
    expect(statuses.slice(FRESH_BURST_PER_CLIENT).every((x) => x === 429)).toBe(true);
    let mine = uniq("honest-stream");
    while (shardOf(mine, STATS_SHARDS) !== 0) mine = uniq("honest-stream");
    const r = await post(report(mine, "viewer-0001"), { now: t, ip: "198.51.100.21" });
    expect(r.status).toBe(200);
    await r.arrayBuffer();
    expect((await stats(mine, t)).streams[0]).toMatchObject({ viewers: 1 });
  });
});

describe("the tracker as witness (issue 14 item 3: only viewers the tracker has seen count)", () => {
  it("refuses a report from a peer the tracker never saw with 403 and stores nothing", async () => {
    const s = uniq("unseen");
    await expectError(await post(report(s, "viewer-0001"), { seen: false }), 403, /not seen by the tracker/);
    const { peer: _p, ...bare } = report(s, "viewer-0002");
    await expectError(await post(bare, { seen: false }), 403, /no tracker peer_id/);
    expect((await stats(s)).streams).toEqual([]);
  });

  it("refuses a peer_id the tracker saw on another stream", async () => {
    const s = uniq("elsewhere");
    await witness(uniq("other-stream"), [peerOf("viewer-0001")]);
    await expectError(await post(report(s, "viewer-0001"), { seen: false }), 403, /not seen by the tracker/);
    expect((await stats(s)).streams).toEqual([]);
  });

  it("counts a viewer once it announced on the stream's tracker over a real WebSocket", async () => {
    const s = uniq("seen");
    const peer = id20("seen-peer");
    const body = { ...report(s, "viewer-0001"), peer };
    // Before the announce the viewer is unknown.
    await expectError(await post(body, { seen: false }), 403, /not seen by the tracker/);
    const sock = await connect(`/announce/${s}`);
    sock.send(announce(id20("seen-hash"), peer, { event: "started" }));
    expect(await sock.next()).toMatchObject({ action: "announce" });
    // The shard pushes its sightings within WITNESS_FLUSH_MS (its alarm); the report then counts.
    await vi.waitFor(
      async () => {
        const r = await post(body, { seen: false });
        expect(r.status).toBe(200);
        await r.arrayBuffer();
      },
      { timeout: 5000, interval: 250 },
    );
    expect((await stats(s)).streams[0]).toMatchObject({ viewers: 1, p2pBytes: 3000 });
    sock.close();
  });

  it("counts a token-bearing report without the tracker (the Worker checked its viewer token)", async () => {
    const s = uniq("token");
    const { peer: _p, ...bare } = report(s, "viewer-0001");
    const r = parseReport(bare);
    if (!r.ok) throw new Error(r.reason);
    expect(await shardFor(s).report(r.value, Date.now(), "198.51.100.7", true)).toMatchObject({ ok: true });
    expect(await shardFor(s).report(parsed(s, "viewer-0002"), Date.now(), "198.51.100.7", false)).toMatchObject({ ok: false, status: 403 });
    expect((await stats(s)).streams[0]).toMatchObject({ viewers: 1 });
  });

  it("lets one peer_id back one viewer row at a time, so a copied peer_id cannot mint viewers", async () => {
    const s = uniq("one-peer");
    const t = 40_000_000;
    const peer = peerOf("honest-viewer");
    await witness(s, [peer], t);
    expect((await post({ ...report(s, "viewer-0001"), peer }, { now: t, seen: false })).status).toBe(200);
    for (let i = 2; i < 6; i++) {
      await expectError(
        await post({ ...report(s, `viewer-000${i}`), peer }, { now: t + i, ip: `203.0.113.${i}`, seen: false }),
        403,
        /already backs another viewer/,
      );
    }
    expect((await stats(s, t + 10)).streams[0]).toMatchObject({ viewers: 1, p2pBytes: 3000 });
    // The row it backs keeps reporting; once that row expires the peer_id may back a new one
    // (what an honest reporter does when it rotates its id).
    expect((await post({ ...report(s, "viewer-0001", { p2p: 4000 }), peer: peerOf("another-swarm-id") }, { now: t + 5000, seen: false })).status).toBe(200);
    expect((await post({ ...report(s, "viewer-0009"), peer }, { now: t + 5001 + VIEWER_TTL_MS, seen: false })).status).toBe(200);
  });

  it("trusts a sighting for WITNESS_TTL_MS only", async () => {
    const s = uniq("stale-sighting");
    const t = 50_000_000;
    await witness(s, [peerOf("viewer-0001"), peerOf("viewer-0002")], t);
    expect((await post(report(s, "viewer-0001"), { now: t + WITNESS_TTL_MS - 1, seen: false })).status).toBe(200);
    await expectError(await post(report(s, "viewer-0002"), { now: t + WITNESS_TTL_MS, seen: false }), 403, /not seen by the tracker/);
  });

  it("keeps its sightings when the object is evicted", async () => {
    const s = uniq("seen-evict");
    const t = 60_000_000;
    await witness(s, [peerOf("viewer-0001")], t);
    await abortAllDurableObjects();
    expect((await post(report(s, "viewer-0001"), { now: t + 1000, seen: false })).status).toBe(200);
    const rows = await runInDurableObject(shardFor(s), (o) =>
      o instanceof StatsHub ? o["sql"].exec("SELECT peer FROM viewers WHERE stream = ?", s).toArray() : [],
    );
    expect(rows).toHaveLength(1);
  });
});

describe("plausibility (issue 14 item 3: figures beyond bitrate × time are dropped)", () => {
  it("refuses a liar's report with 422 and keeps its previous row", async () => {
    const s = uniq("liar");
    const t = 70_000_000;
    expect((await post(report(s, "viewer-0001"), { now: t })).status).toBe(200);
    // Each step stays under the per-interval rate (MAX_BYTES_PER_SECOND × 5 s), but the total
    // soon exceeds what any viewer can download since it was first seen.
    const step = 1_000_000_000;
    expect((await post(report(s, "viewer-0001", { p2p: 3000 + step }), { now: t + 5000 })).status).toBe(200);
    expect(3000 + 2 * step).toBeGreaterThan(maxDownload(t, t + 10_000));
    await expectError(await post(report(s, "viewer-0001", { p2p: 3000 + 2 * step }), { now: t + 10_000 }), 422, /exceed what a viewer can download/);
    expect((await stats(s, t + 10_000)).streams[0]).toMatchObject({ viewers: 1, p2pBytes: 3000 + step });
  });
});
