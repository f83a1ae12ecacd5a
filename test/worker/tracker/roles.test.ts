// Fetcher roles through the real TrackerShard: viewers that report get their classes, and the
// number of viewers fetching each segment stays at m while the shard grows, so the edge's
// HTTP "first copies" grow with m, not with the audience.
import { describe, expect, it } from "vitest";
import { FETCHER_CLASSES, ROLE_PLAN_MS } from "../../../worker/tracker/limits";
import { announce, connect, id20, testEnv, type TestSocket } from "./ws-client";

// 2 s segments of 500 KB, a 30 s latency budget, every viewer proven at 400 KB/s: the budget
// holds 15 hops, so one fetcher per segment is enough at any of these sizes.
const REPORT = { up: 100_000, rate: 400_000, peers: 4, seg_bytes: 500_000, seg_s: 2, budget_s: 30 };

async function swarmOf(channel: string, n: number): Promise<{ socks: TestSocket[]; hash: string; peers: string[] }> {
  const hash = id20(`h-${channel}`);
  const socks = await Promise.all(Array.from({ length: n }, () => connect(`/announce/${channel}`)));
  const peers = socks.map((_, i) => id20(`${channel}-${i}`));
  for (const [i, s] of socks.entries()) {
    s.send(announce(hash, peers[i]!, { event: "started" }));
    await s.next();
  }
  return { socks, hash, peers };
}

/**
 * Every socket reports once, then every frame the round produced is read: a scrape after the
 * reports answers after any role frame for that socket (one object, frames in order), so
 * nothing waits on silence. Returns each socket's latest classes, the frames and the last m.
 */
async function round(socks: TestSocket[], hash: string, peers: string[], known: number[][]): Promise<{ classes: number[][]; frames: number; m: number }> {
  for (const [i, s] of socks.entries()) s.send({ action: "es_report", info_hash: hash, peer_id: peers[i], ...REPORT });
  const classes = known.map((c) => [...c]);
  let frames = 0;
  let m = 0;
  for (const [i, s] of socks.entries()) {
    s.send({ action: "scrape", info_hash: hash });
    for (;;) {
      const got = await s.next();
      if (got.action === "scrape") break;
      expect(got).toMatchObject({ action: "es_role", mode: "roles", of: FETCHER_CLASSES });
      frames++;
      classes[i] = got.classes as number[];
      m = got.m as number;
    }
  }
  return { classes, frames, m };
}

describe("fetcher roles in a shard", () => {
  it("keeps one fetcher per segment class as the shard grows from 4 to 24 viewers, spreads the role, and is quiet when nothing changes", async () => {
    const fetchersPerClass: number[] = [];
    for (const n of [4, 24]) {
      const channel = `roles-${n}`;
      const { socks, hash, peers } = await swarmOf(channel, n);
      // The first round proves everyone, but within ROLE_REPLAN_MIN_MS of the first plan; the
      // next period's plan takes them all in.
      const proving = await round(
        socks,
        hash,
        peers,
        socks.map(() => []),
      );
      expect(proving.frames).toBeGreaterThanOrEqual(n);
      // Everyone reports again, so the next plan sees reports ROLE_PLAN_MS old plus one round's
      // reading, not the proving round's too: under a loaded run those together outlasted
      // REPORT_FRESH_MS, and the plan then saw one fresh viewer and gave it every class.
      const fresh = await round(socks, hash, peers, proving.classes);
      await testEnv.TRACKER.getByName(channel).testAdvanceClock(ROLE_PLAN_MS);
      const first = await round(socks, hash, peers, fresh.classes);
      expect(first.m).toBe(1);
      for (let c = 0; c < FETCHER_CLASSES; c++) fetchersPerClass.push(first.classes.filter((cs) => cs.includes(c)).length);
      // Spread: nobody fetches every segment when several proven viewers are there.
      expect(Math.max(...first.classes.map((cs) => cs.length))).toBeLessThan(FETCHER_CLASSES);
      // A further period in which everyone reports the same: no role frame at all.
      await testEnv.TRACKER.getByName(channel).testAdvanceClock(ROLE_PLAN_MS);
      expect((await round(socks, hash, peers, first.classes)).frames).toBe(0);
      for (const s of socks) s.close();
    }
    expect(fetchersPerClass.every((k) => k === 1)).toBe(true);
  });

  it("never sends a role to a viewer that does not report (a stock WebTorrent client)", async () => {
    const { socks, hash, peers } = await swarmOf("roles-stock", 3);
    socks[0]!.send({ action: "es_report", info_hash: hash, peer_id: peers[0], ...REPORT });
    expect(await socks[0]!.next()).toMatchObject({ action: "es_role" });
    await testEnv.TRACKER.getByName("roles-stock").testAdvanceClock(ROLE_PLAN_MS);
    socks[0]!.send({ action: "es_report", info_hash: hash, peer_id: peers[0], ...REPORT });
    await socks[1]!.silent();
    await socks[2]!.silent();
    for (const s of socks) s.close();
  });
});
