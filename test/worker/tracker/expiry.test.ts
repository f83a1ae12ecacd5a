// Stale peers expire through the alarm (time driven by the test-only clock hook),
// and the alarm stops once nothing is left to expire or flush.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PEER_LIFETIME_MS } from "../../../worker/tracker/limits";
import type { TrackerShard } from "../../../worker/tracker/index";
import { announce, connect, id20, offers, testEnv, untilListed, untilPeers } from "./ws-client";

describe("tracker expiry", () => {
  it("drops a peer silent past its lifetime on the alarm, keeps one that re-announced", async () => {
    const hash = id20("h-exp");
    const pa = id20("quiet");
    const pb = id20("chatty");
    const a = await connect("/announce/expiry");
    const b = await connect("/announce/expiry");
    a.send(announce(hash, pa, { event: "started" }));
    await a.next();
    b.send(announce(hash, pb, { event: "started" }));
    await b.next();
    const stub = () => testEnv.TRACKER.getByName("expiry");
    await stub().testAdvanceClock(PEER_LIFETIME_MS - 1000);
    b.send(announce(hash, pb));
    expect(await b.next()).toMatchObject({ incomplete: 2 });
    await stub().testAdvanceClock(2000);
    expect(await runDurableObjectAlarm(stub())).toBe(true);

    b.send({ action: "scrape", info_hash: hash });
    expect((await b.next()).files).toEqual({ [hash]: { complete: 0, incomplete: 1, downloaded: 0 } });
    expect((await stub().shardStats()).messages.expired).toBe(1);
    // The quiet peer's socket is still open but gets no offers any more.
    b.send(announce(hash, pb, { offers: offers(1) }));
    await b.next();
    await a.silent();
    a.close();
    b.close();
  });

  it("leaves no alarm and leaves the stats registry once the last socket is gone", async () => {
    const s = await connect("/announce/idle");
    s.send(announce(id20("h-idle"), id20("p"), { event: "started" }));
    await s.next();
    s.close();
    await s.closed;
    await untilPeers("idle", 0);
    await untilListed("idle");
    const stub = testEnv.TRACKER.getByName("idle");
    const listed = async () => (await (await exports.default.fetch("https://tracker.test/api/tracker/stats?channel=idle")).json<{ shards: number }>()).shards;
    expect(await listed()).toBe(1);
    expect(await runDurableObjectAlarm(stub)).toBe(true); // flush + registry removal
    expect(await listed()).toBe(0);
    const alarm = await runInDurableObject(stub, (_i: TrackerShard, state) => state.storage.getAlarm());
    expect(alarm).toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });
});
