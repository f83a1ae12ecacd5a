// Swarm shards inside a channel, through the real Worker: the channel's directory sends a
// joining viewer to a bucket, viewers asking for a bucket that exists return to it, and role
// frames tell a viewer which bucket it is in.
import { describe, expect, it } from "vitest";
import { bucketsForAudience } from "../../../worker/tracker/buckets";
import { handleTrackerRequest } from "../../../worker/tracker/connect";
import { directory } from "../../../worker/tracker/directory";
import { announce, connect, id20, testEnv } from "./ws-client";

describe("buckets of a channel region", () => {
  it("keeps a small audience in the channel's own shard", async () => {
    const a = await connect("/announce/bk-small");
    const b = await connect("/announce/bk-small");
    const hash = id20("h-bk-small");
    a.send(announce(hash, id20("a"), { event: "started" }));
    await a.next();
    b.send(announce(hash, id20("b"), { event: "started" }));
    expect(await b.next()).toMatchObject({ incomplete: 2 });
    expect(await directory(testEnv, "bk-small").buckets()).toBe(1);
    a.close();
    b.close();
  });

  it("sends viewers to the bucket they ask for when the region has it, and tells them in es_role", async () => {
    const dir = directory(testEnv, "bk-grown");
    await dir.grow();
    await dir.grow();
    expect(await dir.buckets()).toBe(3);
    const hash = id20("h-bk-grown");
    const ps = id20("s");
    const s = await connect("/announce/bk-grown?es_bucket=2");
    s.send(announce(hash, ps, { event: "started" }));
    expect(await s.next()).toMatchObject({ incomplete: 1 });
    expect((await testEnv.TRACKER.getByName("bk-grown~2").shardStats()).peers).toBe(1);
    s.send({ action: "es_report", info_hash: hash, peer_id: ps, up: 0, rate: null, peers: 0, seg_bytes: 500_000, seg_s: 2, budget_s: 30 });
    expect(await s.next()).toMatchObject({ action: "es_role", bucket: 2 });
    // A bucket the region does not have is not honoured: the viewer gets a real one (random).
    const t = await connect("/announce/bk-grown?es_bucket=9");
    t.send(announce(hash, id20("t"), { event: "started" }));
    expect(await t.next()).toMatchObject({ action: "announce", info_hash: hash });
    expect((await testEnv.TRACKER.getByName("bk-grown~9").shardStats()).peers).toBe(0);
    const inBuckets = await Promise.all(["bk-grown", "bk-grown~1", "bk-grown~2"].map(async (n) => (await testEnv.TRACKER.getByName(n).shardStats()).peers));
    expect(inBuckets.reduce((a, b) => a + b, 0)).toBe(2);
    s.close();
    t.close();
  });

  it("opens the buckets of an operator's expected audience (TRACKER_EXPECTED_VIEWERS) at the first join, and keeps them", async () => {
    const e = { ...testEnv, TRACKER_EXPECTED_VIEWERS: "bk-expected=20000" };
    const res = await handleTrackerRequest(new Request("https://tracker.test/announce/bk-expected", { headers: { upgrade: "websocket" } }), e);
    expect(res.status).toBe(101);
    res.webSocket?.accept();
    const want = bucketsForAudience(20_000);
    expect(want).toBeGreaterThan(1);
    // A later read without the setting (another Worker version, say) does not shrink it.
    expect(await directory(testEnv, "bk-expected").buckets()).toBe(want);
    // A region the setting does not name sizes itself as before.
    expect(await directory(testEnv, "bk-unexpected").buckets()).toBe(1);
    res.webSocket?.close();
  });
});
