// GET /api/tracker/stats (global and ?channel=) through the Worker, and the
// test-only outage control (present only under EDGESWARM_TEST_HOOKS=1).
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { handleTrackerTestOutage } from "../../../worker/tracker/index";
import { MAX_STATS_FANOUT } from "../../../worker/tracker/limits";
import { announce, connect, id20, offers, SDP_ANSWER, testEnv } from "./ws-client";

async function stats(query = ""): Promise<Record<string, any>> {
  const res = await exports.default.fetch(`https://tracker.test/api/tracker/stats${query}`);
  expect(res.status).toBe(200);
  return res.json();
}

describe("tracker stats", () => {
  it("counts swarms, peers, sockets and messages by type for one channel and globally", async () => {
    const hash = id20("h-st");
    const a = await connect("/announce/stats-a");
    const b = await connect("/announce/stats-a");
    const c = await connect("/announce/stats-b");
    const pa = id20("a");
    const pb = id20("b");
    a.send(announce(hash, pa, { event: "started" }));
    await a.next();
    const [offer] = offers(1);
    b.send(announce(hash, pb, { event: "started", offers: [offer] }));
    await b.next();
    await a.next();
    a.send({ action: "announce", info_hash: hash, peer_id: pa, to_peer_id: pb, offer_id: offer!.offer_id, answer: SDP_ANSWER });
    await b.next();
    b.sendRaw("garbage");
    await b.next();
    c.send(announce(id20("h-other"), id20("c"), { event: "started" }));
    await c.next();

    const one = await stats("?channel=stats-a");
    expect(one).toMatchObject({
      scope: "channel",
      channel: "stats-a",
      shards: 1,
      swarms: 1,
      peers: 2,
      sockets: 2,
      messages: { announce: 2, started: 2, offerRelayed: 1, answerRelayed: 1, failure: 1, abuseClosed: 0 },
    });
    expect(one.perShard).toEqual([expect.objectContaining({ shard: "stats-a", channel: "stats-a" })]);

    const all = await stats();
    expect(all.scope).toBe("global");
    const names = all.perShard.map((s: { shard: string }) => s.shard);
    expect(names).toEqual(expect.arrayContaining(["stats-a", "stats-b"]));
    expect(all.peers).toBeGreaterThanOrEqual(3);
    expect(all.messages.announce).toBeGreaterThanOrEqual(3);
    a.close();
    b.close();
    c.close();
  });

  it("returns zeros for a channel nobody joined and 400 for an invalid channel", async () => {
    expect(await stats("?channel=nobody-here")).toMatchObject({ shards: 0, peers: 0, swarms: 0, sockets: 0 });
    const bad = await exports.default.fetch("https://tracker.test/api/tracker/stats?channel=a%20b");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "invalid channel: use [A-Za-z0-9_-]{1,64}" });
  });
});

describe("stats fan-out cap", () => {
  it("MAX_STATS_FANOUT: the global view reads at most that many shards and says it truncated", async () => {
    const socks = await Promise.all(Array.from({ length: MAX_STATS_FANOUT + 1 }, (_, i) => connect(`/announce/fan-${i}`)));
    const all = await stats();
    expect(all).toMatchObject({ scope: "global", shards: MAX_STATS_FANOUT, truncated: true, unreachable: 0 });
    for (const s of socks) s.close();
  }, 30_000); // 65 connections, each routed through its channel's directory object
});

describe("test-outage control", () => {
  const call = (q: string, e: typeof testEnv = testEnv, method = "POST") =>
    handleTrackerTestOutage(new Request(`https://tracker.test/api/tracker/test-outage${q}`, { method }), e);

  it("refuses new sockets with 503, closes existing ones on close, and recovers on ok", async () => {
    const live = await connect("/announce/outage");
    let res = await call("?channel=outage&mode=refuse");
    expect(await res.json()).toEqual({ channel: "outage", shard: "outage", mode: "refuse", closed: 0 });
    const refused = await exports.default.fetch("https://tracker.test/announce/outage", { headers: { upgrade: "websocket" } });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: "tracker unavailable" });
    // refuse leaves existing sockets alone
    live.send(announce(id20("h-out"), id20("p"), { event: "started" }));
    expect(await live.next()).toMatchObject({ action: "announce" });

    res = await call("?channel=outage&mode=close");
    expect(await res.json()).toMatchObject({ mode: "close", closed: 1 });
    expect(await live.closed).toEqual({ code: 1013, reason: "tracker outage" });
    expect((await exports.default.fetch("https://tracker.test/announce/outage", { headers: { upgrade: "websocket" } })).status).toBe(503);

    res = await call("?channel=outage&mode=ok");
    expect(await res.json()).toMatchObject({ mode: "ok" });
    const back = await connect("/announce/outage");
    back.send(announce(id20("h-out"), id20("p2"), { event: "started" }));
    expect(await back.next()).toMatchObject({ action: "announce", incomplete: 1 });
    back.close();
  });

  it("does not exist (404) when EDGESWARM_TEST_HOOKS is not 1", async () => {
    for (const hooks of [undefined, "0", "true"]) {
      const res = await call("?channel=outage&mode=refuse", { ...testEnv, EDGESWARM_TEST_HOOKS: hooks });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: "not found" });
    }
    const ok = await exports.default.fetch("https://tracker.test/announce/outage", { headers: { upgrade: "websocket" } });
    expect(ok.status).toBe(101);
    ok.webSocket?.accept();
    ok.webSocket?.close(1000, "bye");
  });

  it("is routed by the Worker at POST /api/tracker/test-outage", async () => {
    const res = await exports.default.fetch("https://tracker.test/api/tracker/test-outage?channel=routed&mode=ok", { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ channel: "routed", shard: "routed", mode: "ok", closed: 0 });
  });

  it("answers 400 for a bad mode or channel and 405 for GET", async () => {
    expect((await call("?channel=outage&mode=explode")).status).toBe(400);
    expect(await (await call("?channel=outage&mode=explode")).json()).toEqual({ error: "mode must be refuse, close or ok" });
    expect((await call("?channel=../x&mode=ok")).status).toBe(400);
    expect((await call("?mode=ok")).status).toBe(400);
    expect((await call("?channel=outage&mode=ok", testEnv, "GET")).status).toBe(405);
  });
});
